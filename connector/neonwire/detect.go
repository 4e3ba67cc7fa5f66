package neonwire

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// Encoding labels what a message body turned out to be.
type Encoding string

// The labels Decode gives, from most to least structured.
const (
	EncNeon Encoding = "neon" // base64 of a JSON string holding a Python literal
	// EncPyExpr is base64 of a JSON string holding a Python expression that
	// b64_to_dict's eval evaluates but that is not a literal mqscope reads:
	// a complex number, Ellipsis, range(...), bytearray(...). Neon
	// services accept it. Decoded.Expr names what it holds.
	EncPyExpr  Encoding = "pyexpr"
	EncB64JSON Encoding = "b64json" // base64 of other JSON
	EncJSON    Encoding = "json"    // plain JSON
	EncText    Encoding = "text"    // UTF-8 text that is none of the above
	EncBinary  Encoding = "binary"  // anything else
)

// Decoded is a labelled body.
type Decoded struct {
	Encoding Encoding
	// Value is the decoded value: the Python literal (neon), the expression's
	// text (pyexpr), the JSON value (b64json, json; a JSON string that is
	// not a Python literal stays a string), the text (text) or a copy of
	// the bytes (binary).
	Value Value
	// Expr names the expressions a pyexpr body holds, as "complex number",
	// "Ellipsis", "range()" or "bytearray()", joined by ", "; else "".
	Expr string
	// Err says why a body that looked like an attempt at Neon is not one,
	// such as a base64 JSON string that is not a valid literal; nil when
	// the body is Neon or does not resemble it.
	Err error
}

// Label describes what the body is in a few words, for people: "Neon
// body", "Python expression b64_to_dict evaluates (complex number)",
// "base64 JSON, not Neon-encoded: real Neon services reject it", ...
func (d Decoded) Label() string {
	switch d.Encoding {
	case EncNeon:
		return "Neon body"
	case EncPyExpr:
		return "Python expression b64_to_dict evaluates (" + d.Expr + ")"
	case EncB64JSON:
		return "base64 JSON, not Neon-encoded: real Neon services reject it"
	case EncJSON:
		return "JSON, not Neon-encoded: real Neon services reject it"
	case EncText:
		return "text, not Neon-encoded"
	}
	return "binary, not Neon-encoded"
}

// Decode labels and decodes a message body. It never fails: a body that is
// not Neon is shown for what it is. Detection tries, in order, base64 (of a
// JSON string holding a Python literal or an expression b64_to_dict
// evaluates, or of other JSON), plain JSON, UTF-8 text without NUL bytes,
// and binary.
func Decode(body []byte) Decoded {
	if len(body) == 0 {
		return Decoded{Encoding: EncText, Value: "", Err: errors.New("empty body")}
	}
	var why error
	d, err := decodeBase64Body(body)
	if err == nil {
		if d.Encoding != "" {
			return d
		}
		err = d.Err
	}
	if looksNeon(body) {
		why = err
	}
	if v, err := FromJSON(body); err == nil {
		return Decoded{Encoding: EncJSON, Value: v}
	}
	if utf8.Valid(body) && bytes.IndexByte(body, 0) < 0 {
		return Decoded{Encoding: EncText, Value: string(body), Err: why}
	}
	return Decoded{Encoding: EncBinary, Value: bytes.Clone(body), Err: why}
}

// looksNeon reports whether a body that failed to decode was probably
// meant as Neon, so that the reason it failed is worth showing: Neon bodies
// start with "I" (the base64 of the JSON string's opening quote) and hold
// only base64 characters. Other text that happens to be valid base64, such
// as a short word, is just text.
func looksNeon(body []byte) bool {
	body = trimASCIISpace(body)
	if len(body) < 4 || body[0] != 'I' {
		return false
	}
	for _, c := range body {
		if !isBase64Char(c) && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func isBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}
