package store

import (
	"math/big"
	"slices"
	"strings"
	"time"

	"mqscope/connector/neonwire"
)

// What a retained message holds is counted against MaxBytes as the heap it
// really takes, so that the budget bounds memory whatever the bodies: a
// 25 MB dict literal decodes to several times its size in boxes, slices
// and strings. The estimate follows Go's allocator on 64-bit platforms
// (size classes, the 16-byte box of a string or slice put in an
// interface) and errs on the high side; TestCountedBytesCoverTheHeap and
// BenchmarkMemoryPerMessage compare it with runtime.MemStats.

// sizeClasses are the Go allocator's small object sizes (the runtime's
// internal/runtime/gc.SizeClassToSize); larger objects take whole 8 KiB
// pages. The 8-byte class is left out: objects that small without
// pointers (an int's box, a short string's bytes) share 16-byte blocks,
// which live as long as any object in them does, and the race detector
// gives each its own.
var sizeClasses = []int{16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
	2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
	10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

const pageSize = 8192

// smallClasses maps (n+7)/8 to the size class of an n-byte object, for
// n up to 1024 (as the runtime's size_to_class8 does): every value and
// record an append counts is that small, and the search took a tenth of
// the store's share of an append.
var smallClasses = func() (t [1024/8 + 1]uint16) {
	for i := 1; i < len(t); i++ {
		j, _ := slices.BinarySearch(sizeClasses, i*8)
		t[i] = uint16(sizeClasses[j])
	}
	return t
}()

// allocSize is what the allocator hands out for an n-byte object.
func allocSize(n int) int64 {
	if n <= 0 {
		return 0
	}
	if n <= 1024 {
		return int64(smallClasses[(n+7)/8])
	}
	if i, _ := slices.BinarySearch(sizeClasses, n); i < len(sizeClasses) {
		return int64(sizeClasses[i])
	}
	return int64((n + pageSize - 1) / pageSize * pageSize)
}

// Sizes of the parts of a value, on 64-bit platforms.
const (
	ifaceSize  = 16 // an interface value: type and data words
	strHeader  = 16 // the box of a string held in an interface
	sliceBox   = 24 // the box of a slice held in an interface
	scalarBox  = 8  // the box of an int64 or float64
	itemSize   = 32 // a neonwire.Item: two interfaces
	dictSize   = 24 // a neonwire.Dict: its Items slice
	bigIntSize = 32 // a big.Int: sign and word slice
	timeBox    = 24 // the box of a time.Time
	errorSize  = 128
)

// stringSize is what a string held in an interface takes: its box and
// its bytes.
func stringSize(n int) int64 {
	return allocSize(strHeader) + allocSize(n)
}

// sizer walks a decoded value (or a header table) and adds up what it
// holds besides the interface that holds it.
//
// With an interner (values freshly decoded, which nobody else has seen)
// it also replaces short strings by copies shared between messages, and
// counts a shared string as free: an earlier message counted it. With
// detach it replaces every other string by a copy of its own: a Neon
// literal's strings are slices of the literal's whole text, and one of
// them kept would keep that text alive, which would not be counted.
// Without an interner it only counts, every string in full.
type sizer struct {
	in     *interner
	detach bool
}

// walk returns v, or what replaces it, and the bytes it holds. depth bounds
// only the sharing (maxShareDepth), not the count.
func (z *sizer) walk(v neonwire.Value, depth int) (neonwire.Value, int64) {
	switch x := v.(type) {
	case nil, bool:
		return v, 0
	case string:
		return z.str(v, x, depth)
	case int64, float64:
		return v, scalarBox
	case *neonwire.Dict:
		n := allocSize(dictSize) + allocSize(cap(x.Items)*itemSize)
		if z.in != nil && depth == 0 {
			return v, n + z.in.shareLikeLast(z, x.Items)
		}
		for i := range x.Items {
			it := &x.Items[i]
			n += z.walkIn(&it.Key, depth+1) + z.walkIn(&it.Value, depth+1)
		}
		return v, n
	case neonwire.List:
		return v, z.elems(x, depth)
	case neonwire.Tuple:
		return v, z.elems(x, depth)
	case neonwire.Set:
		return v, z.elems(x, depth)
	case neonwire.FrozenSet:
		return v, z.elems(x, depth)
	case []any:
		return v, z.elems(x, depth)
	case map[string]any:
		return v, z.table(x, depth)
	case []byte:
		return v, allocSize(sliceBox) + allocSize(cap(x))
	case *big.Int:
		return v, allocSize(bigIntSize) + allocSize(cap(x.Bits())*8)
	case time.Time:
		return v, allocSize(timeBox)
	}
	return v, allocSize(ifaceSize) // other header numbers: a small box
}

// elems counts a slice of values and what they hold.
func (z *sizer) elems(x []neonwire.Value, depth int) int64 {
	n := allocSize(sliceBox) + allocSize(cap(x)*ifaceSize)
	for i := range x {
		n += z.walkIn(&x[i], depth+1)
	}
	return n
}

// walkIn walks the value at p, putting back what replaces it. Only a walk
// with an interner replaces anything, and only then writes: other walks
// may count values that other goroutines read.
func (z *sizer) walkIn(p *neonwire.Value, depth int) int64 {
	v, n := z.walk(*p, depth)
	if z.in != nil {
		*p = v
	}
	return n
}

// table counts a header table: a Go map, its keys and its values. Header
// tables are never shared, so their strings are only counted.
func (z *sizer) table(m map[string]any, depth int) int64 {
	n := mapSize(len(m))
	for k, v := range m {
		_, vn := (&sizer{}).walk(v, depth+1)
		n += allocSize(len(k)) + vn
	}
	return n
}

// mapSize estimates a map of n entries with string keys and interface
// values: groups of 8 slots of 32 bytes and a control word, behind a
// header. A map of more than 8 entries keeps them in tables that are
// filled to 7/8 at most and to half that just after they grow or split.
func mapSize(n int) int64 {
	const header, group = 48, 8 + 8*32
	groups := 1
	if n > 8 {
		groups = (n*2 + 6) / 7
	}
	return header + int64(groups)*allocSize(group)
}

// str counts (and, when the walk may, shares or detaches) a string.
func (z *sizer) str(v neonwire.Value, s string, depth int) (neonwire.Value, int64) {
	if z.in == nil {
		return v, stringSize(len(s))
	}
	if len(s) <= maxSharedLen && depth <= maxShareDepth {
		shared, fresh := z.in.share(v, s, z.detach)
		if !fresh {
			return shared, 0
		}
		return shared, stringSize(len(s))
	}
	if z.detach {
		v = strings.Clone(s)
	}
	return v, stringSize(len(s))
}

// valueSize counts v without changing it: for values that may already be
// in other hands.
func valueSize(v neonwire.Value) int64 {
	_, n := (&sizer{}).walk(v, 0)
	return n
}

// headersSize counts a message's header table.
func headersSize(h map[string]any) int64 {
	if h == nil {
		return 0
	}
	return (&sizer{}).table(h, 0)
}
