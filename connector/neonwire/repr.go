package neonwire

import (
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Repr returns Python 3's repr of v, byte for byte: the text that
// str(data) produces in neon_mq_connector's dict_to_b64. Besides the Value
// model it accepts Go's other int and float kinds, []any as a list and
// map[string]any as a dict with sorted keys; values of any other Go type are
// written as the str of their %v text. v must not contain itself. Sets are
// printed in CPython's order where it does not depend on the process (see
// setOrders), else in their own.
func Repr(v Value) string {
	return string(appendRepr(nil, v))
}

// appendRepr appends Repr(v) to dst.
func appendRepr(dst []byte, v Value) []byte {
	var w reprWriter
	return w.value(dst, v)
}

// reprLiteral is Repr with every set in its own order: the literal that
// Repr's set order is computed from.
func reprLiteral(v Value) string {
	w := reprWriter{literalOrder: true}
	return string(w.value(nil, v))
}

// reprWriter writes one repr. The set orders it computes depend on the
// sets written before (see setOrders), so one value is one writer.
type reprWriter struct {
	sets         *setOrders // made at the first set with two or more members
	literalOrder bool
}

func (w *reprWriter) value(dst []byte, v Value) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "None"...)
	case bool:
		if x {
			return append(dst, "True"...)
		}
		return append(dst, "False"...)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case *big.Int:
		if x == nil {
			return append(dst, "None"...)
		}
		return x.Append(dst, 10)
	case float64:
		return appendFloatRepr(dst, x)
	case string:
		return appendStrRepr(dst, x)
	case []byte:
		return appendBytesRepr(dst, x)
	case List:
		return w.seq(append(dst, '['), x, ']')
	case Tuple:
		return w.tuple(dst, x)
	case Set:
		if len(x) == 0 {
			return append(dst, "set()"...)
		}
		return w.seq(append(dst, '{'), w.setOrder(x, false), '}')
	case FrozenSet:
		if len(x) == 0 {
			return append(dst, "frozenset()"...)
		}
		return append(w.seq(append(dst, "frozenset({"...), w.setOrder(x, true), '}'), ')')
	case *Dict:
		return w.dict(dst, x)
	}
	return w.value(dst, normalizeGo(v))
}

// setOrder returns a set's members in the order Python prints them.
func (w *reprWriter) setOrder(elems []Value, frozen bool) []Value {
	if w.literalOrder || len(elems) < 2 && !mayHoldDisplays(elems) {
		return elems
	}
	if w.sets == nil {
		w.sets = &setOrders{}
	}
	return w.sets.order(elems, frozen)
}

// mayHoldDisplays reports whether a one-member set may hold set displays
// of its own (frozensets, maybe inside tuples), which the set orders must
// see in source order.
func mayHoldDisplays(elems []Value) bool {
	for _, e := range elems {
		switch e.(type) {
		case Tuple, FrozenSet:
			return true
		}
	}
	return false
}

// normalizeGo maps Go values outside the Value model onto it.
func normalizeGo(v any) Value {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		return new(big.Int).SetUint64(uint64(x))
	case uint64:
		return new(big.Int).SetUint64(x)
	case float32:
		return float64(x)
	case []any:
		return List(x)
	case Dict:
		return &x
	case map[string]any:
		d := &Dict{Items: make([]Item, 0, len(x))}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			d.Items = append(d.Items, Item{Key: k, Value: x[k]})
		}
		return d
	}
	return fmt.Sprintf("%v", v)
}

// seq appends the elements separated by ", " and then close.
func (w *reprWriter) seq(dst []byte, elems []Value, close byte) []byte {
	for i, e := range elems {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = w.value(dst, e)
	}
	return append(dst, close)
}

// tuple writes (), (x,) or (a, b).
func (w *reprWriter) tuple(dst []byte, t Tuple) []byte {
	dst = append(dst, '(')
	if len(t) == 1 {
		return append(w.value(dst, t[0]), ",)"...)
	}
	return w.seq(dst, t, ')')
}

func (w *reprWriter) dict(dst []byte, d *Dict) []byte {
	dst = append(dst, '{')
	if d != nil {
		for i, it := range d.Items {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(w.value(dst, it.Key), ": "...)
			dst = w.value(dst, it.Value)
		}
	}
	return append(dst, '}')
}

// appendFloatRepr writes the shortest text that reads back as f, in
// Python's layout: fixed notation for exponents -4..15 (always with a
// fractional part), otherwise d.ddde±XX.
func appendFloatRepr(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0 && math.Signbit(f):
		return append(dst, "-0.0"...)
	case f == 0:
		return append(dst, "0.0"...)
	}
	var buf [32]byte
	sci := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // -d.ddde±dd
	if sci[0] == '-' {
		dst = append(dst, '-')
		sci = sci[1:]
	}
	var dbuf [24]byte
	digits, e := dbuf[:0], 0
	for i, c := range sci {
		if c == 'e' {
			e = atoiExponent(sci[i+1:])
			break
		}
		if c != '.' {
			digits = append(digits, c)
		}
	}
	if -4 <= e && e < 16 {
		return appendFixed(dst, digits, e)
	}
	return appendExponent(dst, digits, e)
}

