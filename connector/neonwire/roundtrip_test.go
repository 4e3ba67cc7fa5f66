package neonwire

import (
	"bufio"
	"bytes"
	"encoding/json"
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
// codec: Go-made values encoded by Go come back from Python (literal_eval,
// then dict_to_b64) as the same bytes, and Python-made values decode and
// re-encode in Go to Python's bytes.
func TestRoundTripThroughPython(t *testing.T) {
	skew := versionSkew(t)
	py := startRoundTrip(t)
	gen := newValueGen(20240611, skew, true)
	values := make([]*Dict, roundTripCount)
	reqs := make([]any, 0, roundTripCount+1)
	for i := range values {
		values[i] = gen.dict(0)
		reqs = append(reqs, map[string]any{"op": "echo", "body": string(Encode(values[i]))})
	}
	reqs = append(reqs, map[string]any{"op": "generate", "seed": 7, "count": roundTripCount, "exclude": skew})
	py.send(reqs)
	for i, v := range values {
		checkGoToPython(t, i, v, py.answer())
	}
	for i := range roundTripCount {
		checkPythonToGo(t, i, py.answer())
	}
}

func checkGoToPython(t *testing.T, i int, v *Dict, a pyAnswer) {
	t.Helper()
	body := string(Encode(v))
	switch {
	case a.Error != "":
		t.Errorf("value %d: Python could not read Go's body: %s\nrepr: %s", i, a.Error, Repr(v))
	case a.Body != body:
		t.Errorf("value %d: Python re-encoded differently: %s\nrepr: %s", i, firstDiff(body, a.Body), Repr(v))
	}
}

func checkPythonToGo(t *testing.T, i int, a pyAnswer) {
	t.Helper()
	if a.Error != "" {
		t.Fatalf("python value %d: %s", i, a.Error)
	}
	v, err := DecodeNeon([]byte(a.Body))
	if err != nil {
		t.Errorf("python value %d: DecodeNeon: %v", i, err)
		return
	}
	if got := string(Encode(v)); got != a.Body {
		t.Errorf("python value %d: Go re-encoded differently: %s\nrepr: %s", i, firstDiff(got, a.Body), Repr(v))
	}
}
