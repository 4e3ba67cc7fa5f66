package neonwire

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

// TestReprPrintsSetsInCPythonOrder pins set reprs that CPython 3.11
// printed for eval of the literal on the left, including the case where a
// display of constants takes the order of an equal earlier display.
func TestReprPrintsSetsInCPythonOrder(t *testing.T) {
	cases := []struct{ src, repr string }{
		{`{8, 0}`, `{8, 0}`},
		{`{0, 8}`, `{0, 8}`},
		{`{3, 1, 2}`, `{1, 2, 3}`},
		{`{2305843009213693951, 1, 0}`, `{2305843009213693951, 1, 0}`},
		{`{0.5, 1.5, -0.0, 2.0}`, `{0.5, 1.5, 2.0, -0.0}`},
		{`{(1, 2), (2, 1), ()}`, `{(1, 2), (2, 1), ()}`},
		{`{frozenset({1, 2}), 3, frozenset()}`, `{frozenset(), 3, frozenset({1, 2})}`},
		{`frozenset({40, 8, 0, 16, 24, 32})`, `frozenset({0, 32, 16, 8, 24, 40})`},
		{`{1e16, inf, -inf}`, `{1e+16, -inf, inf}`},
		{`{30, 5, 62, 40, 8, 54}`, `{5, 54, 30, 8, 40, 62}`},
		{`[{8, 30, 54, 40, 62, 5}, {30, 5, 62, 40, 8, 54}]`, `[{5, 54, 8, 62, 40, 30}, {5, 54, 8, 62, 40, 30}]`},
		{`{'b', 'a', 1}`, `{'b', 'a', 1}`}, // str members: the literal's own order
		{`{nan, 2, 1}`, `{nan, 2, 1}`},     // a NaN's hash is its address
	}
	for _, c := range cases {
		v, err := ParseLiteral(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := Repr(v); got != c.repr {
			t.Errorf("Repr(%s) = %s, want %s", c.src, got, c.repr)
		}
	}
	if got := reprLiteral(Set{int64(3), int64(1), int64(2)}); got != "{3, 1, 2}" {
		t.Errorf("reprLiteral = %s, want the Set's own order", got)
	}
}

// TestReprDedupesEqualSetMembers checks a Set built by hand with members
// Python holds once: the first stays, as eval of its literal keeps it.
func TestReprDedupesEqualSetMembers(t *testing.T) {
	if got := Repr(Set{true, 1.0, int64(1)}); got != "{True}" {
		t.Errorf("Repr = %s, want {True}", got)
	}
	if got := Repr(Set{int64(1), 1.0, int64(2), true}); got != "{1, 2}" {
		t.Errorf("Repr = %s, want {1, 2}", got)
	}
}

// TestSetOrderGivesUpOnCollisions checks that members whose hashes all
// collide, which would cost quadratic probing, keep their own order.
func TestSetOrderGivesUpOnCollisions(t *testing.T) {
	s := make(Set, 5000)
	m := new(big.Int).SetUint64(hashModulus)
	for i := range s {
		s[i] = normInt(new(big.Int).Mul(m, big.NewInt(int64(i+1)))) // all hash to 0
	}
	if got, want := Repr(s), reprLiteral(s); got != want {
		t.Errorf("colliding members were reordered: %s", firstDiff(got, want))
	}
}

// TestSetOrderKeepsHugeSetsOrder checks that a set too large to emulate
// cheaply keeps its own order.
func TestSetOrderKeepsHugeSetsOrder(t *testing.T) {
	s := make(Set, maxOrderedSet+1)
	for i := range s {
		s[i] = int64(len(s) - i)
	}
	if Repr(s) != reprLiteral(s) {
		t.Error("a set of more than maxOrderedSet members was reordered")
	}
	if small := s[len(s)-3:]; Repr(small) != "{1, 2, 3}" {
		t.Errorf("Repr(%s) = %s, want {1, 2, 3}", reprLiteral(small), Repr(small))
	}
}

// setOrderRule says which sets' order Go computes as the Python compared
// with does: none holding None before CPython 3.12.
type setOrderRule struct {
	noneHashed bool
}

// pythonSetOrder asks python3 whether it hashes None by value.
func pythonSetOrder(t *testing.T) setOrderRule {
	out, err := exec.Command(python3(t), "-c", "import sys; print(sys.version_info >= (3, 12))").Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	return setOrderRule{noneHashed: strings.TrimSpace(string(out)) == "True"}
}

// ordered reports whether every set in v with two or more members has an
// order Go computes for this Python.
func (r setOrderRule) ordered(v Value) bool {
	switch x := v.(type) {
	case List:
		return r.allOrdered(x)
	case Tuple:
		return r.allOrdered(x)
	case Set:
		return r.setOrdered(x)
	case FrozenSet:
		return r.setOrdered(x)
	case *Dict:
		for _, it := range x.Items {
			if !r.ordered(it.Key) || !r.ordered(it.Value) {
				return false
			}
		}
	}
	return true
}

func (r setOrderRule) allOrdered(vs []Value) bool {
	for _, e := range vs {
		if !r.ordered(e) {
			return false
		}
	}
	return true
}

func (r setOrderRule) setOrdered(s []Value) bool {
	if !r.allOrdered(s) {
		return false
	}
	if len(s) < 2 {
		return true
	}
	for _, e := range s {
		if _, ok := pyHash(e); !ok || !r.noneHashed && holdsNone(e) {
			return false
		}
	}
	return true
}

func holdsNone(v Value) bool {
	switch x := v.(type) {
	case nil:
		return true
	case Tuple:
		return anyHoldsNone(x)
	case FrozenSet:
		return anyHoldsNone(x)
	}
	return false
}

func anyHoldsNone(vs []Value) bool {
	for _, e := range vs {
		if holdsNone(e) {
			return true
		}
	}
	return false
}

// sameValueAnySetOrder is sameValue with the members of sets matched in
// any order.
func sameValueAnySetOrder(a, b Value) bool {
	switch x := a.(type) {
	case Set:
		y, ok := b.(Set)
		return ok && sameMembers(x, y)
	case FrozenSet:
		y, ok := b.(FrozenSet)
		return ok && sameMembers(x, y)
	case List:
		y, ok := b.(List)
		return ok && sameEach(x, y)
	case Tuple:
		y, ok := b.(Tuple)
		return ok && sameEach(x, y)
	case *Dict:
		y, ok := b.(*Dict)
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !sameValueAnySetOrder(x.Items[i].Key, y.Items[i].Key) || !sameValueAnySetOrder(x.Items[i].Value, y.Items[i].Value) {
				return false
			}
		}
		return true
	}
	return sameValue(a, b)
}

