package neonwire

import (
	"math"
	"math/rand/v2"
)

// valueGen makes random Values for property tests: every type, inf and
// nan, lone surrogates, and sets of any hashable members.
type valueGen struct {
	rng     *rand.Rand
	exclude map[rune]bool // code points never used in strings
}

func newValueGen(seed uint64, exclude []rune) *valueGen {
	g := &valueGen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), exclude: map[rune]bool{}}
	for _, r := range exclude {
		g.exclude[r] = true
	}
	return g
}

func (g *valueGen) dict(depth int) *Dict {
	items := make([]Item, g.rng.IntN(7))
	for i := range items {
		items[i] = Item{Key: g.key(depth), Value: g.value(depth)}
	}
	var k keyIndex
	items, _ = k.dedupeItems(items)
	return &Dict{Items: items}
}

func (g *valueGen) value(depth int) Value {
	kind := g.rng.IntN(14)
	if depth >= 4 {
		kind = g.rng.IntN(9)
	}
	n := g.rng.IntN(6)
	switch kind {
	case 9:
		return List(g.values(n, depth+1))
	case 10:
		return Tuple(g.values(n, depth+1))
	case 11:
		return Set(g.keys(n, depth+1))
	case 12:
		return FrozenSet(g.keys(n, depth+1))
	case 13:
		return g.dict(depth + 1)
	}
	return g.key(depth + 3)
}

func (g *valueGen) values(n, depth int) []Value {
	out := make([]Value, n)
	for i := range out {
		out[i] = g.value(depth)
	}
	return out
}

// keys returns up to n distinct hashable values.
func (g *valueGen) keys(n, depth int) []Value {
	out := make([]Value, n)
	for i := range out {
		out[i] = g.key(depth)
	}
	var k keyIndex
	out, _ = k.dedupeElems(out)
	return out
}

// key returns a random hashable value.
func (g *valueGen) key(depth int) Value {
	kinds := 9
	if depth >= 3 {
		kinds = 7
	}
	switch g.rng.IntN(kinds) {
	case 0:
		return nil
	case 1:
		return g.rng.IntN(2) == 0
	case 2:
		return g.int()
	case 3:
		return g.float()
	case 4:
		b := make([]byte, g.rng.IntN(7))
		for i := range b {
			b[i] = byte(g.rng.Uint32())
		}
		return b
	case 7:
		return Tuple(g.keys(g.rng.IntN(4), depth+1))
	case 8:
		return FrozenSet(g.keys(g.rng.IntN(4), depth+1))
	}
	return g.str()
}

func (g *valueGen) int() Value {
	switch g.rng.IntN(4) {
	case 0:
		return []int64{0, -1, math.MaxInt64, math.MinInt64, 1 << 53}[g.rng.IntN(5)]
	case 1:
		digits := make([]byte, 19+g.rng.IntN(40))
		for i := range digits {
			digits[i] = byte('0' + g.rng.IntN(10))
		}
		digits[0] = byte('1' + g.rng.IntN(9))
		n := BigInt(string(digits))
		if g.rng.IntN(2) == 0 {
			n.Neg(n)
		}
		return normInt(n)
	}
	return g.rng.Int64N(2001) - 1000
}

func (g *valueGen) float() float64 {
	switch g.rng.IntN(5) {
	case 0:
		return math.Float64frombits(g.rng.Uint64())
	case 1:
		return []float64{0, math.Copysign(0, -1), 1e16, 1e-5, 1e-4, 0.1, 1e22, math.Inf(1), math.Inf(-1), math.NaN()}[g.rng.IntN(10)]
	case 2:
		return float64(g.rng.Int64N(2_000_001)-1_000_000) / math.Pow10(g.rng.IntN(9))
	}
	return g.rng.Float64() * math.Pow10(g.rng.IntN(61)-30)
}

// str may hold lone surrogates, which pyStr keeps.
func (g *valueGen) str() string {
	rs := make([]rune, g.rng.IntN(13))
	for i := range rs {
		rs[i] = g.rune()
	}
	return pyStr(rs...)
}

func (g *valueGen) rune() rune {
	var r rune
	switch p := g.rng.Float64(); {
	case p < 0.5:
		r = ' ' + g.rng.Int32N(0x7f-' ')
	case p < 0.6:
		r = []rune("'\"\\\n\t\r\x00\x7f")[g.rng.IntN(8)]
	case p < 0.7:
		r = g.rng.Int32N(0x100)
	case p < 0.9:
		r = 0x100 + g.rng.Int32N(0xff00)
	default:
		r = 0x10000 + g.rng.Int32N(0x100000)
	}
	if g.exclude[r] {
		return '?'
	}
	return r
}
