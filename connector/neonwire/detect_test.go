package neonwire

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestDecodeLabelsEveryKindOfBody gives each label its bodies, including
// the broken ones, and checks the value and the reason given.
func TestDecodeLabelsEveryKindOfBody(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	deep := `"` + strings.Repeat("[", maxDepth+1) + `"`
	cases := []struct {
		name, body string
		enc        Encoding
		repr       string // Repr of the value
		err        string // substring of Err, "" for none
	}{
		{"neon", b64(`"{'a': (1,)}"`), EncNeon, "{'a': (1,)}", ""},
		{"neon with blanks", "\n " + b64(`"[None]"`) + " \n", EncNeon, "[None]", ""},
		{"base64 JSON object", b64(`{"a": [true, null]}`), EncB64JSON, "{'a': [True, None]}", "base64 of a JSON object"},
		{"base64 JSON string, not a literal", b64(`"hello world"`), EncB64JSON, "'hello world'", `not a Python literal: line 1:1: name "hello"`},
		{"base64 JSON string nested too deep", b64(deep), EncB64JSON, "", "nesting deeper than 1000 levels"},
		{"plain JSON", `{"b": 1, "a": 2.0}`, EncJSON, "{'b': 1, 'a': 2.0}", ""},
		{"plain JSON number", "1234", EncJSON, "1234", ""},
		{"plain text", "hello, world", EncText, "'hello, world'", ""},
		{"text that is base64 of text", b64("hi there"), EncText, "'aGkgdGhlcmU='", ""},
		{"neon-looking base64 of broken JSON", b64(`"{'a': 1}`), EncText, "", "base64, but not JSON: line 1:1: unterminated string"},
		{"truncated neon", "InsnYSc6IDF9Ig", EncText, "'InsnYSc6IDF9Ig'", "not base64"},
		{"base64 of garbage", "AAEC/w==", EncText, "'AAEC/w=='", ""},
		{"empty", "", EncText, "''", "empty body"},
		{"invalid UTF-8", "ab\xffcd", EncBinary, "b'ab\\xffcd'", ""},
		{"NUL byte", "ab\x00cd", EncBinary, "b'ab\\x00cd'", ""},
	}
	for _, c := range cases {
		d := Decode([]byte(c.body))
		if d.Encoding != c.enc {
			t.Errorf("%s: labelled %s (%v), want %s", c.name, d.Encoding, d.Err, c.enc)
			continue
		}
		if c.repr != "" && Repr(d.Value) != c.repr {
			t.Errorf("%s: value %s, want %s", c.name, Repr(d.Value), c.repr)
		}
		switch {
		case c.err == "" && d.Err != nil:
			t.Errorf("%s: unexpected Err %v", c.name, d.Err)
		case c.err != "" && (d.Err == nil || !strings.Contains(d.Err.Error(), c.err)):
			t.Errorf("%s: Err = %v, want it to mention %q", c.name, d.Err, c.err)
		}
	}
}

// TestDecodeBinaryDoesNotAliasBody checks that changing the body afterwards
// does not change the decoded value.
func TestDecodeBinaryDoesNotAliasBody(t *testing.T) {
	body := []byte{0xff, 0x00}
	d := Decode(body)
	body[0] = 'x'
	if b := d.Value.([]byte); b[0] != 0xff {
		t.Error("binary value shares memory with the body")
	}
}
