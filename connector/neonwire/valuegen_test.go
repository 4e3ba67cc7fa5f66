package neonwire

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// valueGen makes random Values for property tests.
type valueGen struct {
	rng     *rand.Rand
	exclude map[rune]bool // code points never used in strings
	// literalEval limits values to what ast.literal_eval reads back and
	// repr prints in the same order: no inf, nan or frozenset, and sets that
	// are empty, hold one element, or hold a few small ints in order.
	literalEval bool
}

func newValueGen(seed uint64, exclude []rune, literalEval bool) *valueGen {
	g := &valueGen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), exclude: map[rune]bool{}, literalEval: literalEval}
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
		return g.set(n, depth+1)
	case 12:
		if !g.literalEval {
			return FrozenSet(g.keys(n, depth+1))
		}
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

func (g *valueGen) set(n, depth int) Set {
	if !g.literalEval {
		return Set(g.keys(n, depth))
	}
	if n <= 1 {
		return Set(g.keys(n, depth))
	}
	// Small ints sit in their own hash slot, so Python prints them in order.
	var s Set
	for _, i := range g.rng.Perm(8)[:min(n, 4)] {
		s = append(s, int64(i))
	}
	slices.SortFunc(s, func(a, b Value) int { return int(a.(int64) - b.(int64)) })
	return s
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
		if !g.literalEval {
			return FrozenSet(g.keys(g.rng.IntN(4), depth+1))
		}
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
	for {
		var f float64
		switch g.rng.IntN(5) {
		case 0:
			f = math.Float64frombits(g.rng.Uint64())
		case 1:
			f = []float64{0, math.Copysign(0, -1), 1e16, 1e-5, 1e-4, 0.1, 1e22, math.Inf(1), math.Inf(-1), math.NaN()}[g.rng.IntN(10)]
		case 2:
			f = float64(g.rng.Int64N(2_000_001)-1_000_000) / math.Pow10(g.rng.IntN(9))
		default:
			f = g.rng.Float64() * math.Pow10(g.rng.IntN(61)-30)
		}
		if !g.literalEval || !(math.IsInf(f, 0) || math.IsNaN(f)) {
			return f
		}
	}
}

func (g *valueGen) str() string {
	var b strings.Builder
	for range g.rng.IntN(13) {
		b.WriteRune(g.rune())
	}
	return b.String()
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
	if (0xd800 <= r && r < 0xe000) || g.exclude[r] {
		return '?'
	}
	return r
}
