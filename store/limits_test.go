package store

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// TestLongBodyIsNotDecoded: a body over MaxDecodeBytes is kept as it came
// and labelled undecoded, with an error giving its size and the limit; its
// JSON line carries the body as body_b64.
func TestLongBodyIsNotDecoded(t *testing.T) {
	s := New(Options{MaxDecodeBytes: 1 << 10})
	short := neonBody("{'n': 1}")
	long := neonBody("{'blob': '" + strings.Repeat("x", 2<<10) + "'}")
	if e := mustGet(t, s, s.Append(textMessage("q", string(short)))); e.Decoded.Encoding != neonwire.EncNeon {
		t.Fatalf("a short body is %s", e.Decoded.Encoding)
	}
	e := mustGet(t, s, s.Append(textMessage("q", string(long))))
	var why *UndecodedError
	if e.Decoded.Encoding != EncUndecoded || e.Decoded.Value != nil || !errors.As(e.Decoded.Err, &why) ||
		why.Size != len(long) || why.Limit != 1<<10 || !bytes.Equal(e.Msg.Body, long) {
		t.Fatalf("long body stored as %s, value %v, error %v", e.Decoded.Encoding, e.Decoded.Value, e.Decoded.Err)
	}
	want := fmt.Sprintf("not decoded: the body is %d bytes, over the 1024 bytes decode limit", len(long))
	if !strings.HasPrefix(e.Decoded.Err.Error(), want) {
		t.Errorf("error %q, want it to start %q", e.Decoded.Err, want)
	}
	obj, line := writeLine(t, e)
	if obj["encoding"] != "undecoded" || obj["body"] != nil || obj["body_b64"] == nil || obj["decode_error"] != e.Decoded.Err.Error() {
		t.Errorf("line = %s", line)
	}
	if f, err := ParseFilter("enc:undecoded"); err != nil || !f.Match(&e) {
		t.Errorf("enc:undecoded: %v", err)
	}
}

func TestDecodeLimitDefaultsTo16MiB(t *testing.T) {
	if s := New(Options{}); s.maxDecode != DefaultMaxDecodeBytes || DefaultMaxDecodeBytes != 16<<20 {
		t.Fatalf("decode limit %d", s.maxDecode)
	}
	if got := (&UndecodedError{Size: 50<<20 + 1, Limit: 16 << 20}).Error(); !strings.HasPrefix(got,
		"not decoded: the body is 50.0 MiB (52428801 bytes), over the 16 MiB decode limit") {
		t.Errorf("error = %q", got)
	}
}

// TestStreamedLineEqualsTheBufferedOne: a long body_b64 is written straight
// to the writer, and the line is the same.
func TestStreamedLineEqualsTheBufferedOne(t *testing.T) {
	s := New(Options{MaxDecodeBytes: streamB64Over})
	bin := bytes.Repeat([]byte{0, 0xff, 'x'}, streamB64Over)
	long := bytes.Repeat([]byte("IntcJ24nOiAxfSI="), streamB64Over)
	for _, body := range [][]byte{bin, long} {
		m := textMessage("q", string(body))
		m.Properties.MessageID = "m"
		e := mustGet(t, s, s.Append(m))
		var buf bytes.Buffer
		if err := WriteJSONLine(&buf, e); err != nil {
			t.Fatal(err)
		}
		if want := append(MarshalJSONLine(e), '\n'); !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s: streamed line differs from the buffered one", e.Decoded.Encoding)
		}
	}
}

// bigLiterals are Neon dict literals of about n bytes of repr, each of a
// shape whose decoded value is large or would keep its literal's text
// alive.
func bigLiterals(n int) map[string]string {
	var ints, strs, nested, pinned strings.Builder
	ints.WriteString("{")
	strs.WriteString("{'l': [")
	nested.WriteString("{'l': [")
	pinned.WriteString("{'long': '" + strings.Repeat("y", 40) + "'")
	for i := 0; ints.Len() < n; i++ {
		fmt.Fprintf(&ints, "'k%d': %d, ", i, i*1000)
		fmt.Fprintf(&strs, "'s%d', ", i)
		nested.WriteString("[], ")
		fmt.Fprintf(&pinned, ", 'key%d': None", i)
	}
	return map[string]string{
		"dict of ints":            ints.String() + "}",
		"list of short strings":   strs.String() + "]}",
		"list of empty lists":     nested.String() + "]}",
		"one long string pinning": pinned.String() + "}",
	}
}

