package neonwire

import (
	"math"
	"math/big"
	"slices"
	"strconv"
)

// Python prints a set in the order of its hash table, which depends on the
// members' hashes and on how the set was built. Where every member's hash
// is the same in every process (ints, bools, floats but NaN, None, and
// tuples and frozensets of those: see pyHash), Repr prints a Set or
// FrozenSet in the order CPython gives the set that b64_to_dict's eval
// builds from a literal listing the members in the Set's own order. That
// is what a Neon service sends back after decoding and re-encoding a
// body. The emulation follows CPython 3.9 to 3.13 (Objects/setobject.c and
// the compiler's folding of set displays); a set holding None matches only
// 3.12 and later, where hash(None) stopped being id-based. A set with a
// str or bytes member (whose hash PYTHONHASHSEED salts), a NaN, or more
// than maxOrderedSet members keeps its own order.

// Set table parameters of Objects/setobject.c.
const (
	setMinSize   = 8
	linearProbes = 9
	perturbShift = 5
)

// maxOrderedSet bounds the sets whose order is emulated, and so the tables
// built for one (a few MiB); larger ones keep their own order. probeBudget
// bounds the probes per member: members whose hashes collide on purpose
// would otherwise cost quadratic time.
const (
	maxOrderedSet = 1 << 16
	probeBudget   = 64
)

type setEntry struct {
	v    Value
	hash uint64
	full bool
}

// setTable is a CPython set's hash table, without deletions (literals
// never delete).
type setTable struct {
	entries []setEntry
	used    int
	budget  int // probes left; below zero the emulation gives up
	keys    *keyIndex
}

func newSetTable(keys *keyIndex, members int) *setTable {
	return &setTable{entries: make([]setEntry, setMinSize), budget: probeBudget * (members + 1), keys: keys}
}

func (t *setTable) mask() uint64 { return uint64(len(t.entries) - 1) }

