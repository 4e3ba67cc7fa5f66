package neonwire

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

// TestParseLiteralReadsWhatLiteralEvalReads pins inputs to the repr Python
// prints for ast.literal_eval of them (checked with python3 3.11).
func TestParseLiteralReadsWhatLiteralEvalReads(t *testing.T) {
	cases := []struct{ src, repr string }{
		{`{'a': 1, 'b': [1, 2]}`, `{'a': 1, 'b': [1, 2]}`},
		{`{"a":1,"b":{"c":None}}`, `{'a': 1, 'b': {'c': None}}`},
		{`()`, `()`},
		{`('x',)`, `('x',)`},
		{`(1)`, `1`},
		{`((1,))`, `(1,)`},
		{`(1, 2,)`, `(1, 2)`},
		{`[1,]`, `[1]`},
		{`{1: 2,}`, `{1: 2}`},
		{`{1,}`, `{1}`},
		{`set()`, `set()`},
		{`set ( )`, `set()`},
		{`frozenset()`, `frozenset()`},
		{`frozenset({1, 2})`, `frozenset({1, 2})`},
		{`frozenset([1, 1, 2],)`, `frozenset({1, 2})`},
		{`{frozenset((3,)): set([4])}`, `{frozenset({3}): {4}}`},
		{`'a' "b" '''c'''`, `'abc'`},
		{"['a'\n 'b']", `['ab']`},
		{"'''a\r\nb\rc'''", `'a\nb\nc'`},
		{`r'\n\''`, `"\\n\\'"`},
		{`b'\x89PNG\r\n'`, `b'\x89PNG\r\n'`},
		{`rb'\''`, `b"\\'"`},
		{`Rb"x" bR'y'`, `b'xy'`},
		{`u'x'`, `'x'`},
		{`'\101\x41\u0041\U00000041'`, `'AAAA'`},
		{`'\777'`, `'ǿ'`},
		{`b'\777\400'`, `b'\xff\x00'`},
		{`'\d\8'`, `'\\d\\8'`},
		{`b'\u1234'`, `b'\\u1234'`},
		{"'a\\\nb'", `'ab'`},
		{`"\a\b\f\v\0"`, `'\x07\x08\x0c\x0b\x00'`},
		{`'\ud800'`, `'\ud800'`},
		{`'\ud83d\ude00'`, `'\ud83d\ude00'`},
		{`0x_1f`, `31`},
		{`0o17`, `15`},
		{`0B1_0`, `2`},
		{`1_000`, `1000`},
		{`00`, `0`},
		{`+1`, `1`},
		{`- 1`, `-1`},
		{`-(1)`, `-1`},
		{`-9223372036854775808`, `-9223372036854775808`},
		{`18446744073709551616`, `18446744073709551616`},
		{`0xffffffffffffffffff`, `4722366482869645213695`},
		{`-0.0`, `-0.0`},
		{`.5`, `0.5`},
		{`5.`, `5.0`},
		{`1e-07`, `1e-07`},
		{`1E5`, `100000.0`},
		{`1_0.5_0e1_0`, `105000000000.0`},
		{`01.5`, `1.5`},
		{`1e400`, `inf`},
		{`[inf, -inf, +inf, nan, -nan]`, `[inf, -inf, inf, nan, nan]`},
		{`(True, False, None)`, `(True, False, None)`},
		{"[1, # one\n 2]", `[1, 2]`},
		{"\n  {1: 2}  # trailing\n\n", `{1: 2}`},
		{"[1, \\\n 2]", `[1, 2]`},
		{`{1: 'a', 1.0: 'b', True: 'c'}`, `{1: 'c'}`},
		{`{1, 1.0, True}`, `{1}`},
		{`{0: 1, -0.0: 2, False: 3}`, `{0: 3}`},
		{`{(1, 2): 1, (1.0, 2): 2}`, `{(1, 2): 2}`},
		{`{frozenset({1, 2}): 1, frozenset({2, 1}): 2}`, `{frozenset({1, 2}): 2}`},
		{`{'a': 1, b'a': 2}`, `{'a': 1, b'a': 2}`},
		{`{18446744073709551616: 'a', 1.8446744073709552e19: 'b', -18446744073709551616: 'c', -1.8446744073709552e19: 'd'}`,
			`{18446744073709551616: 'b', -18446744073709551616: 'd'}`},
		{`{-9223372036854775808: 'a', -9.223372036854776e18: 'b', 9223372036854775807: 'x', 9.223372036854776e18: 'y'}`,
			`{-9223372036854775808: 'b', 9223372036854775807: 'x', 9.223372036854776e+18: 'y'}`},
		{`{(1,): 1, (1.0,): 2, frozenset({(1, 2.0)}): 3, frozenset({(1.0, 2)}): 4}`, `{(1,): 2, frozenset({(1, 2.0)}): 4}`},
		{`{1e300: 'x', 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160: 'y'}`, `{1e+300: 'y'}`},
	}
	for _, c := range cases {
		v, err := ParseLiteral(c.src)
		if err != nil {
			t.Errorf("ParseLiteral(%q): %v", c.src, err)
			continue
		}
		if got := Repr(v); got != c.repr {
			t.Errorf("ParseLiteral(%q) = %s, want %s", c.src, got, c.repr)
		}
	}
}

