package neonwire

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"testing"
)

// pyRoundTrip is one python3 process running testdata/roundtrip.py.
type pyRoundTrip struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
}

func startRoundTrip(t *testing.T) *pyRoundTrip {
	cmd := exec.Command(python3(t), filepath.Join("testdata", "roundtrip.py"))
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("python3 roundtrip.py: %v", err)
	}
	t.Cleanup(func() {
		in.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("python3 roundtrip.py: %v\n%s", err, stderr.String())
		}
	})
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 64<<20)
	return &pyRoundTrip{t: t, in: in, out: sc}
}

// send writes requests from a goroutine, so that Python's answers can be
// read while the requests are still being written.
func (p *pyRoundTrip) send(reqs []any) {
	go func() {
		enc := json.NewEncoder(p.in)
		for _, r := range reqs {
			if enc.Encode(r) != nil {
				return
			}
		}
	}()
}

type pyAnswer struct {
	Body  string `json:"body"`
	Again string `json:"again"`
	Error string `json:"error"`
}

func (p *pyRoundTrip) answer() pyAnswer {
	if !p.out.Scan() {
		p.t.Fatalf("python3 roundtrip.py stopped answering: %v", p.out.Err())
	}
	var a pyAnswer
	if err := json.Unmarshal(p.out.Bytes(), &a); err != nil {
		p.t.Fatalf("python3 answer %q: %v", p.out.Text(), err)
	}
	return a
}

const roundTripCount = 2000

// TestRoundTripThroughPython checks both directions against Python's own
// codec. Go-made values, sent as literals listing set members in their own
// order, come back from Python (b64_to_dict, then dict_to_b64) as Encode's
// bytes; Python-made values decode and re-encode in Go to the bytes Python
// gives when it decodes and re-encodes them.
func TestRoundTripThroughPython(t *testing.T) {
	skew := versionSkew(t)
	py := startRoundTrip(t)
	gen := newValueGen(20240611, skew)
	values := make([]*Dict, roundTripCount)
	reqs := make([]any, 0, roundTripCount+1)
	for i := range values {
		values[i] = gen.dict(0)
		reqs = append(reqs, map[string]any{"op": "echo", "body": encodeLiteral(values[i])})
	}
	reqs = append(reqs, map[string]any{"op": "generate", "seed": 7, "count": roundTripCount, "exclude": skew})
	py.send(reqs)
	setOrder := pythonSetOrder(t)
	for i, v := range values {
		checkGoToPython(t, fmt.Sprintf("value %d", i), v, py.answer(), setOrder)
	}
	for i := range roundTripCount {
		checkPythonToGo(t, fmt.Sprintf("python value %d", i), py.answer(), setOrder)
	}
}

// encodeLiteral is Encode with every set in its own order: the body of the
// literal whose evaluation Encode's set order follows.
func encodeLiteral(v Value) string {
	return base64.StdEncoding.EncodeToString(appendJSONASCII(nil, []byte(reprLiteral(v))))
}

// checkGoToPython compares Encode(v) with Python's re-encoding of v's
// literal: byte for byte where the set order is CPython's to compute,
// else as values whose sets may be in any order.
func checkGoToPython(t *testing.T, what string, v Value, a pyAnswer, setOrder setOrderRule) {
	t.Helper()
	if a.Error != "" {
		t.Errorf("%s: Python could not read Go's body: %s\nrepr: %s", what, a.Error, reprLiteral(v))
		return
	}
	checkSameBody(t, what, string(Encode(v)), a.Body, setOrder)
}

// checkPythonToGo decodes a Python-made body and checks that Go encodes it
// again as Python does.
func checkPythonToGo(t *testing.T, what string, a pyAnswer, setOrder setOrderRule) {
	t.Helper()
	if a.Error != "" {
		t.Fatalf("%s: %s", what, a.Error)
	}
	v, err := DecodeNeon([]byte(a.Body))
	if err != nil {
		t.Errorf("%s: DecodeNeon: %v", what, err)
		return
	}
	checkSameBody(t, what, string(Encode(v)), a.Again, setOrder)
}

// checkSameBody compares Go's body with Python's: exactly when every set
// in it has an order that setOrder says Go computes, else as values.
func checkSameBody(t *testing.T, what, got, want string, setOrder setOrderRule) {
	t.Helper()
	if got == want {
		return
	}
	gv, err1 := DecodeNeon([]byte(got))
	wv, err2 := DecodeNeon([]byte(want))
	if err1 != nil || err2 != nil {
		t.Errorf("%s: bodies differ and do not decode (%v, %v): %s", what, err1, err2, firstDiff(got, want))
		return
	}
	if setOrder.ordered(wv) || !sameValueAnySetOrder(gv, wv) {
		t.Errorf("%s: Go encodes differently: %s\n  go: %s\n  py: %s", what, firstDiff(got, want), Repr(gv), Repr(wv))
	}
}