// heapAlloc is the live heap after a full collection.
func heapAlloc() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC() // a second cycle empties the sync.Pools' victim caches
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestCountedBytesCoverTheHeap: what the store counts against MaxBytes
// for a large decoded literal is at least what it really holds (its heap
// growth, measured with runtime.MemStats), and not far above it. A 25 MB
// dict literal used to count only its body and search text, a fraction
// of what its decoded value takes.
func TestCountedBytesCoverTheHeap(t *testing.T) {
	for name, repr := range bigLiterals(1 << 20) {
		t.Run(name, func(t *testing.T) {
			s := New(Options{MaxBytes: 1 << 40})
			s.Append(textMessage("q", "first")) // its ring block is the store's, not the message's
			m := textMessage("q", "")
			m.Body = neonBody(repr)
			// The table of shared strings is the store's, bounded by
			// maxInterned, not the message's: it is left out of both
			// measures (it is made full size at once, so the first
			// message's table weighs as much as a full one).
			dropStrs := func() {
				s.intern.mu.Lock()
				s.intern.strs = nil
				s.intern.mu.Unlock()
			}
			dropStrs()
			before := heapAlloc()
			seq := s.Append(m)
			dropStrs()
			held := int64(heapAlloc()-before) + allocSize(cap(m.Body)) // the body was there before
			e := mustGet(t, s, seq)
			if e.Decoded.Encoding != neonwire.EncNeon {
				t.Fatalf("decoded as %s: %v", e.Decoded.Encoding, e.Decoded.Err)
			}
			counted := s.Stats().Bytes - mustCost(t, s, 1)
			t.Logf("body %d bytes, holds %d, counted %d (%.2f)", len(m.Body), held, counted, float64(counted)/float64(held))
			// 16 KiB allows for what the runtime itself allocates meanwhile.
			floor := held - 16<<10
			if raceEnabled {
				floor = held * 3 / 4 // its allocator pads the small objects the estimate is for
			}
			if counted < floor {
				t.Errorf("counted %d bytes, but the message holds %d", counted, held)
			}
			if counted > held*3/2+64<<10 {
				t.Errorf("counted %d bytes for %d held: far too high", counted, held)
			}
			runtime.KeepAlive(s)
		})
	}
}

// mustCost is what the retained record seq counts.
func mustCost(t *testing.T, s *Store, seq uint64) int64 {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.ring.has(seq) {
		t.Fatalf("seq %d not retained", seq)
	}
	return s.ring.at(seq).cost()
}

// TestBudgetBoundsLargeDecodedValues: with an 8 MiB budget, dict literals
// whose decoded values are several times their bodies are evicted as their
// real size requires, so what the store counts stays within the budget
// (beyond the newest message) however many arrive.
func TestBudgetBoundsLargeDecodedValues(t *testing.T) {
	const budget = 8 << 20
	s := New(Options{MaxBytes: budget})
	body := neonBody(bigLiterals(1 << 20)["dict of ints"])
	for range 12 {
		s.Append(capture.Message{Queue: "q", Body: body})
	}
	st := s.Stats()
	if st.Bytes > budget || st.Count >= 12 || st.Evicted == 0 {
		t.Fatalf("stats %+v with a budget of %d", st, budget)
	}
	if per := st.Bytes / int64(st.Count); per < 3*int64(len(body)) {
		t.Errorf("a message counts %d bytes for a %d-byte body of small items", per, len(body))
	}
}

// TestCountedBytesCoverHeaders: header tables (the firehose adds three
// strings to every message) are counted too.
func TestCountedBytesCoverHeaders(t *testing.T) {
	s := New(Options{MaxBytes: 1 << 40})
	s.Append(textMessage("q", "first"))
	m := textMessage("q", "x")
	before := heapAlloc()
	m.Headers = make(map[string]any)
	for i := range 20000 {
		m.Headers[fmt.Sprintf("x-header-%d", i)] = fmt.Sprintf("value %d", i)
	}
	m.Headers["nested"] = map[string]any{"list": []any{int64(1), "two", []byte("three")}}
	s.Append(m)
	held := int64(heapAlloc() - before)
	checkCounted(t, s.Stats().Bytes-mustCost(t, s, 1), held)
	runtime.KeepAlive(m)
}

// checkCounted fails t unless what the store counts covers what it holds
// (heap growth) and is not far above it.
func checkCounted(t *testing.T, counted, held int64) {
	t.Helper()
	t.Logf("holds %d, counted %d (%.2f)", held, counted, float64(counted)/float64(held))
	floor := held - 16<<10 // what the runtime itself allocates meanwhile
	if raceEnabled {
		floor = held * 3 / 4 // its allocator pads the small objects the estimate is for
	}
	if counted < floor || counted > held*3/2 {
		t.Errorf("counted %d bytes for %d held", counted, held)
	}
}
