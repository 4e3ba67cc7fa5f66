package neonwire

import (
	"math"
	"math/big"
	"math/bits"
)

// CPython's hash() of the values whose hash does not depend on the process:
// ints, bools, floats but NaN, None (from CPython 3.12), and tuples and
// frozensets of those. The hash of a str or bytes is salted by
// PYTHONHASHSEED, and a NaN's is its address (from 3.10), as None's is before
// 3.12; pyHash reports those as unknown. Hashes are Py_hash_t values of a
// 64-bit build, kept as their two's-complement uint64.

const (
	hashBits    = 61
	hashModulus = 1<<hashBits - 1 // a Mersenne prime: ints hash to themselves mod it
	hashInf     = 314159
	// hashNone is hash(None) from CPython 3.12 on; before, it was id-based.
	hashNone = 0xFCA86420
	// hashMinusOne is -1, which CPython reserves for errors: a hash that
	// would be -1 is -2 instead.
	hashMinusOne = math.MaxUint64
)

// pyHash returns hash(v) as CPython computes it, or false when the hash is
// not the same in every process, or v is not hashable.
func pyHash(v Value) (uint64, bool) {
	switch x := v.(type) {
	case nil:
		return hashNone, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		if x < 0 {
			return hashInt(true, uint64(-x)), true // -MinInt64 wraps to its own magnitude
		}
		return hashInt(false, uint64(x)), true
	case *big.Int:
		if x == nil {
			return hashNone, true
		}
		m := new(big.Int).Abs(x)
		m.Mod(m, big.NewInt(hashModulus))
		return hashInt(x.Sign() < 0, m.Uint64()), true
	case float64:
		return hashFloat(x)
	case Tuple:
		return hashTuple(x)
	case FrozenSet:
		return hashFrozenSet(x)
	}
	return 0, false
}

// hashInt is long_hash: the magnitude mod 2**61-1, with the int's sign.
func hashInt(neg bool, abs uint64) uint64 {
	x := abs % hashModulus
	if neg {
		x = -x
	}
	if x == hashMinusOne {
		x--
	}
	return x
}

// hashFloat is _Py_HashDouble: the float's exact value mod 2**61-1, so that
// a float equal to an int hashes as the int does. It works on the mantissa
// 28 bits at a time, as CPython does.
func hashFloat(f float64) (uint64, bool) {
	switch {
	case math.IsNaN(f):
		return 0, false
	case math.IsInf(f, 1):
		return hashInf, true
	case math.IsInf(f, -1):
		return ^uint64(hashInf) + 1, true
	}
	m, e := math.Frexp(f)
	neg := m < 0
	if neg {
		m = -m
	}
	var x uint64
	for m != 0 {
		x = (x<<28)&hashModulus | x>>(hashBits-28)
		m *= 1 << 28
		e -= 28
		y := uint64(m)
		m -= float64(y)
		x += y
		if x >= hashModulus {
			x -= hashModulus
		}
	}
	if e >= 0 {
		e %= hashBits
	} else {
		e = hashBits - 1 - (-1-e)%hashBits
	}
	x = (x<<e)&hashModulus | x>>(hashBits-e)
	if neg {
		x = -x
	}
	if x == hashMinusOne {
		x--
	}
	return x, true
}

// The xxHash primes of tuplehash (CPython 3.8 and later).
const (
	xxPrime1 = 11400714785074694791
	xxPrime2 = 14029467366897019727
	xxPrime5 = 2870177450012600261
)

// hashTuple is tuplehash, the xxHash-based one of CPython 3.8 and later.
func hashTuple(t Tuple) (uint64, bool) {
	acc := uint64(xxPrime5)
	for _, e := range t {
		lane, ok := pyHash(e)
		if !ok {
			return 0, false
		}
		acc += lane * xxPrime2
		acc = bits.RotateLeft64(acc, 31)
		acc *= xxPrime1
	}
	acc += uint64(len(t)) ^ (xxPrime5 ^ 3527539) // keeps hash(()) what it was
	if acc == hashMinusOne {
		return 1546275796, true
	}
	return acc, true
}

// hashFrozenSet is frozenset_hash: an xor of the members' shuffled hashes,
// which does not depend on their order, then mixed with the size.
func hashFrozenSet(s FrozenSet) (uint64, bool) {
	var k keyIndex
	var h uint64
	n := 0
	for _, e := range s {
		eh, ok := pyHash(e)
		if !ok {
			return 0, false
		}
		if key, err := k.hashKey(e); err != nil || k.add(key) >= 0 {
			continue // Python holds equal members once
		}
		h ^= ((eh ^ 89869747) ^ (eh << 16)) * 3644798167
		n++
	}
	h ^= (uint64(n) + 1) * 1927868237
	h ^= (h >> 11) ^ (h >> 25)
	h = h*69069 + 907133923
	if h == hashMinusOne {
		return 590923713, true
	}
	return h, true
}
