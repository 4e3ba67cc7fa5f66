package neonwire

import (
	"math"
	"testing"
)

// TestReprFloatUsesPythonLayout pins float repr: shortest round-trip digits,
// fixed notation from 1e-4 up to below 1e16, exponent form outside it.
func TestReprFloatUsesPythonLayout(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {1, "1.0"}, {-2.5, "-2.5"}, {0.1, "0.1"},
		{1e-4, "0.0001"}, {1e-5, "1e-05"}, {1e-7, "1e-07"}, {1.5e-7, "1.5e-07"},
		{1e15, "1000000000000000.0"}, {9999999999999998, "9999999999999998.0"},
		{1e16, "1e+16"}, {1.2345678901234568e17, "1.2345678901234568e+17"},
		{1e22, "1e+22"}, {1.5e300, "1.5e+300"}, {5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {1.0 / 3, "0.3333333333333333"},
		{123456.789, "123456.789"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
	}
	for _, c := range cases {
		if got := Repr(c.f); got != c.want {
			t.Errorf("Repr(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}

// TestReprStrChoosesQuotesAsPython pins the quote rule: single quotes
// unless the text has a single quote and no double quote.
func TestReprStrChoosesQuotesAsPython(t *testing.T) {
	cases := map[string]string{
		``:              `''`,
		`plain`:         `'plain'`,
		`it's`:          `"it's"`,
		`say "hi"`:      `'say "hi"'`,
		`both ' and "`:  `'both \' and "'`,
		"tab\tnl\ncr\r": `'tab\tnl\ncr\r'`,
		"\x00\x1b\x7f":  `'\x00\x1b\x7f'`,
		`back\slash`:    `'back\\slash'`,
		"\u00a0\u00e9":  `'\xa0é'`,
		"\u200b\u2028":  `'\u200b\u2028'`,
		"\U000e0001😀":   `'\U000e0001😀'`,
		"bad\xffutf8":   "'bad\uFFFDutf8'",
	}
	for s, want := range cases {
		if got := Repr(s); got != want {
			t.Errorf("Repr(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestReprContainersAsPython covers the forms that differ by size.
func TestReprContainersAsPython(t *testing.T) {
	cases := []struct {
		v    Value
		want string
	}{
		{Tuple{}, "()"},
		{Tuple{"x"}, "('x',)"},
		{Tuple{int64(1), int64(2)}, "(1, 2)"},
		{Set{}, "set()"},
		{Set{int64(1)}, "{1}"},
		{FrozenSet{}, "frozenset()"},
		{FrozenSet{int64(1), int64(2)}, "frozenset({1, 2})"},
		{&Dict{}, "{}"},
		{(*Dict)(nil), "{}"},
		{List{nil, true, false, []byte("'\"")}, `[None, True, False, b'\'"']`},
		{&Dict{Items: []Item{{Key: Tuple{int64(1)}, Value: List{}}}}, "{(1,): []}"},
		{BigInt("-123456789012345678901234567890"), "-123456789012345678901234567890"},
	}
	for _, c := range cases {
		if got := Repr(c.v); got != c.want {
			t.Errorf("Repr(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}

// TestReprAcceptsOtherGoTypes checks that Go values built by hand print as
// the Python value they stand for.
func TestReprAcceptsOtherGoTypes(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{200, "200"},
		{uint64(math.MaxUint64), "18446744073709551615"},
		{float32(0.5), "0.5"},
		{[]any{1, "a"}, "[1, 'a']"},
		{map[string]any{"b": 2, "a": 1}, "{'a': 1, 'b': 2}"},
		{Dict{Items: []Item{{Key: "k", Value: int8(-1)}}}, "{'k': -1}"},
		{struct{ X int }{1}, "'{1}'"},
	}
	for _, c := range cases {
		if got := Repr(c.v); got != c.want {
			t.Errorf("Repr(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}