func sameEach(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValueAnySetOrder(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sameMembers matches each member of a with a distinct member of b.
func sameMembers(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
next:
	for _, x := range a {
		for j, y := range b {
			if !used[j] && sameValueAnySetOrder(x, y) {
				used[j] = true
				continue next
			}
		}
		return false
	}
	return true
}

// setGen makes values full of sets whose order Go computes: ints that
// share table slots, floats, bools, tuples, frozensets, None when the
// Python hashes it by value, displays repeated in another order.
type setGen struct {
	rng  *rand.Rand
	none bool
}

func (g *setGen) member(depth int) Value {
	kinds := 10
	if depth >= 2 {
		kinds = 8
	}
	switch g.rng.IntN(kinds) {
	case 0:
		return int64(g.rng.IntN(320) - 20)
	case 1: // -2**70 to 2**70
		n := new(big.Int).Lsh(new(big.Int).SetUint64(g.rng.Uint64()), 7)
		n.Add(n, big.NewInt(g.rng.Int64N(128)))
		return normInt(n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 70)))
	case 2:
		return []Value{int64(0), int64(1), int64(-1), int64(-2), int64(hashModulus), int64(hashModulus + 1),
			int64(-hashModulus - 1), BigInt("9223372036854775808"), BigInt("11529215046068469762")}[g.rng.IntN(9)]
	case 3:
		if g.none && g.rng.IntN(3) == 0 {
			return nil
		}
		return g.rng.IntN(2) == 0
	case 4:
		return []float64{0, math.Copysign(0, -1), 0.5, 1, 1e16, math.Inf(1), math.Inf(-1), math.Ldexp(1, 70)}[g.rng.IntN(8)]
	case 5:
		return g.rng.Float64()*2e6 - 1e6
	case 6, 7:
		return int64(g.rng.IntN(65) * []int{1, 8, 32, 1024}[g.rng.IntN(4)])
	case 8:
		t := make(Tuple, g.rng.IntN(4))
		for i := range t {
			t[i] = g.member(depth + 1)
		}
		return t
	}
	f := make(FrozenSet, g.rng.IntN(5))
	for i := range f {
		f[i] = g.member(depth + 1)
	}
	return dedupe(f)
}

