package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/connector/neonwire"
)

// decodeLine parses one JSON line into a generic object, failing on
// anything but exactly one object followed by a newline.
func decodeLine(t *testing.T, line []byte) map[string]any {
	t.Helper()
	if bytes.Count(line, []byte("\n")) != 1 || !bytes.HasSuffix(line, []byte("\n")) {
		t.Fatalf("not one line: %q", line)
	}
	var obj map[string]any
	if err := json.Unmarshal(line, &obj); err != nil {
		t.Fatalf("not JSON: %v: %s", err, line)
	}
	return obj
}

func writeLine(t *testing.T, e Entry) (map[string]any, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJSONLine(&buf, e); err != nil {
		t.Fatal(err)
	}
	return decodeLine(t, buf.Bytes()), buf.Bytes()
}

// keysInOrder returns the top-level keys of a JSON object in line order.
func keysInOrder(t *testing.T, line []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestJSONLineOfANeonReply(t *testing.T) {
	s := New(Options{})
	s.Append(request("/neon_api", "neon_api_input", "m1", "rq1", t0))
	m := reply("/neon_api", "rq1", "m1", t0.Add(1500*time.Microsecond))
	m.Properties.Expiration = "1000"
	m.Redelivered = true
	e := mustGet(t, s, s.Append(m))
	obj, line := writeLine(t, e)

	want := []string{"seq", "time", "vhost", "exchange", "routing_key", "queue", "event", "mode",
		"properties", "body", "encoding", "message_id", "redelivered", "pair"}
	if got := keysInOrder(t, line); !reflect.DeepEqual(got, want) {
		t.Errorf("keys = %v\nwant   %v", got, want)
	}
	if obj["time"] != "2026-03-04T05:06:07.0015Z" || obj["vhost"] != "/neon_api" || obj["queue"] != "rq1" ||
		obj["encoding"] != "neon" || obj["message_id"] != "m1" || obj["seq"] != 2.0 {
		t.Errorf("line = %s", line)
	}
	body := obj["body"].(map[string]any)
	if body["status_code"] != 200.0 || body["encoding"] != nil || body["message_id"] != "m1" {
		t.Errorf("body = %v", body)
	}
	if p := obj["properties"].(map[string]any); !reflect.DeepEqual(p, map[string]any{"expiration": "1000"}) {
		t.Errorf("properties = %v", p)
	}
	if p := obj["pair"].(map[string]any); !reflect.DeepEqual(p, map[string]any{"seq": 1.0, "latency_ms": 1.5, "role": "reply"}) {
		t.Errorf("pair = %v", p)
	}
}

func TestJSONLineOfARequestNamesItsRole(t *testing.T) {
	s := New(Options{})
	req := s.Append(request("/v", "in", "m1", "rq1", t0))
	s.Append(reply("/v", "rq1", "m1", t0.Add(time.Millisecond)))
	obj, _ := writeLine(t, mustGet(t, s, req))
	if p := obj["pair"].(map[string]any); p["role"] != "request" || p["seq"] != 2.0 {
		t.Errorf("pair = %v", p)
	}
}

func TestJSONLineOfTextBinaryAndBrokenBodies(t *testing.T) {
	s := New(Options{})
	text := mustGet(t, s, s.Append(textMessage("q", "<b>hi</b> & bye")))
	obj, line := writeLine(t, text)
	if obj["body"] != "<b>hi</b> & bye" || obj["encoding"] != "text" || bytes.Contains(line, []byte(`\u003c`)) {
		t.Errorf("text line = %s", line)
	}
	bin := mustGet(t, s, s.Append(textMessage("q", "\x00\x01\xff")))
	obj, line = writeLine(t, bin)
	if obj["body"] != nil || obj["body_b64"] != "AAH/" || obj["encoding"] != "binary" {
		t.Errorf("binary line = %s", line)
	}
	if _, ok := obj["body"]; !ok {
		t.Errorf("binary line has no body key: %s", line)
	}
	broken := Entry{Seq: 9, Msg: textMessage("q", "x"),
		Decoded: neonwire.Decoded{Encoding: neonwire.EncText, Value: "x", Err: errors.New("not a literal")}}
	obj, line = writeLine(t, broken)
	if obj["decode_error"] != "not a literal" || obj["body"] != "x" {
		t.Errorf("broken line = %s", line)
	}
	for _, k := range []string{"properties", "headers", "body_b64", "message_id", "redelivered", "pair", "unroutable", "routed_queues"} {
		if _, ok := obj[k]; ok {
			t.Errorf("line carries empty %q: %s", k, line)
		}
	}
}

func TestJSONLineHeadersAreJSONSafe(t *testing.T) {
	m := textMessage("q", "x")
	m.Unroutable = true
	m.RoutedQueues = []string{"a"}
	m.Headers = map[string]any{
		"bytes":  []byte{0xff, 0xfe},
		"nested": map[string]any{"n": int64(3), "list": []any{"a", math.Inf(1), []byte("z")}},
		"nan":    math.NaN(),
		"when":   time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)),
		"typed":  []string{"p", "q"},
		"f32":    float32(1.5),
	}
	e := Entry{Seq: 1, Msg: m, Decoded: neonwire.Decode(m.Body)}
	obj, line := writeLine(t, e)
	want := map[string]any{
		"bytes":  map[string]any{"$bytes": "//4="},
		"nested": map[string]any{"n": 3.0, "list": []any{"a", "inf", map[string]any{"$bytes": "eg=="}}},
		"nan":    "nan",
		"when":   "2026-01-02T02:04:05Z",
		"typed":  []any{"p", "q"},
		"f32":    1.5,
	}
	if got := obj["headers"]; !reflect.DeepEqual(got, want) {
		t.Errorf("headers = %v\nwant      %v", got, want)
	}
	if obj["unroutable"] != true || !reflect.DeepEqual(obj["routed_queues"], []any{"a"}) {
		t.Errorf("line = %s", line)
	}
}