// add is set_add_entry: the first free slot of the probe sequence (nine
// linear probes after each perturbed jump) unless an equal member is met
// on the way, then a resize once the table is 60% full.
func (t *setTable) add(v Value, hash uint64) {
	mask := t.mask()
	i, perturb := hash&mask, hash
	for t.budget >= 0 {
		probes := uint64(0)
		if i+linearProbes <= mask {
			probes = linearProbes
		}
		for j := uint64(0); j <= probes; j++ {
			t.budget--
			e := &t.entries[i+j]
			if !e.full {
				*e = setEntry{v: v, hash: hash, full: true}
				t.used++
				if uint64(t.used)*5 >= mask*3 {
					t.resize(t.grownSize())
				}
				return
			}
			if e.hash == hash && t.equal(e.v, v) {
				return
			}
		}
		perturb >>= perturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

func (t *setTable) grownSize() int {
	if t.used > 50000 {
		return t.used * 2
	}
	return t.used * 4
}

// equal is Python's == between two members with equal hashes.
func (t *setTable) equal(a, b Value) bool {
	ka, err1 := t.keys.hashKey(a)
	kb, err2 := t.keys.hashKey(b)
	return err1 == nil && err2 == nil && ka == kb
}

// insertClean is set_insert_clean: the member is known to be absent.
func insertClean(entries []setEntry, e setEntry, budget *int) {
	mask := uint64(len(entries) - 1)
	i, perturb := e.hash&mask, e.hash
	for *budget >= 0 {
		probes := uint64(0)
		if i+linearProbes <= mask {
			probes = linearProbes
		}
		for j := uint64(0); j <= probes; j++ {
			*budget--
			if !entries[i+j].full {
				entries[i+j] = e
				return
			}
		}
		perturb >>= perturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

// resize is set_table_resize: the smallest power of two above minUsed,
// members reinserted in the old table's slot order.
func (t *setTable) resize(minUsed int) {
	size := setMinSize
	for size <= minUsed {
		size <<= 1
	}
	if size == len(t.entries) {
		return // the small table, with no deleted slots to purge
	}
	old := t.entries
	t.entries = make([]setEntry, size)
	for _, e := range old {
		if e.full {
			insertClean(t.entries, e, &t.budget)
		}
	}
}

// merge is set_merge into an empty set: one resize for all of other, then
// the same slots when the sizes agree, else other's members reinserted in
// its slot order.
func (t *setTable) merge(other *setTable) {
	if other.used == 0 {
		return
	}
	if uint64(t.used+other.used)*5 >= t.mask()*3 {
		t.resize((t.used + other.used) * 2)
	}
	t.used = other.used
	if len(t.entries) == len(other.entries) {
		copy(t.entries, other.entries)
		return
	}
	for _, e := range other.entries {
		if e.full {
			insertClean(t.entries, e, &t.budget)
		}
	}
}

// members returns the members in iteration (slot) order.
func (t *setTable) members() []Value {
	out := make([]Value, 0, t.used)
	for _, e := range t.entries {
		if e.full {
			out = append(out, e.v)
		}
	}
	return out
}

// setOrders computes, for one Repr, the order each set display is printed
// in. It is one compilation's worth of state: CPython folds a display of
// three or more constants into a frozenset constant, and the compiler
// shares equal constants, so a display whose members equal an earlier
// one's is built from the earlier one's frozenset.
type setOrders struct {
	consts map[string]*setTable // folded frozenset constants, by constant key
	orders map[memoKey][]Value  // printed order of each display, by identity
	keys   keyIndex             // scratch for member equality
}

// order returns the members of a set (frozen false) or frozenset in the
// order Python prints them.
func (s *setOrders) order(elems []Value, frozen bool) []Value {
	if len(elems) == 0 {
		return elems
	}
	id := memoKey{&elems[0], len(elems), 's'}
	if frozen {
		id.kind = 'f'
	}
	if o, ok := s.orders[id]; ok {
		return o
	}
	o := s.evalDisplay(elems, frozen)
	if s.orders == nil {
		s.orders = make(map[memoKey][]Value)
	}
	s.orders[id] = o
	return o
}

// evalDisplay follows what eval does with the display {elems...} (and, for
// a frozenset, with frozenset({elems...})): displays nested in the members
// are compiled first, in source order; then the set is built.
func (s *setOrders) evalDisplay(elems []Value, frozen bool) []Value {
	for _, e := range elems {
		s.visitNested(e)
	}
	if len(elems) > maxOrderedSet {
		return elems
	}
	hashes := make([]uint64, len(elems))
	for i, e := range elems {
		h, ok := pyHash(e)
		if !ok {
			return elems
		}
		hashes[i] = h
	}
	set := newSetTable(&s.keys, len(elems))
	if len(elems) > 2 && allConstant(elems) {
		c := s.folded(elems, hashes)
		if c.budget < 0 {
			return elems
		}
		set.merge(c)
	} else {
		for i, e := range elems {
			set.add(e, hashes[i])
		}
	}
	if frozen {
		fs := newSetTable(&s.keys, len(elems))
		fs.merge(set)
		set = fs
	}
	if set.budget < 0 {
		return elems
	}
	return set.members()
}

// visitNested evaluates the displays inside a set member, in source order.
func (s *setOrders) visitNested(v Value) {
	switch x := v.(type) {
	case Tuple:
		for _, e := range x {
			s.visitNested(e)
		}
	case FrozenSet:
		s.order(x, true)
	}
}

// folded returns the frozenset constant the compiler makes of a display of
// constants: frozenset(members), rebuilt from its own iteration order when
// the compiler merges it into its constants, or the equal constant an
// earlier display left there.
func (s *setOrders) folded(elems []Value, hashes []uint64) *setTable {
	key := constSetKey(elems)
	if c, ok := s.consts[key]; ok {
		return c
	}
	first := newSetTable(&s.keys, len(elems))
	for i, e := range elems {
		first.add(e, hashes[i])
	}
	c := newSetTable(&s.keys, len(elems))
	for _, e := range first.entries {
		if e.full {
			c.add(e.v, e.hash)
		}
	}
	c.budget = min(c.budget, first.budget)
	if s.consts == nil {
		s.consts = make(map[string]*setTable)
	}
	s.consts[key] = c
	return c
}

// allConstant reports whether every member is a constant to the compiler:
// not a name (inf, nan) nor a call (frozenset(...)).
func allConstant(elems []Value) bool {
	for _, e := range elems {
		if !isConstant(e) {
			return false
		}
	}
	return true
}

func isConstant(v Value) bool {
	switch x := v.(type) {
	case nil, bool, int64, *big.Int, string, []byte:
		return true
	case float64:
		return !math.IsInf(x, 0) && !math.IsNaN(x)
	case Tuple:
		return allConstant(x)
	}
	return false
}

// constSetKey is the compiler's key for a frozenset constant
// (_PyCode_ConstantKey): equal for displays whose members are equal and of
// the same types, whatever their order. Unlike ==, it tells 1, 1.0 and
// True apart, and 0.0 from -0.0.
func constSetKey(elems []Value) string {
	keys := make([]string, len(elems))
	for i, e := range elems {
		keys[i] = string(appendConstKey(nil, e))
	}
	slices.Sort(keys)
	var b []byte
	for _, k := range keys {
		b = append(strconv.AppendInt(b, int64(len(k)), 10), ':')
		b = append(b, k...)
	}
	return string(b)
}

func appendConstKey(dst []byte, v Value) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, 'N')
	case bool:
		if x {
			return append(dst, "b1"...)
		}
		return append(dst, "b0"...)
	case int64:
		return strconv.AppendInt(append(dst, 'i'), x, 10)
	case *big.Int:
		return x.Append(append(dst, 'i'), 10)
	case float64:
		return strconv.AppendUint(append(dst, 'f'), math.Float64bits(x), 16)
	case string:
		return append(append(strconv.AppendInt(append(dst, 's'), int64(len(x)), 10), ':'), x...)
	case []byte:
		return append(append(strconv.AppendInt(append(dst, 'y'), int64(len(x)), 10), ':'), x...)
	case Tuple:
		dst = append(strconv.AppendInt(append(dst, 'T'), int64(len(x)), 10), '(')
		for _, e := range x {
			k := appendConstKey(nil, e)
			dst = append(append(strconv.AppendInt(dst, int64(len(k)), 10), ':'), k...)
		}
		return append(dst, ')')
	}
	return append(dst, '?')
}