func dedupe[S ~[]Value](s S) S {
	var k keyIndex
	out, _ := k.dedupeElems(s)
	return S(out)
}

func (g *setGen) value() *Dict {
	d := &Dict{}
	for i := range 1 + g.rng.IntN(4) {
		n := []int{0, 1, 2, 3, 4, 5, 6, 9, 12, 20, 40, 80}[g.rng.IntN(12)]
		members := make([]Value, n)
		for j := range members {
			members[j] = g.member(0)
		}
		members = dedupe(members)
		var s Value = Set(members)
		if g.rng.IntN(5) == 0 {
			s = FrozenSet(members)
		}
		d.Items = append(d.Items, Item{Key: int64(i), Value: s})
		if g.rng.IntN(3) == 0 { // the same members again, in another order
			again := append(Set(nil), members...)
			g.rng.Shuffle(len(again), func(a, b int) { again[a], again[b] = again[b], again[a] })
			d.Items = append(d.Items, Item{Key: fmt.Sprintf("again%d", i), Value: again})
		}
	}
	return d
}

const setOrderCount = 3000

// TestSetOrderMatchesPython compares set order with python3's in both
// directions, byte for byte: Go-made sets written as literals in their
// own order and evaluated by Python (b64_to_dict) must encode as Python
// re-encodes them, and Python-made sets, built by random adds and
// discards, must re-encode in Go as Python re-encodes them after decoding.
func TestSetOrderMatchesPython(t *testing.T) {
	rule := pythonSetOrder(t)
	py := startRoundTrip(t)
	g := &setGen{rng: rand.New(rand.NewPCG(11, 13)), none: rule.noneHashed}
	values := make([]*Dict, setOrderCount)
	reqs := make([]any, 0, setOrderCount+1)
	for i := range values {
		values[i] = g.value()
		reqs = append(reqs, map[string]any{"op": "echo", "body": encodeLiteral(values[i])})
	}
	reqs = append(reqs, map[string]any{"op": "sets", "seed": 17, "count": setOrderCount, "none": rule.noneHashed})
	py.send(reqs)
	reordered := 0
	for i, v := range values {
		if !rule.ordered(v) {
			t.Fatalf("set value %d has a set whose order Go does not compute: %s", i, Repr(v))
		}
		if Repr(v) != reprLiteral(v) {
			reordered++
		}
		checkGoToPython(t, fmt.Sprintf("set value %d", i), v, py.answer(), rule)
	}
	for i := range setOrderCount {
		a := py.answer()
		checkPythonToGo(t, fmt.Sprintf("python set value %d", i), a, rule)
		if v, err := DecodeNeon([]byte(a.Body)); err == nil && !rule.ordered(v) {
			t.Fatalf("python set value %d has a set whose order Go does not compute: %s", i, Repr(v))
		}
	}
	t.Logf("%d Go-made and %d Python-made values of sets match python3 byte for byte (hash(None) by value: %v); Python reordered %d of the Go-made literals",
		setOrderCount, setOrderCount, rule.noneHashed, reordered)
}
