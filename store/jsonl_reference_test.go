package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// referenceLine is the line rendered by encoding/json, as mqscope did before
// the line was appended by hand: the hand-written line must equal it byte
// for byte wherever the text holds nothing textsafe escapes beyond ASCII
// (C1 controls, bidi and zero-width characters…: those the line escapes and
// encoding/json does not, see appendJSONString and escapeTerminalUnsafe).
type referenceLine struct {
	Seq          uint64              `json:"seq"`
	Time         string              `json:"time"`
	VHost        string              `json:"vhost"`
	Exchange     string              `json:"exchange"`
	RoutingKey   string              `json:"routing_key"`
	Queue        string              `json:"queue"`
	Event        capture.Event       `json:"event"`
	Mode         capture.Mode        `json:"mode"`
	Properties   *capture.Properties `json:"properties,omitempty"`
	Headers      map[string]any      `json:"headers,omitempty"`
	Body         json.RawMessage     `json:"body"`
	Encoding     neonwire.Encoding   `json:"encoding"`
	BodyB64      string              `json:"body_b64,omitempty"`
	DecodeError  string              `json:"decode_error,omitempty"`
	MessageID    string              `json:"message_id,omitempty"`
	Redelivered  bool                `json:"redelivered,omitempty"`
	Pair         *referencePair      `json:"pair,omitempty"`
	Unroutable   bool                `json:"unroutable,omitempty"`
	RoutedQueues []string            `json:"routed_queues,omitempty"`
}

type referencePair struct {
	Seq       uint64  `json:"seq"`
	LatencyMS float64 `json:"latency_ms"`
	Role      string  `json:"role"`
}

func referenceJSONLine(t *testing.T, e Entry) []byte {
	t.Helper()
	m := &e.Msg
	l := referenceLine{
		Seq: e.Seq, Time: m.Time.UTC().Format(time.RFC3339Nano), VHost: m.VHost, Exchange: m.Exchange,
		RoutingKey: m.RoutingKey, Queue: m.Queue, Event: m.Event, Mode: m.Mode, Encoding: e.Decoded.Encoding,
		MessageID: e.MessageID, Redelivered: m.Redelivered, Unroutable: m.Unroutable, RoutedQueues: m.RoutedQueues,
		Body: json.RawMessage("null"),
	}
	if !hasB64(e.Decoded) {
		l.Body = neonwire.ToJSON(e.Decoded.Value)
	} else {
		l.BodyB64 = base64.StdEncoding.EncodeToString(m.Body)
	}
	if m.Properties != (capture.Properties{}) {
		l.Properties = &m.Properties
	}
	if len(m.Headers) > 0 {
		l.Headers = jsonSafeMap(m.Headers)
	}
	if e.Decoded.Err != nil {
		l.DecodeError = e.Decoded.Err.Error()
	}
	if p := e.Pair; p != nil {
		role := "request"
		if p.IsReply {
			role = "reply"
		}
		l.Pair = &referencePair{Seq: p.Seq, LatencyMS: float64(p.Latency) / float64(time.Millisecond), Role: role}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// awkward holds the characters JSON strings treat specially.
const awkward = "q\"uo\\te\x00\x01\x1f\x7f\b\f\n\r\t<b>&é→🙂\u2028\u2029\xff\xc3"

func TestJSONLineEqualsEncodingJSON(t *testing.T) {
	s := New(Options{})
	req := request("/neon_api", "neon_api_input", "m1", "rq1", t0)
	req.Properties = capture.Properties{Expiration: "1000", Timestamp: capture.Timestamp{Time: t0}, Priority: 3, AppID: awkward}
	s.Append(req)
	rep := reply("/neon_api", "rq1", "m1", t0.Add(1500*time.Microsecond+7))
	rep.Redelivered = true
	s.Append(rep)
	odd := textMessage(awkward, awkward)
	odd.VHost, odd.Exchange, odd.RoutingKey = awkward, awkward, awkward
	odd.Unroutable, odd.RoutedQueues = true, []string{awkward, "b"}
	odd.Headers = map[string]any{awkward: []byte{0xff}, "n": int64(-3), "when": t0}
	s.Append(odd)
	s.Append(textMessage("q", "\x00\x01\xff binary"))
	long := New(Options{MaxDecodeBytes: 8})
	long.Append(textMessage("q", "longer than eight"))
	entries, _ := s.Since(0)
	undecoded, _ := long.Since(0)
	entries = append(entries, undecoded...)
	entries = append(entries, Entry{Seq: 99, Msg: textMessage("q", "x"),
		Decoded: neonwire.Decoded{Encoding: neonwire.EncText, Value: "x", Err: errors.New(awkward)}})
	for _, e := range entries {
		if got, want := MarshalJSONLine(e), referenceJSONLine(t, e); !bytes.Equal(got, want) {
			t.Errorf("seq %d:\ngot  %s\nwant %s", e.Seq, got, want)
		}
	}
}

func TestJSONStringEqualsEncodingJSON(t *testing.T) {
	// Random strings over the bytes that matter: ASCII, controls, quote,
	// backslash, and the bytes of valid and broken UTF-8 sequences.
	alphabet := []byte("a \"\\\x00\x08\x0c\x1f\x7f<>&\xe2\x80\xa8\xa9\xc3\xa9\xf0\x9f\x99\x82\xff")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(string(b)); err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, string(b)); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Fatalf("%q: got %s, want %s", b, got, want.Bytes())
		}
	}
}

func BenchmarkWriteJSONLine(b *testing.B) {
	s := New(Options{})
	s.Append(request("/neon_api", "neon_api_input", "c0ffee00c0ffee00c0ffee00c0ffee00", "5f0c3ad8e1b94e0f9d3c2b7a6e1f4d20", t0))
	e, ok := s.Get(1)
	if !ok {
		b.Fatal("the request was not retained")
	}
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if err := WriteJSONLine(&out, e); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHeadersEqualEncodingJSON(t *testing.T) {
	// Maps of UTF-8 strings take the hand-written path; a value of
	// another type, a string that is not UTF-8, or too many headers take
	// encoding/json's. Both must read the same.
	// The first five pieces are plain; half the maps are made of them
	// alone, so that both paths are taken often.
	alphabet := []string{"a", "Z", " ", "~", "x-trace", "\"", "\\", "\n", "é", "\u202e", "\xff"}
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := alphabet
	word := func() string {
		var b []byte
		for range rng.IntN(4) {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
		return string(b)
	}
	plain := 0
	for i := range 3000 {
		pieces = alphabet
		if i%2 == 0 {
			pieces = alphabet[:5]
		}
		h := map[string]any{}
		for range 1 + rng.IntN(maxPlainHeaders+2) {
			var v any = word()
			if rng.IntN(10) == 0 {
				v = int64(rng.IntN(100))
			}
			h[word()] = v
		}
		want, err := appendMarshaled(nil, jsonSafeMap(h))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := appendHeaders(nil, h); !bytes.Equal(got, want) {
			t.Fatalf("%q:\ngot  %s\nwant %s", h, got, want)
		}
		if _, ok := appendPlainHeaders(nil, h); ok {
			plain++
		}
	}
	if plain < 100 || plain > 2900 {
		t.Fatalf("%d of 3000 maps took the hand-written path: both paths must be tried", plain)
	}
}
