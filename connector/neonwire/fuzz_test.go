package neonwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"
)

// fuzzLiterals are seeds for the literal fuzzers besides the golden reprs.
var fuzzLiterals = []string{
	``, `{`, `{'a': 1,}`, `(1,)`, `((((1))))`, `-(1)`, `--1`, `{1, 1.0, True}`, `frozenset([1, (2, 3)])`,
	`'\x4'`, `'''a'''''`, `r'\'' "b"`, `b'\777'`, "'a\\\r\nb'", `0x_1f`, `1_0.5e-1_0`, `1e400`, `-nan`,
	`{frozenset({1, 2}): 1, frozenset({2, 1}): 2}`, `{(1, [2]): 3}`, "[1, # c\n 2]", `set ( [1] , )`,
	`'\ud83d\ude00'`, `9223372036854775808`, `-0x8000000000000000`, `{"a": true}`, "\xff", "'\x00'",
}

// literalSeeds returns the golden reprs and fuzzLiterals.
func literalSeeds(tb testing.TB) []string {
	data, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var entries []goldenEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		tb.Fatal(err)
	}
	seeds := append([]string(nil), fuzzLiterals...)
	for _, e := range entries {
		if len(e.Repr) < 2000 {
			seeds = append(seeds, e.Repr)
		}
	}
	return seeds
}

// FuzzParseLiteral checks that any input either parses into a value that
// prints, maps to valid JSON and encodes to a readable body, or fails with
// a *SyntaxError pointing inside the input.
func FuzzParseLiteral(f *testing.F) {
	for _, s := range literalSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		v, err := ParseLiteral(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(src) || se.Line < 1 || se.Col < 1 {
				t.Fatalf("bad error %T %#v", err, err)
			}
			return
		}
		if r := Repr(v); !utf8.ValidString(r) {
			t.Fatalf("Repr is not UTF-8: %q", r)
		}
		if j := ToJSON(v); !json.Valid(j) || !utf8.Valid(j) {
			t.Fatalf("ToJSON is not valid JSON: %q", j)
		} else if k, dup := jsonDuplicateKey(j); dup {
			t.Fatalf("ToJSON repeats the key %q: %s", k, j)
		}
		if _, isStr := v.(string); isStr {
			return // Encode sends a str as its own text
		}
		back, err := DecodeNeon(Encode(v))
		if err != nil || !sameValueAnySetOrder(back, v) {
			t.Fatalf("Encode/DecodeNeon: %v\n  in %s\n out %s", err, Repr(v), Repr(back))
		}
	})
}

// FuzzReprRoundTrip checks that a parsed value's repr parses to the same
// value and prints identically again. Sets are the same in any order, and
// a repr holding a set of two or more members may print differently again:
// Python's set order is not a fixed point of repr and eval either.
func FuzzReprRoundTrip(f *testing.F) {
	for _, s := range literalSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		v, err := ParseLiteral(src)
		if err != nil {
			return
		}
		r := Repr(v)
		again, err := ParseLiteral(r)
		if err != nil {
			t.Fatalf("repr does not parse: %v\nrepr: %s", err, r)
		}
		if !sameValueAnySetOrder(v, again) {
			t.Fatalf("repr parses to another value:\n first %s\nsecond %s", r, Repr(again))
		}
		if r2 := Repr(again); r2 != r && !hasMultiSet(v) {
			t.Fatalf("repr is not stable: %s", firstDiff(r2, r))
		}
	})
}

// FuzzDecode checks that detection never fails, labels consistently with
// the strict decoder, and keeps text and binary bodies intact.
func FuzzDecode(f *testing.F) {
	for _, s := range literalSeeds(f) {
		if v, err := ParseLiteral(s); err == nil {
			f.Add(Encode(v))
		}
		f.Add([]byte(s))
	}
	for _, s := range []string{"", "{\"a\": [1, 2.5, null]}", "InsnYSc6IDF9Ig", "AAEC/w==", "\x00\xff", "  Insn J30i  "} {
		f.Add([]byte(s))
	}
	for _, c := range exprCases {
		f.Add(wire(c.text))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := Decode(body)
		strict, strictErr := DecodeNeon(body)
		if (d.Encoding == EncNeon) != (strictErr == nil) {
			t.Fatalf("Decode says %s, DecodeNeon says %v", d.Encoding, strictErr)
		}
		switch d.Encoding {
		case EncNeon:
			if !sameValue(d.Value, strict) {
				t.Fatalf("Decode and DecodeNeon disagree: %s vs %s", Repr(d.Value), Repr(strict))
			}
			if _, isStr := d.Value.(string); !isStr {
				if back, err := DecodeNeon(Encode(d.Value)); err != nil || !sameValueAnySetOrder(back, d.Value) {
					t.Fatalf("re-encoded body does not decode to the same value: %v", err)
				}
			}
		case EncText:
			if d.Value != string(body) || !utf8.Valid(body) {
				t.Fatalf("text value %q for body %q", d.Value, body)
			}
		case EncBinary:
			if !bytes.Equal(d.Value.([]byte), body) {
				t.Fatalf("binary value differs from the body")
			}
		case EncPyExpr:
			if _, ok := d.Value.(string); !ok || d.Expr == "" || d.Err != nil {
				t.Fatalf("pyexpr body with value %#v, Expr %q, Err %v", d.Value, d.Expr, d.Err)
			}
		case EncJSON, EncB64JSON:
		default:
			t.Fatalf("unknown label %q", d.Encoding)
		}
		if j := ToJSON(d.Value); !json.Valid(j) {
			t.Fatalf("ToJSON is not valid JSON: %q", j)
		} else if k, dup := jsonDuplicateKey(j); dup {
			t.Fatalf("ToJSON repeats the key %q: %s", k, j)
		}
	})
}

// hasMultiSet reports whether v holds a set or frozenset of two or more
// members, whose printed order may change when its repr is read again.
func hasMultiSet(v Value) bool {
	switch x := v.(type) {
	case List:
		return slices.ContainsFunc(x, hasMultiSet)
	case Tuple:
		return slices.ContainsFunc(x, hasMultiSet)
	case Set:
		return len(x) > 1 || slices.ContainsFunc(x, hasMultiSet)
	case FrozenSet:
		return len(x) > 1 || slices.ContainsFunc(x, hasMultiSet)
	case *Dict:
		for _, it := range x.Items {
			if hasMultiSet(it.Key) || hasMultiSet(it.Value) {
				return true
			}
		}
	}
	return false
}

// sameValue reports whether a and b are the same Value: same types, same
// order, floats equal bit for bit except that every NaN matches every NaN.
func sameValue(a, b Value) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y)))
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case List:
		y, ok := b.(List)
		return ok && sameValues(x, y)
	case Tuple:
		y, ok := b.(Tuple)
		return ok && sameValues(x, y)
	case Set:
		y, ok := b.(Set)
		return ok && sameValues(x, y)
	case FrozenSet:
		y, ok := b.(FrozenSet)
		return ok && sameValues(x, y)
	case *Dict:
		y, ok := b.(*Dict)
		return ok && sameItems(x.Items, y.Items)
	}
	return a == b
}

func sameValues(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameItems(a, b []Item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i].Key, b[i].Key) || !sameValue(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}
