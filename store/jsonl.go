package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"mqscope/capture"

	"mqscope/connector/neonwire"
	"mqscope/internal/textsafe"
)

// The line is appended by hand rather than through encoding/json's
// reflection: for `mqscope tail` at broker speed, encoding/json spent as much
// CPU per message as decoding and storing it (about 8 µs, against 2 µs by
// hand, for a 200-byte Neon body). The output is encoding/json's byte for
// byte (TestJSONLineEqualsEncodingJSON), apart from the characters that
// must not reach a terminal raw (textsafe.EscapeAt: C1 controls, bidi and
// zero-width characters…), which the line escapes too: its strings as they
// are written, the body in neonwire.ToJSON, the properties and headers
// (rarer and free-form, and still rendered by encoding/json, except
// headers of plain strings: appendPlainHeaders) afterwards
// (escapeTerminalUnsafe). The escapes themselves are textsafe's, shared
// with neonwire's JSON writers.

// linePool recycles the buffers WriteJSONLine renders into.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledLine keeps a rare huge line's buffer out of the pool.
const maxPooledLine = 64 << 10

// streamB64Over is the body length past which WriteJSONLine writes
// body_b64 straight to the writer instead of into the line: the base64 of a
// 50 MB body would be a 67 MB buffer.
const streamB64Over = 64 << 10

// WriteJSONLine writes e as one JSON object followed by a newline.
func WriteJSONLine(w io.Writer, e Entry) error {
	if hasB64(e.Decoded) && len(e.Msg.Body) > streamB64Over {
		return writeStreamedLine(w, e)
	}
	bp := linePool.Get().(*[]byte)
	line := append(appendJSONLine((*bp)[:0], e), '\n')
	_, err := w.Write(line)
	if cap(line) <= maxPooledLine {
		*bp = line[:0]
		linePool.Put(bp)
	}
	return err
}

// writeStreamedLine writes the line of a long body given as body_b64 in
// three parts: the keys before it, the base64 encoded on the way out, and
// the rest.
func writeStreamedLine(w io.Writer, e Entry) error {
	head, ok := appendJSONHead(nil, e)
	if !ok {
		_, err := w.Write(append(head, '\n'))
		return err
	}
	if _, err := w.Write(append(head, `,"body_b64":"`...)); err != nil {
		return err
	}
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := enc.Write(e.Msg.Body); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := w.Write(append(appendJSONLineTail([]byte{'"'}, e), '\n'))
	return err
}

// MarshalJSONLine renders e as one JSON object on one line, without the
// trailing newline. Keys: seq, time (RFC 3339, UTC), vhost, exchange,
// routing_key, queue, event, mode, properties and headers (when not empty),
// body (the decoded value as JSON; a string for text; null for binary and
// undecoded), encoding, body_b64 (binary and undecoded only: the body's
// bytes), decode_error, message_id, redelivered,
// pair {seq, latency_ms, role}, unroutable and routed_queues (when set).
// Header values become JSON-safe (HeaderJSON).
func MarshalJSONLine(e Entry) []byte {
	return appendJSONLine(nil, e)
}

// appendJSONLine appends the line of MarshalJSONLine to b.
func appendJSONLine(b []byte, e Entry) []byte {
	if e.Msg.Event == capture.EventVerdict {
		return appendVerdictLine(b, e)
	}
	b, ok := appendJSONHead(b, e)
	if !ok {
		return b
	}
	if hasB64(e.Decoded) {
		b = append(b, `,"body_b64":"`...)
		b = append(base64.StdEncoding.AppendEncode(b, e.Msg.Body), '"')
	}
	return appendJSONLineTail(b, e)
}

// hasB64 reports whether the line gives the body as body_b64: when it is
// binary, or was not decoded.
func hasB64(d neonwire.Decoded) bool {
	return d.Encoding == neonwire.EncBinary || d.Encoding == EncUndecoded
}

// appendJSONHead appends the keys up to encoding. When they cannot be
// rendered, it appends the error line instead, and ok is false.
func appendJSONHead(b []byte, e Entry) (_ []byte, ok bool) {
	m := &e.Msg
	start := len(b)
	b = strconv.AppendUint(append(b, `{"seq":`...), e.Seq, 10)
	b = append(b, `,"time":"`...)
	b = append(m.Time.UTC().AppendFormat(b, time.RFC3339Nano), '"')
	b = appendJSONString(append(b, `,"vhost":`...), m.VHost)
	b = appendJSONString(append(b, `,"exchange":`...), m.Exchange)
	b = appendJSONString(append(b, `,"routing_key":`...), m.RoutingKey)
	b = appendJSONString(append(b, `,"queue":`...), m.Queue)
	b = appendJSONString(append(b, `,"event":`...), string(m.Event))
	b = appendJSONString(append(b, `,"mode":`...), string(m.Mode))
	var err error
	if m.Properties != (capture.Properties{}) {
		if b, err = appendMarshaled(append(b, `,"properties":`...), m.Properties); err != nil {
			return errorLine(b[:start], e.Seq, err), false
		}
	}
	if len(m.Headers) > 0 {
		if b, err = appendHeaders(append(b, `,"headers":`...), m.Headers); err != nil {
			return errorLine(b[:start], e.Seq, err), false
		}
	}
	b = appendJSONBody(append(b, `,"body":`...), e.Decoded)
	return appendJSONString(append(b, `,"encoding":`...), string(e.Decoded.Encoding)), true
}

