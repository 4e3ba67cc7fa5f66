package neonwire

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
)

// Python collapses dict keys and set elements that compare equal (1, 1.0 and
// True are one key; -0.0 equals 0), keeping the first key and the last value.
// A hash key is a comparable Go value that is equal for exactly those values:
// a str is its own key, and every other hashable value is an otherKey built
// from a tagged, length-prefixed encoding.
type otherKey string

// keyIndex finds items with equal hash keys. Small collections are scanned;
// a map is built once a collection grows past smallKeys.
type keyIndex struct {
	keys   []any
	m      map[any]int
	nanSeq int // makes every NaN a key of its own, as distinct NaN objects are
	// memo keeps the encoding of each tuple and frozenset already encoded,
	// by identity: a parser encodes a nested key again at every level it
	// dedupes, which would otherwise cost time cubic in the nesting depth.
	memo map[memoKey][]byte
}

// memoMin is the shortest encoding worth keeping: short ones are cheaper to
// build again than to store, and only deep nesting makes long ones.
const memoMin = 256

// memoKey identifies a tuple or frozenset by its elements' address.
type memoKey struct {
	first *Value
	n     int
	kind  byte
}

// smallKeys is how many keys are compared one by one before a map pays.
const smallKeys = 8

// release forgets every key and encoding, keeping the space for reuse.
// The memo goes: it is keyed by the addresses of values that may be freed.
func (k *keyIndex) release() {
	k.reset()
	clear(k.keys[:cap(k.keys)])
	k.memo = nil
	k.nanSeq = 0
}

func (k *keyIndex) reset() {
	k.keys = k.keys[:0]
	if k.m != nil {
		clear(k.m)
	}
}

// add returns the index of an earlier equal key, or records key and returns -1.
func (k *keyIndex) add(key any) int {
	if len(k.keys) < smallKeys {
		for i, old := range k.keys {
			if old == key {
				return i
			}
		}
		k.keys = append(k.keys, key)
		return -1
	}
	if k.m == nil {
		k.m = make(map[any]int)
	}
	if len(k.m) == 0 {
		for i, old := range k.keys {
			k.m[old] = i
		}
	}
	if i, ok := k.m[key]; ok {
		return i
	}
	k.m[key] = len(k.keys)
	k.keys = append(k.keys, key)
	return -1
}

// hashKey returns the hash key of v, or an error naming the unhashable type as
// Python's TypeError does.
func (k *keyIndex) hashKey(v Value) (any, error) {
	if _, ok := v.(string); ok {
		return v, nil // the str itself, without boxing it again
	}
	b, err := k.appendKey(nil, v)
	if err != nil {
		return nil, err
	}
	return otherKey(b), nil
}

// appendKey appends the tagged encoding of v.
func (k *keyIndex) appendKey(dst []byte, v Value) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, 'N'), nil
	case bool:
		if x {
			return append(dst, "i1;"...), nil
		}
		return append(dst, "i0;"...), nil
	case int64:
		return appendIntKey(dst, x), nil
	case *big.Int:
		return appendBigKey(dst, x), nil
	case float64:
		return k.appendFloatKey(dst, x), nil
	case string:
		return append(append(strconv.AppendInt(append(dst, 's'), int64(len(x)), 10), ':'), x...), nil
	case []byte:
		return append(append(strconv.AppendInt(append(dst, 'b'), int64(len(x)), 10), ':'), x...), nil
	case Tuple:
		return k.appendMemo(dst, x, 'T')
	case FrozenSet:
		return k.appendMemo(dst, x, 'F')
	case pyExpr:
		if x.kind == exprBytearray {
			break
		}
		k.nanSeq++ // never equal to another: the value is not known
		return append(strconv.AppendInt(append(dst, 'x'), int64(k.nanSeq), 10), ';'), nil
	}
	return nil, fmt.Errorf("unhashable type: '%s'", typeName(v))
}

// appendMemo appends the encoding of a tuple ('T') or frozenset ('F'),
// encoding each one only once.
func (k *keyIndex) appendMemo(dst []byte, elems []Value, kind byte) ([]byte, error) {
	if len(elems) == 0 {
		return append(dst, kind, '0', ':'), nil
	}
	id := memoKey{&elems[0], len(elems), kind}
	if enc, ok := k.memo[id]; ok { // a nil memo finds nothing
		return append(dst, enc...), nil
	}
	var enc []byte
	var err error
	if kind == 'T' {
		enc, err = k.appendTupleKey(nil, elems)
	} else {
		enc, err = k.appendFrozenSetKey(nil, elems)
	}
	if err != nil {
		return nil, err
	}
	if len(enc) >= memoMin {
		if k.memo == nil {
			k.memo = make(map[memoKey][]byte)
		}
		k.memo[id] = enc
	}
	return append(dst, enc...), nil
}

