package neonwire

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

// TestFromJSONKeepsOrderAndTypes checks key order, Python's handling of
// repeated keys, and the int/float split.
func TestFromJSONKeepsOrderAndTypes(t *testing.T) {
	cases := []struct{ json, repr string }{
		{`{"z": 1, "a": 2, "m": 3}`, `{'z': 1, 'a': 2, 'm': 3}`},
		{`{"a": 1, "b": 2, "a": 3}`, `{'a': 3, 'b': 2}`},
		{`[true, false, null]`, `[True, False, None]`},
		{`[1, -0, 1.0, 1e2, -1.5E-3, 0.1]`, `[1, 0, 1.0, 100.0, -0.0015, 0.1]`},
		{`123456789012345678901234567890`, `123456789012345678901234567890`},
		{`[NaN, Infinity, -Infinity, 1e400]`, `[nan, inf, -inf, inf]`},
		{` "a\"\\\/\b\f\n\r\tb\u00e9\ud83d\ude00" `, `'a"\\/\x08\x0c\n\r\tbé😀'`},
		{`"\ud800 lone"`, `'\ud800 lone'`},
		{`"\udc00\ud800"`, `'\udc00\ud800'`},
		{`"\ud800\u0041"`, `'\ud800A'`},
		{`{}`, `{}`},
		{`[]`, `[]`},
	}
	for _, c := range cases {
		v, err := FromJSON([]byte(c.json))
		if err != nil {
			t.Errorf("FromJSON(%s): %v", c.json, err)
			continue
		}
		if got := Repr(v); got != c.repr {
			t.Errorf("FromJSON(%s) = %s, want %s", c.json, got, c.repr)
		}
	}
	if v, _ := FromJSON([]byte(`9223372036854775808`)); v.(*big.Int).String() != "9223372036854775808" {
		t.Errorf("big int: %#v", v)
	}
	if v, _ := FromJSON([]byte(`-9223372036854775808`)); v != any(int64(-9223372036854775808)) {
		t.Errorf("min int64: %#v", v)
	}
}

// TestFromJSONErrorsSayWhereAndWhat pins messages and positions.
func TestFromJSONErrorsSayWhereAndWhat(t *testing.T) {
	cases := []struct{ src, pos, msg string }{
		{``, "1:1", "expected a JSON value, found end of input"},
		{"{\n  \"a\": 1\n  \"b\": 2}", "3:3", `expected ',' or '}' after object member, found '"'`},
		{`{'a': 1}`, "1:2", "expected a string key in double quotes, found '\\''"},
		{`[1,]`, "1:4", "expected a JSON value, found ']'"},
		{`{"a" 1}`, "1:6", "expected ':' after object key"},
		{`"abc`, "1:1", "unterminated string"},
		{"\"a\tb\"", "1:3", "control character U+0009 in string"},
		{`"\x"`, "1:2", `invalid escape 'x'`},
		{`"\u12"`, "1:2", `invalid \u escape`},
		{`01`, "1:2", "unexpected '1' after the JSON value"},
		{`1.`, "1:3", "expected a digit after '.'"},
		{`-`, "1:2", "expected a digit"},
		{`True`, "1:1", "expected a JSON value, found 'T'"},
		{"[1] x", "1:5", "unexpected 'x' after the JSON value"},
		{"\"\xff\"", "1:2", "invalid UTF-8 (byte 0xff)"},
		{strings.Repeat("[", maxDepth+1), "1:1001", "nesting deeper than 1000 levels"},
		{strings.Repeat("9", maxIntDigits+1), "1:1", "integer has more than 4300 digits"},
	}
	for _, c := range cases {
		_, err := FromJSON([]byte(c.src))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("FromJSON(%.40q) = %v, want a *SyntaxError", c.src, err)
			continue
		}
		if got := strings.TrimPrefix(strings.SplitN(se.Error(), ": ", 2)[0], "line "); got != c.pos || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("FromJSON(%.40q):\n got %v\nwant line %s: ...%s...", c.src, err, c.pos, c.msg)
		}
	}
}

// TestParseUserValueTakesJSONOrPython accepts both syntaxes and, when both
// fail, reports the error of the reading that got further.
func TestParseUserValueTakesJSONOrPython(t *testing.T) {
	ok := []struct{ src, repr string }{
		{`{"a": true, "b": [1, 2.5]}`, `{'a': True, 'b': [1, 2.5]}`},
		{`{'a': True, 'b': (1, b'x')}`, `{'a': True, 'b': (1, b'x')}`},
		{`  {"k": null}  `, `{'k': None}`},
	}
	for _, c := range ok {
		v, err := ParseUserValue(c.src)
		if err != nil || Repr(v) != c.repr {
			t.Errorf("ParseUserValue(%s) = %s, %v; want %s", c.src, Repr(v), err, c.repr)
		}
	}
	bad := []struct{ src, want string }{
		{`{'a': 1`, "not a valid Python literal: line 1:8: expected ',' or '}' after dict value"},
		{`{"a": true, "b": 2,}`, "not valid JSON: line 1:20: expected a string key in double quotes, found '}'"},
		{`{"a": true, "b" 2}`, "not valid JSON: line 1:17: expected ':' after object key"},
	}
	for _, c := range bad {
		_, err := ParseUserValue(c.src)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ParseUserValue(%s) error = %v, want %s...", c.src, err, c.want)
		}
	}
}
