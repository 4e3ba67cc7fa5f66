// Package neonwire implements the body format of Neon MQ services: standard
// base64 of a JSON string literal whose content is the Python repr of a dict
// (neon_mq_connector's dict_to_b64 / b64_to_dict). It holds a Python-literal
// parser (the equivalent of ast.literal_eval, never an evaluator), a printer
// that reproduces Python's repr byte for byte, the JSON mapping used to show
// Python values, and detection of bodies that are not Neon-encoded.
//
// Which characters repr escapes depends on the Unicode tables of the Python
// that writes it: repr escapes what str.isprintable rejects, and that
// includes every character its Unicode version has not assigned yet. Repr and
// Encode follow CPython 3.10, whose tables (Unicode 13.0.0, shared by 3.9)
// are those of the Python that Neon's service images run, so a character
// assigned in a later Unicode version, such as U+1FAE0 (Unicode 14.0), is
// written as an escape ('\U0001fae0'), as that Python writes it. Reading
// accepts what every Python writes.
package neonwire

import "math/big"

// Value is a Python literal value. The dynamic types used are:
//
//	None            nil
//	bool            bool
//	int             int64, or *big.Int when it does not fit in an int64
//	float           float64 (inf and nan included)
//	str             string: UTF-8, except that a lone surrogate code point
//	                (U+D800..U+DFFF, which a Python str may hold) is the
//	                3-byte sequence ED A0 80..ED BF BF, one per surrogate,
//	                as Python's 'surrogatepass' encodes it; '\ud83d\ude00'
//	                is two such sequences, not U+1F600
//	bytes           []byte
//	list            List
//	tuple           Tuple
//	set             Set
//	frozenset       FrozenSet
//	dict            *Dict (insertion order preserved, as in Python 3.7+)
type Value = any

// List is a Python list.
type List []Value

// Tuple is a Python tuple. A one-element tuple prints as ('x',).
type Tuple []Value

// Set is a Python set. It keeps the order the elements were read or added
// in. Repr and Encode print it in CPython's order instead where that order
// is the same in every process: when every member is an int, bool, float
// (not NaN), None, or a tuple or frozenset of those, the members are
// printed as CPython 3.9 to 3.13 prints the set that b64_to_dict's eval
// builds from a literal listing them in the Set's order (with None, as 3.12
// and later print it: before 3.12 hash(None) is an address). A str or bytes
// member's hash depends on PYTHONHASHSEED and a NaN's on its address, so a
// set holding one is printed in its own order.
type Set []Value

// FrozenSet is a Python frozenset, printed as frozenset({...}) in the
// order Set describes.
type FrozenSet []Value

// Item is one key/value pair of a Dict.
type Item struct {
	Key   Value
	Value Value
}

// Dict is a Python dict whose items keep insertion order.
type Dict struct {
	Items []Item
}

// BigInt is a convenience constructor for ints that do not fit an int64.
func BigInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil
	}
	return n
}