func appendIntKey(dst []byte, n int64) []byte {
	return append(strconv.AppendInt(append(dst, 'i'), n, 10), ';')
}

// appendBigKey encodes an int beyond int64 as m·2^e with m odd, a form that
// an integral float of the same value shares and that is cheap to build.
func appendBigKey(dst []byte, n *big.Int) []byte {
	if n.IsInt64() {
		return appendIntKey(dst, n.Int64())
	}
	e := n.TrailingZeroBits()
	m := new(big.Int).Rsh(n, e) // keeps the sign
	return append(strconv.AppendUint(append(m.Append(append(dst, 'I'), 16), 'p'), uint64(e), 10), ';')
}

// appendFloatKey encodes floats with an integral value as the equal int.
func (k *keyIndex) appendFloatKey(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		k.nanSeq++
		return append(strconv.AppendInt(append(dst, 'n'), int64(k.nanSeq), 10), ';')
	case math.IsInf(f, 0) || f != math.Trunc(f):
		return append(strconv.AppendUint(append(dst, 'f'), math.Float64bits(f), 16), ';')
	case -(1<<63) <= f && f < 1<<63:
		return appendIntKey(dst, int64(f))
	}
	frac, exp := math.Frexp(math.Abs(f)) // |f| = frac·2^exp, frac in [0.5, 1)
	m := uint64(frac * (1 << 53))
	e := exp - 53 + bits.TrailingZeros64(m)
	m >>= uint(bits.TrailingZeros64(m))
	n := new(big.Int).SetUint64(m)
	if f < 0 {
		n.Neg(n)
	}
	return append(strconv.AppendInt(append(n.Append(append(dst, 'I'), 16), 'p'), int64(e), 10), ';')
}

func (k *keyIndex) appendTupleKey(dst []byte, t Tuple) ([]byte, error) {
	dst = append(strconv.AppendInt(append(dst, 'T'), int64(len(t)), 10), ':')
	for _, e := range t {
		var err error
		if dst, err = k.appendKey(dst, e); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// appendFrozenSetKey sorts the element encodings: frozensets compare equal
// whatever order their elements were written in.
func (k *keyIndex) appendFrozenSetKey(dst []byte, s FrozenSet) ([]byte, error) {
	elems := make([]string, 0, len(s))
	for _, e := range s {
		b, err := k.appendKey(nil, e)
		if err != nil {
			return nil, err
		}
		elems = append(elems, string(b))
	}
	slices.Sort(elems)
	elems = slices.Compact(elems)
	dst = append(strconv.AppendInt(append(dst, 'F'), int64(len(elems)), 10), ':')
	for _, e := range elems {
		dst = append(strconv.AppendInt(dst, int64(len(e)), 10), ':')
		dst = append(dst, e...)
	}
	return dst, nil
}

// typeName is Python's name for the type of v.
func typeName(v Value) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case List:
		return "list"
	case Tuple:
		return "tuple"
	case Set:
		return "set"
	case FrozenSet:
		return "frozenset"
	case *Dict:
		return "dict"
	case pyExpr:
		return x.kind.typeName()
	}
	return fmt.Sprintf("%T", v)
}

// dedupeItems collapses items whose keys are equal in Python: the first key
// stays, in its place, with the last value. Keys must be hashable.
func (k *keyIndex) dedupeItems(items []Item) ([]Item, error) {
	k.reset()
	out := items[:0]
	for _, it := range items {
		key, err := k.hashKey(it.Key)
		if err != nil {
			return nil, err
		}
		if i := k.add(key); i >= 0 {
			out[i].Value = it.Value
			continue
		}
		out = append(out, it)
	}
	return out, nil
}

// dedupeElems drops set elements equal to an earlier one.
func (k *keyIndex) dedupeElems(elems []Value) ([]Value, error) {
	k.reset()
	out := elems[:0]
	for _, e := range elems {
		key, err := k.hashKey(e)
		if err != nil {
			return nil, err
		}
		if k.add(key) < 0 {
			out = append(out, e)
		}
	}
	return out, nil
}

// hashable reports whether Python could hash v, without building its key.
func hashable(v Value) error {
	switch x := v.(type) {
	case nil, bool, int64, *big.Int, float64, string, []byte:
		return nil
	case pyExpr:
		if x.kind != exprBytearray {
			return nil
		}
	case Tuple:
		return allHashable(x)
	case FrozenSet:
		return allHashable(x)
	}
	return fmt.Errorf("unhashable type: '%s'", typeName(v))
}

func allHashable(vs []Value) error {
	for _, e := range vs {
		if err := hashable(e); err != nil {
			return err
		}
	}
	return nil
}
