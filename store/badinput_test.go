package store

import (
	"bytes"
	"encoding/base64"
	"sync"
	"testing"
	"unicode/utf8"

	"mqscope/capture"

	"mqscope/connector/neonwire/neonwiretest"
)

// hostileMessage is body b as the firehose would deliver it, with headers
// and properties that carry terminal escapes too: they come off the
// network just as the body does.
func hostileMessage(b neonwiretest.Body) capture.Message {
	return capture.Message{
		Time: t0, VHost: "/v", Queue: "hostile", RoutingKey: "hostile" + neonwiretest.Escapes,
		Event: capture.EventPublish, Mode: capture.ModeFirehose,
		Properties: capture.Properties{AppID: "app\x7f\u0085", MessageID: "id\x1b[2J"},
		Headers:    map[string]any{"note": neonwiretest.Escapes, "raw": []byte{0, 0xff}},
		Body:       b.Data,
	}
}

// hostileStore is a store holding every hostile body, in table order,
// appended through Sink as a watch delivers. It is built once and shared:
// 16 MiB bodies cost seconds each under the race detector.
func hostileStore() *Store {
	hostile.once.Do(func() {
		hostile.s = New(Options{})
		sink := hostile.s.Sink(nil)
		for _, b := range neonwiretest.Bodies() {
			sink(hostileMessage(b))
		}
	})
	return hostile.s
}

var hostile struct {
	once sync.Once
	s    *Store
}

// TestHostileBodiesThroughStoreAndJSONLine checks every hostile body as
// `mqscope tail` prints it: kept whole and labelled, then on one valid
// JSON line with no raw control character. (The recording of the same
// bodies is checked end to end by the tail test of package main.)
func TestHostileBodiesThroughStoreAndJSONLine(t *testing.T) {
	s := hostileStore()
	for i, b := range neonwiretest.Bodies() {
		t.Run(b.Name, func(t *testing.T) {
			e := mustGet(t, s, uint64(i+1))
			if e.Decoded.Encoding != b.Encoding || e.Size != len(b.Data) || !bytes.Equal(e.Msg.Body, b.Data) {
				t.Fatalf("stored as %s, %d bytes; want %s, %d bytes, unchanged", e.Decoded.Encoding, e.Size, b.Encoding, len(b.Data))
			}
			checkHostileLine(t, b, e)
		})
	}
}

// checkHostileLine checks the JSON line of e, a stored hostile body.
func checkHostileLine(t *testing.T, b neonwiretest.Body, e Entry) {
	t.Helper()
	line, raw := writeLine(t, e) // one line, valid JSON
	if !utf8.Valid(raw) {
		t.Fatal("the line is not UTF-8")
	}
	if i := firstTerminalControl(raw); i >= 0 {
		t.Fatalf("the line holds a raw control character at byte %d (%q): printed to a terminal it would act", i, raw[i:min(i+2, len(raw))])
	}
	if line["routing_key"] != e.Msg.RoutingKey || line["properties"].(map[string]any)["app_id"] != e.Msg.Properties.AppID {
		t.Errorf("escaping changed the text: routing_key %q, app_id %q", line["routing_key"], line["properties"].(map[string]any)["app_id"])
	}
	if line["encoding"] != string(b.Encoding) {
		t.Errorf("encoding %v, want %s", line["encoding"], b.Encoding)
	}
	if (b.Err != "") != (line["decode_error"] != nil) {
		t.Errorf("decode_error %v, want one only when Decode fails (%q)", line["decode_error"], b.Err)
	}
	switch b.Encoding {
	case "text":
		if line["body"] != string(b.Data) {
			t.Errorf("text body does not round-trip through the line")
		}
	case "binary":
		if line["body"] != nil || line["body_b64"] != base64.StdEncoding.EncodeToString(b.Data) {
			t.Errorf("binary body: body %.40v, body_b64 does not hold the bytes", line["body"])
		}
	}
}

// firstTerminalControl returns the offset of the first C0 control (but
// newline, which ends the line) or C1 control in b, or -1: the characters
// that start terminal control sequences. JSON escapes let none of them be
// needed inside a string. b is UTF-8, where a C1 control is 0xC2 followed
// by 0x80 to 0x9F.
func firstTerminalControl(b []byte) int {
	for i, c := range b {
		if (c < 0x20 && c != '\n') || (c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] < 0xa0) {
			return i
		}
	}
	return -1
}

// TestFiltersOverHostileBodies runs every kind of filter over the hostile
// bodies: a search must scan a 16 MiB body and a deep literal's text like
// any other, and a filter naming binary must find exactly the binary ones.
func TestFiltersOverHostileBodies(t *testing.T) {
	s := hostileStore()
	wantBinary := 0
	for _, b := range neonwiretest.Bodies() {
		if b.Encoding == "binary" {
			wantBinary++
		}
	}
	cases := map[string]int{
		"enc:binary":          wantBinary,
		"lazy dog, again":     1, // inside the 16 MiB text
		"body:/0123456789ab/": 1, // the 16 MiB Neon blob
		"no-such-word-at-all": 0,
		`"pwned"`:             1, // the escapes, searched as text
	}
	for q, want := range cases {
		f, err := ParseFilter(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got := 0
		for _, e := range s.Range(0, s.Len()) {
			if f.Match(&e) {
				got++
			}
		}
		if got != want {
			t.Errorf("filter %s matched %d messages, want %d", q, got, want)
		}
	}
}

// TestHugeBodyCostIsCounted checks that the byte budget sees each body at
// its real size at least, so that a stream of 16 MiB bodies evicts older
// messages instead of growing memory without bound.
func TestHugeBodyCostIsCounted(t *testing.T) {
	var bodies int64
	for _, b := range neonwiretest.Bodies() {
		bodies += int64(len(b.Data))
	}
	if st := hostileStore().Stats(); st.Bytes < bodies {
		t.Fatalf("stats %+v: the budget counts %d bytes for %d bytes of bodies", st, st.Bytes, bodies)
	}
}