// atoiExponent reads the ±dd exponent that strconv writes.
func atoiExponent(b []byte) int {
	n := 0
	for _, c := range b[1:] {
		n = n*10 + int(c-'0')
	}
	if b[0] == '-' {
		return -n
	}
	return n
}

// appendFixed writes digits × 10^(e+1-len(digits)) in fixed notation.
func appendFixed(dst, digits []byte, e int) []byte {
	point := e + 1 // digits before the decimal point
	switch {
	case point <= 0:
		dst = append(dst, "0."...)
		for range -point {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	case point >= len(digits):
		dst = append(dst, digits...)
		for range point - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	}
	dst = append(dst, digits[:point]...)
	dst = append(dst, '.')
	return append(dst, digits[point:]...)
}

// appendExponent writes d.ddde±XX with at least two exponent digits.
func appendExponent(dst, digits []byte, e int) []byte {
	dst = append(dst, digits[0])
	if len(digits) > 1 {
		dst = append(append(dst, '.'), digits[1:]...)
	}
	dst = append(dst, 'e')
	if e < 0 {
		dst = append(dst, '-')
		e = -e
	} else {
		dst = append(dst, '+')
	}
	if e < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(e), 10)
}

// reprQuote is the quote Python's repr uses: single, unless the text holds a
// single quote and no double quote.
func reprQuote(hasSingle, hasDouble bool) byte {
	if hasSingle && !hasDouble {
		return '"'
	}
	return '\''
}

// appendStrRepr writes a str as Python's repr does. Characters that
// str.isprintable rejects in CPython 3.10 (pyPrintable: Unicode 13.0.0,
// whatever Go's own Unicode version) are escaped as \xhh, \uhhhh or
// \Uhhhhhhhh (a lone surrogate is never printable: '\ud800'); printable
// ones are written as they are. Invalid UTF-8, which a Python str cannot
// hold, is written as U+FFFD.
func appendStrRepr(dst []byte, s string) []byte {
	quote := reprQuote(strings.IndexByte(s, '\'') >= 0, strings.IndexByte(s, '"') >= 0)
	dst = append(dst, quote)
	run := 0
	for i := plainRunEnd(s, 0, quote, '\\'); i < len(s); i = plainRunEnd(s, i, quote, '\\') {
		if c := s[i]; c < utf8.RuneSelf {
			dst = appendASCIIEscape(append(dst, s[run:i]...), c, quote)
			i++
			run = i
			continue
		}
		r, size := decodePyRune(s, i)
		if unicode.Is(pyPrintable, r) && !(r == utf8.RuneError && size == 1) {
			i += size
			continue
		}
		dst = append(dst, s[run:i]...)
		if r == utf8.RuneError {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = appendCodeEscape(dst, r)
		}
		i += size
		run = i
	}
	return append(append(dst, s[run:]...), quote)
}

// appendASCIIEscape escapes an ASCII byte that repr does not write as is.
func appendASCIIEscape(dst []byte, c, quote byte) []byte {
	switch c {
	case quote, '\\':
		return append(dst, '\\', c)
	case '\t':
		return append(dst, '\\', 't')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	}
	return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
}

// appendCodeEscape writes \xhh, \uhhhh or \Uhhhhhhhh, the shortest that fits.
func appendCodeEscape(dst []byte, r rune) []byte {
	switch {
	case r <= 0xff:
		return append(dst, '\\', 'x', hexDigits[r>>4], hexDigits[r&15])
	case r <= 0xffff:
		return appendHex(append(dst, '\\', 'u'), uint32(r), 4)
	}
	return appendHex(append(dst, '\\', 'U'), uint32(r), 8)
}

// appendHex writes the low n hex digits of v, lowercase.
func appendHex(dst []byte, v uint32, n int) []byte {
	for shift := 4 * (n - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(v>>shift)&15])
	}
	return dst
}

// appendBytesRepr writes b'...': printable ASCII as is, \t \n \r, and \xhh
// for every other byte.
func appendBytesRepr(dst, b []byte) []byte {
	quote := reprQuote(slices.Contains(b, '\''), slices.Contains(b, '"'))
	dst = append(dst, 'b', quote)
	run := 0
	for i := plainRunEnd(b, 0, quote, '\\'); i < len(b); i = plainRunEnd(b, i+1, quote, '\\') {
		dst = appendASCIIEscape(append(dst, b[run:i]...), b[i], quote)
		run = i + 1
	}
	return append(append(dst, b[run:]...), quote)
}
