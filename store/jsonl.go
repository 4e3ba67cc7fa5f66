package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// jsonLine is the object `mqscope tail` and `mqscope export` print per
// message; field order is the order of the keys on the line.
type jsonLine struct {
	Seq          uint64                `json:"seq"`
	Time         string                `json:"time"`
	VHost        string                `json:"vhost"`
	Exchange     string                `json:"exchange"`
	RoutingKey   string                `json:"routing_key"`
	Queue        string                `json:"queue"`
	Event        connector.Event       `json:"event"`
	Mode         connector.Mode        `json:"mode"`
	Properties   *connector.Properties `json:"properties,omitempty"`
	Headers      map[string]any        `json:"headers,omitempty"`
	Body         json.RawMessage       `json:"body"`
	Encoding     neonwire.Encoding     `json:"encoding"`
	BodyB64      string                `json:"body_b64,omitempty"`
	DecodeError  string                `json:"decode_error,omitempty"`
	MessageID    string                `json:"message_id,omitempty"`
	Redelivered  bool                  `json:"redelivered,omitempty"`
	Pair         *jsonPair             `json:"pair,omitempty"`
	Unroutable   bool                  `json:"unroutable,omitempty"`
	RoutedQueues []string              `json:"routed_queues,omitempty"`
}

// jsonPair describes the pairing of the line's message: seq is the other
// side, role is this message's own role.
type jsonPair struct {
	Seq       uint64  `json:"seq"`
	LatencyMS float64 `json:"latency_ms"`
	Role      string  `json:"role"`
}

// WriteJSONLine writes e as one JSON object followed by a newline.
func WriteJSONLine(w io.Writer, e Entry) error {
	line := append(MarshalJSONLine(e), '\n')
	_, err := w.Write(line)
	return err
}

// MarshalJSONLine renders e as one JSON object on one line, without the
// trailing newline. Keys: seq, time (RFC 3339, UTC), vhost, exchange,
// routing_key, queue, event, mode, properties and headers (when not empty),
// body (the decoded value as JSON; a string for text; null for binary),
// encoding, body_b64 (binary only), decode_error, message_id, redelivered,
// pair {seq, latency_ms, role}, unroutable and routed_queues (when set).
// Header values become JSON-safe: bytes as {"$bytes": base64}, times as
// RFC 3339 strings, non-finite floats as "inf"/"-inf"/"nan".
func MarshalJSONLine(e Entry) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toJSONLine(e)); err != nil {
		// Every value was made JSON-safe above, so this is a defect; the
		// line still says what went wrong rather than vanishing.
		msg, _ := json.Marshal(err.Error())
		return fmt.Appendf(nil, `{"seq":%d,"error":%s}`, e.Seq, msg)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func toJSONLine(e Entry) jsonLine {
	m := &e.Msg
	l := jsonLine{
		Seq:          e.Seq,
		Time:         m.Time.UTC().Format(time.RFC3339Nano),
		VHost:        m.VHost,
		Exchange:     m.Exchange,
		RoutingKey:   m.RoutingKey,
		Queue:        m.Queue,
		Event:        m.Event,
		Mode:         m.Mode,
		Encoding:     e.Decoded.Encoding,
		MessageID:    e.MessageID,
		Redelivered:  m.Redelivered,
		Unroutable:   m.Unroutable,
		RoutedQueues: m.RoutedQueues,
		Body:         jsonBody(e.Decoded),
	}
	if m.Properties != (connector.Properties{}) {
		l.Properties = &m.Properties
	}
	if len(m.Headers) > 0 {
		l.Headers = jsonSafeMap(m.Headers)
	}
	if e.Decoded.Encoding == neonwire.EncBinary {
		l.BodyB64 = base64.StdEncoding.EncodeToString(m.Body)
	}
	if e.Decoded.Err != nil {
		l.DecodeError = e.Decoded.Err.Error()
	}
	if p := e.Pair; p != nil {
		role := "request"
		if p.IsReply {
			role = "reply"
		}
		l.Pair = &jsonPair{Seq: p.Seq, LatencyMS: float64(p.Latency) / float64(time.Millisecond), Role: role}
	}
	return l
}

// jsonBody renders the body as the line's body value: the decoded value
// (for text, the string), or null for binary, which body_b64 carries.
func jsonBody(d neonwire.Decoded) json.RawMessage {
	if d.Encoding == neonwire.EncBinary {
		return json.RawMessage("null")
	}
	return neonwire.ToJSON(d.Value)
}

func jsonSafeMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = jsonSafe(v)
	}
	return out
}

// jsonSafe converts a header value into something encoding/json renders
// without error and without losing bytes.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return x
	case float64:
		return jsonFloat(x)
	case float32:
		return jsonFloat(float64(x))
	case []byte:
		return map[string]any{"$bytes": base64.StdEncoding.EncodeToString(x)}
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case map[string]any:
		return jsonSafeMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	}
	return jsonSafeReflect(v)
}

// jsonSafeReflect handles the container types a header converter might
// produce besides the plain ones (typed maps and slices); anything else is
// shown as its Go formatting.
func jsonSafeReflect(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			out[it.Key().String()] = jsonSafe(it.Value().Interface())
		}
		return out
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = jsonSafe(rv.Index(i).Interface())
		}
		return out
	}
	return fmt.Sprint(v)
}

// jsonFloat maps non-finite floats to the strings mqscope uses for them.
func jsonFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return f
}