// appendJSONLineTail appends the optional keys after body_b64 and closes
// the object.
func appendJSONLineTail(b []byte, e Entry) []byte {
	m := &e.Msg
	if e.Decoded.Err != nil {
		b = appendJSONString(append(b, `,"decode_error":`...), e.Decoded.Err.Error())
	}
	if e.MessageID != "" {
		b = appendJSONString(append(b, `,"message_id":`...), e.MessageID)
	}
	if m.Redelivered {
		b = append(b, `,"redelivered":true`...)
	}
	if p := e.Pair; p != nil {
		role := `"request"`
		if p.IsReply {
			role = `"reply"`
		}
		b = strconv.AppendUint(append(b, `,"pair":{"seq":`...), p.Seq, 10)
		// A latency is whole nanoseconds: in milliseconds 0, or from 1e-6
		// to below 1e13, where encoding/json writes plain decimals too.
		b = strconv.AppendFloat(append(b, `,"latency_ms":`...), float64(p.Latency)/float64(time.Millisecond), 'f', -1, 64)
		b = append(append(append(b, `,"role":`...), role...), '}')
	}
	if m.Unroutable {
		b = append(b, `,"unroutable":true`...)
	}
	if len(m.RoutedQueues) > 0 {
		b = append(b, `,"routed_queues":[`...)
		for i, q := range m.RoutedQueues {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, q)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendJSONBody appends the body as the line's body value: the decoded
// value (for text, the string), or null when body_b64 carries the body.
func appendJSONBody(b []byte, d neonwire.Decoded) []byte {
	if hasB64(d) {
		return append(b, "null"...)
	}
	return neonwire.AppendJSON(b, d.Value)
}

// appendMarshaled appends v as encoding/json renders it, HTML characters
// unescaped, and what must not reach a terminal raw escaped.
func appendMarshaled(b []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, escapeTerminalUnsafe(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))...), nil
}

// maxPlainHeaders is the most headers appendPlainHeaders sorts on the
// stack; a longer table goes through encoding/json.
const maxPlainHeaders = 8

// appendHeaders appends the headers as an object, keys sorted, as
// appendMarshaled renders jsonSafeMap(h).
func appendHeaders(b []byte, h map[string]any) ([]byte, error) {
	if out, ok := appendPlainHeaders(b, h); ok {
		return out, nil
	}
	return appendMarshaled(b, jsonSafeMap(h))
}

// appendPlainHeaders appends h when every key and value is a UTF-8 string,
// which JSON writes as appendJSONString does, and reports whether it did.
// Every firehose message has such headers (the tracer's user, connection
// and node), and through encoding/json they cost a third of the line's
// time.
func appendPlainHeaders(b []byte, h map[string]any) ([]byte, bool) {
	if len(h) > maxPlainHeaders {
		return b, false
	}
	var stack [maxPlainHeaders][2]string
	pairs := stack[:0]
	for k, v := range h {
		s, ok := v.(string)
		if !ok || !utf8.ValidString(k) || !utf8.ValidString(s) {
			return b, false // jsonSafe makes a string that is not UTF-8 a $str
		}
		pairs = append(pairs, [2]string{k, s})
	}
	// encoding/json sorts map keys
	slices.SortFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	b = append(b, '{')
	for i, kv := range pairs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSONString(b, kv[0]), ':')
		b = appendJSONString(b, kv[1])
	}
	return append(b, '}'), true
}

// errorLine replaces a line that could not be rendered. Every value is made
// JSON-safe first, so this is a defect; the line still says what went wrong
// rather than vanishing.
func errorLine(b []byte, seq uint64, err error) []byte {
	b = strconv.AppendUint(append(b, `{"seq":`...), seq, 10)
	return append(appendJSONString(append(b, `,"error":`...), err.Error()), '}')
}

// appendJSONString appends s as a JSON string the way encoding/json writes
// it with HTML escaping off: quote, backslash and control characters
// escaped (\b \f \n \r \t by name), invalid UTF-8 as \ufffd, and U+2028
// and U+2029 escaped because JavaScript reads them as line ends. Unlike
// encoding/json it also escapes the other characters that must not reach a
// terminal raw (textsafe.EscapeAt: C1 controls, bidi, zero-width…).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	plain := 0 // start of the run not yet appended
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = textsafe.AppendJSONEscape(append(b, s[plain:i]...), c)
			i++
			plain = i
			continue
		}
		r, size, escape := textsafe.EscapeAt(s, i)
		switch {
		case r == utf8.RuneError && size == 1:
			b = textsafe.AppendJSONRune(append(b, s[plain:i]...), utf8.RuneError)
		case escape: // U+2028 and U+2029 among them
			b = textsafe.AppendJSONRune(append(b, s[plain:i]...), r)
		default:
			i += size
			continue
		}
		i += size
		plain = i
	}
	return append(append(b, s[plain:]...), '"')
}

func jsonSafeMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = jsonSafe(v)
	}
	return out
}

// HeaderJSON is one header value as JSON lines write it: bytes as
// {"$bytes": base64}, a string that is not UTF-8 as {"$str": base64 of its
// bytes}, times as RFC 3339 strings in UTC (outside years 0-9999, as their
// raw number of seconds: capture.TimeJSON), non-finite floats as
// "inf"/"-inf"/"nan", tables as objects, arrays as arrays.
func HeaderJSON(v any) []byte {
	b, err := appendMarshaled(nil, jsonSafe(v))
	if err != nil { // jsonSafe leaves nothing encoding/json refuses
		return []byte("null")
	}
	return b
}

// jsonSafe converts a header value into something encoding/json renders
// without error and without losing bytes.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			// encoding/json would replace the bytes that are not UTF-8.
			return map[string]any{"$str": base64.StdEncoding.EncodeToString([]byte(x))}
		}
		return x
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return x
	case float64:
		return jsonFloat(x)
	case float32:
		return jsonFloat(float64(x))
	case []byte:
		return map[string]any{"$bytes": base64.StdEncoding.EncodeToString(x)}
	case time.Time:
		return capture.TimeJSON(x)
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