// TestParseLiteralIntTypes checks the Value model: int64 when it fits,
// *big.Int only when it does not.
func TestParseLiteralIntTypes(t *testing.T) {
	for src, want := range map[string]Value{
		"9223372036854775807":  int64(math.MaxInt64),
		"-9223372036854775808": int64(math.MinInt64),
		"9223372036854775808":  BigInt("9223372036854775808"),
		"-0x8000000000000001":  BigInt("-9223372036854775809"),
	} {
		v, err := ParseLiteral(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		switch w := want.(type) {
		case int64:
			if v != w {
				t.Errorf("%s = %#v, want int64 %d", src, v, w)
			}
		case *big.Int:
			if b, ok := v.(*big.Int); !ok || b.Cmp(w) != 0 {
				t.Errorf("%s = %#v, want *big.Int %s", src, v, w)
			}
		}
	}
}

// TestParseLiteralErrorsSayWhereAndWhat pins the message and position of
// each kind of mistake.
func TestParseLiteralErrorsSayWhereAndWhat(t *testing.T) {
	cases := []struct{ src, pos, msg string }{
		{``, "1:1", "expected a value, found end of input"},
		{`{'a': 1`, "1:8", `expected ',' or '}' after dict value, found end of input (bracket opened at line 1:1)`},
		{`[1 2]`, "1:4", `expected ',' or ']' after list item, found '2'`},
		{`{'a' 1}`, "1:6", `expected ':' (dict), ',' or '}' (set) after the first element`},
		{`{'a': 1 'b': 2}`, "1:9", `expected ',' or '}' after dict value, found '\''`},
		{"[1,\n 2,\n x]", "3:2", `name "x" is not a Python literal`},
		{`'abc`, "1:1", "unterminated string literal"},
		{"'a\nb'", "1:1", "the line ends before the closing quote"},
		{`"""abc`, "1:1", "unterminated triple-quoted string literal"},
		{`'\x4'`, "1:2", `truncated \x escape`},
		{`'\N{DASH}'`, "1:2", `\N{...} named escapes are not supported`},
		{`'\U00110000'`, "1:2", "illegal Unicode character"},
		{`b'é'`, "1:3", "bytes can only contain ASCII literal characters"},
		{`'a' b'b'`, "1:5", "cannot mix bytes and nonbytes literals"},
		{`f'x'`, "1:1", "f-strings are expressions, not literals"},
		{`ub'x'`, "1:1", `invalid string prefix "ub"`},
		{`{"a": true}`, "1:7", "true is JSON, not Python: write True, False or None"},
		{`01`, "1:1", "leading zeros in decimal integer literals are not permitted"},
		{`1__0`, "1:2", "'_' must separate two digits"},
		{`0b12`, "1:4", "invalid digit '2' in binary literal"},
		{`0x`, "1:1", "invalid hexadecimal literal: no digits"},
		{`1e`, "1:3", "expected exponent digits"},
		{`1j`, "1:1", "complex numbers are not supported"},
		{`--1`, "1:2", "expected a number after the sign, found '-'"},
		{`-'a'`, "1:2", "expected a number after the sign"},
		{`1 2`, "1:3", "unexpected '2' after the value"},
		{"1\n2", "2:1", "unexpected '2' after the value"},
		{`{[1]: 2}`, "1:2", "unhashable type: 'list'"},
		{`{1, {2}}`, "1:5", "unhashable type: 'set'"},
		{`{(1, [2]): 3}`, "1:2", "unhashable type: 'list'"},
		{`set`, "1:1", "set is only a literal when called"},
		{`frozenset('ab')`, "1:11", "frozenset() argument must be a list, tuple or set literal, not str"},
		{"[1, \x00]", "1:5", "NUL byte"},
		{"'\xff'", "1:2", "invalid UTF-8 (byte 0xff)"},
		{"'é' x", "1:5", "unexpected 'x' after the value"},
		{strings.Repeat("1", maxIntDigits+1), "1:1", "integer literal has 4301 digits; Python accepts at most 4300"},
		{"0x" + strings.Repeat("f", 3574), "1:1", "integer literal is too large: Python cannot print ints of more than 4300 digits"},
		{strings.Repeat("[", maxDepth+1), "1:1001", "nesting deeper than 1000 levels"},
		{strings.Repeat("(", 1_000_000), "1:1001", "nesting deeper than 1000 levels"},
		{"-" + strings.Repeat("(", maxDepth+1) + "1", "1:1002", "nesting deeper than 1000 levels"},
	}
	for _, c := range cases {
		_, err := ParseLiteral(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseLiteral(%.40q) = %v, want a *SyntaxError", c.src, err)
			continue
		}
		if got := strings.TrimPrefix(strings.SplitN(se.Error(), ": ", 2)[0], "line "); got != c.pos || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("ParseLiteral(%.40q):\n got %v\nwant line %s: ...%s...", c.src, err, c.pos, c.msg)
		}
	}
}

// TestParseLiteralAcceptsMaxDepth checks that nesting up to the limit works.
func TestParseLiteralAcceptsMaxDepth(t *testing.T) {
	src := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := ParseLiteral(src); err != nil {
		t.Fatalf("%d nested lists: %v", maxDepth, err)
	}
	for _, src := range []string{strings.Repeat("9", maxIntDigits), "-0x" + strings.Repeat("f", 3570)} {
		if _, err := ParseLiteral(src); err != nil {
			t.Fatalf("ParseLiteral(%.20s...): %v", src, err)
		}
	}
}

// TestParseLiteralEveryPrefixFailsCleanly cuts each golden literal at every
// byte: each prefix either parses or returns a *SyntaxError.
func TestParseLiteralEveryPrefixFailsCleanly(t *testing.T) {
	for _, e := range loadGolden(t) {
		if len(e.Repr) > 4000 {
			continue
		}
		for i := range len(e.Repr) {
			_, err := ParseLiteral(e.Repr[:i])
			var se *SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("%s cut at %d: %T %v", e.Name, i, err, err)
			}
		}
	}
}