func TestMarshalJSONLineHasNoNewline(t *testing.T) {
	m := textMessage("q", "two\nlines")
	b := MarshalJSONLine(Entry{Msg: m, Decoded: neonwire.Decode(m.Body)})
	if strings.ContainsAny(string(b), "\n") || !json.Valid(b) {
		t.Fatalf("MarshalJSONLine = %q", b)
	}
}

// TestJSONLineKeepsAMillisecondTimestamp: JavaScript and Java producers
// send the timestamp property in milliseconds, no date as seconds; the line
// used to be {"seq":1,"error":"json: ... year outside of range"}.
func TestJSONLineKeepsAMillisecondTimestamp(t *testing.T) {
	m := textMessage("q", "x")
	m.Properties = capture.Properties{AppID: "js", Timestamp: capture.Timestamp{Time: time.Unix(1_700_000_000_123, 0)}}
	m.Headers = map[string]any{"sent": time.Unix(1_700_000_000_456, 0), "ok": time.Unix(1_700_000_000, 0)}
	obj, line := writeLine(t, Entry{Seq: 1, Msg: m, Decoded: neonwire.Decode(m.Body)})
	if obj["body"] != "x" {
		t.Fatalf("the message is not shown: %s", line)
	}
	if !bytes.Contains(line, []byte(`"properties":{"timestamp":1700000000123,"app_id":"js"}`)) {
		t.Errorf("properties: %s", line)
	}
	if h := obj["headers"].(map[string]any); h["sent"] != 1_700_000_000_456.0 || h["ok"] != "2023-11-14T22:13:20Z" {
		t.Errorf("headers: %s", line)
	}
}

// TestJSONLineKeepsTheBytesOfNonUTF8HeaderStrings: JSON strings cannot hold
// them, so such a string is {"$str": base64}, at any depth.
func TestJSONLineKeepsTheBytesOfNonUTF8HeaderStrings(t *testing.T) {
	m := textMessage("q", "x")
	m.Headers = map[string]any{"latin1": "caf\xe9", "nested": []any{map[string]any{"s": "\xff"}}, "fine": "café"}
	obj, line := writeLine(t, Entry{Seq: 1, Msg: m, Decoded: neonwire.Decode(m.Body)})
	want := map[string]any{
		"latin1": map[string]any{"$str": "Y2Fm6Q=="},
		"nested": []any{map[string]any{"s": map[string]any{"$str": "/w=="}}},
		"fine":   "café",
	}
	if got := obj["headers"]; !reflect.DeepEqual(got, want) {
		t.Errorf("headers = %v\nwant      %v\nline %s", got, want, line)
	}
}

// TestJSONLineOfAnUnreadableMessage: a message whose headers the client
// could not read is a marker with its event and its one header saying why.
func TestJSONLineOfAnUnreadableMessage(t *testing.T) {
	s := New(Options{})
	m := textMessage("q", "still here")
	m.Event = capture.EventUnreadable
	m.Headers = map[string]any{capture.UnreadableHeader: "consume of a message the client cannot read whole: too deep"}
	e := mustGet(t, s, s.Append(m))
	if f, err := ParseFilter("event:unreadable"); err != nil || !f.Match(&e) {
		t.Errorf("event:unreadable does not find it: %v", err)
	}
	obj, line := writeLine(t, e)
	if obj["event"] != "unreadable" || obj["body"] != "still here" ||
		!reflect.DeepEqual(obj["headers"], map[string]any{"x-unreadable": "consume of a message the client cannot read whole: too deep"}) {
		t.Errorf("line = %s", line)
	}
}
