package neonwire

import (
	"encoding/base64"
	"fmt"
	"sync"
	"unicode/utf8"

	"mqscope/internal/textsafe"
)

// Encode returns the Neon wire body for v, byte for byte what
// neon_mq_connector's dict_to_b64 produces:
// base64.b64encode(json.dumps(str(v)).encode('utf-8')). str() is repr() for
// every type but str, whose str() is the text itself: so Encode of a str
// sends that text as the literal, and Encode("{'a': 1}") is the body of the
// dict {'a': 1}.
func Encode(v Value) []byte {
	reprBuf, jsonBuf := getBuf(), getBuf()
	defer putBuf(reprBuf)
	defer putBuf(jsonBuf)
	if s, ok := v.(string); ok {
		*reprBuf = append((*reprBuf)[:0], s...)
	} else {
		*reprBuf = appendRepr((*reprBuf)[:0], v)
	}
	*jsonBuf = appendJSONASCII((*jsonBuf)[:0], *reprBuf)
	out := make([]byte, base64.StdEncoding.EncodedLen(len(*jsonBuf)))
	base64.StdEncoding.Encode(out, *jsonBuf)
	return out
}

// DecodeNeon reads a Neon wire body strictly, as b64_to_dict does:
// base64, then a JSON string, then a Python literal. Use it where a Neon body
// is required (request/reply); use Decode to label arbitrary bodies.
func DecodeNeon(body []byte) (Value, error) {
	d, err := decodeBase64Body(body)
	if err != nil {
		return nil, err
	}
	switch d.Encoding {
	case EncNeon:
		return d.Value, nil
	case EncPyExpr:
		return nil, fmt.Errorf("base64 JSON string holding a Python expression that b64_to_dict evaluates (%s), not a literal: mqscope reads literals only", d.Expr)
	}
	return nil, d.Err
}

// decodeBase64Body reads body as base64 and the layers under it
// (decodeBase64Payload): a plain Neon body the fast way (neonText), any
// other the general way, which says what is wrong with it. The error is
// unbase64's: the body is not base64.
func decodeBase64Body(body []byte) (Decoded, error) {
	if text, ok := neonText(body); ok {
		return decodeLiteralText(text), nil
	}
	buf := getBuf()
	defer putBuf(buf)
	raw, err := unbase64(buf, body)
	if err != nil {
		return Decoded{}, err
	}
	return decodeBase64Payload(raw), nil
}

// decodeBase64Payload reads the layers under the base64 of a body. It labels
// the payload neon (with the literal), pyexpr (with the text of an
// expression b64_to_dict's eval evaluates), b64json (with the JSON value,
// and Err saying why it is not Neon), or leaves Encoding empty, with Err,
// when the payload is not JSON.
func decodeBase64Payload(raw []byte) Decoded {
	j, err := parseJSONDoc(raw)
	if err != nil {
		return Decoded{Err: fmt.Errorf("base64, but not JSON: %w", err)}
	}
	src, ok := j.(string)
	if !ok {
		return Decoded{Encoding: EncB64JSON, Value: j, Err: notAJSONString(j)}
	}
	return decodeLiteralText(src)
}

// decodeLiteralText reads the text of a body's JSON string: a Python
// literal (neon), an expression b64_to_dict evaluates (pyexpr), or other
// text (b64json, with Err saying why it is not Neon).
func decodeLiteralText(src string) Decoded {
	v, err := parseLiteral(src, true)
	if err != nil {
		if kinds, exprErr := parseExpression(src); exprErr == nil && kinds != 0 {
			return Decoded{Encoding: EncPyExpr, Value: src, Expr: kinds.String()}
		}
		err = fmt.Errorf("base64 JSON string, but not a Python literal: %w", err)
		return Decoded{Encoding: EncB64JSON, Value: src, Err: err}
	}
	return Decoded{Encoding: EncNeon, Value: v}
}

// notAJSONString explains a base64 body holding JSON other than a string:
// a Neon service would eval it and fail.
func notAJSONString(j Value) error {
	return fmt.Errorf("base64 of a JSON %s, not of a JSON string holding a Python literal (Neon services cannot read it)", jsonKind(j))
}

// jsonKind names the JSON type a FromJSON value came from.
func jsonKind(v Value) string {
	switch v.(type) {
	case *Dict:
		return "object"
	case List:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "number"
}

// unbase64 decodes standard, padded base64, tolerating surrounding
// whitespace and line breaks, into *buf.
func unbase64(buf *[]byte, body []byte) ([]byte, error) {
	body = trimASCIISpace(body)
	n := base64.StdEncoding.DecodedLen(len(body))
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	n, err := decodeBase64((*buf)[:n], body)
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	return (*buf)[:n], nil
}

func trimASCIISpace(b []byte) []byte {
	for len(b) > 0 && isASCIISpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isASCIISpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// appendJSONASCII appends s as a JSON string literal exactly as Python's
// json.dumps writes it: short escapes for " \ \n \r \t \b \f, \u00XX for
// other control characters and DEL, \uXXXX (lowercase, surrogate pairs
// above U+FFFF) for everything outside ASCII, and a lone surrogate as its
// own \udXXX. Invalid UTF-8 is written as \ufffd.
func appendJSONASCII(dst, s []byte) []byte {
	dst = append(dst, '"')
	run := 0
	for i := plainRunEnd(s, 0, '"', '\\'); i < len(s); i = plainRunEnd(s, i, '"', '\\') {
		dst = append(dst, s[run:i]...)
		if c := s[i]; c < utf8.RuneSelf {
			dst = textsafe.AppendJSONEscape(dst, c)
			i++
		} else {
			r, size := decodePyRune(s, i)
			dst = textsafe.AppendJSONRune(dst, r)
			i += size
		}
		run = i
	}
	return append(append(dst, s[run:]...), '"')
}

// Buffers for Encode and Decode are pooled: a busy inspector encodes and
// decodes every message it shows, and the intermediate texts are as large
// as the bodies. Buffers grown past maxPooled are dropped rather than kept.
const maxPooled = 4 << 20

var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 512)
	return &b
}}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= maxPooled {
		bufPool.Put(b)
	}
}
