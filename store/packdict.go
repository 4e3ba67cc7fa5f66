package store

import (
	"encoding/binary"
	"unsafe"

	"mqscope/connector/neonwire"
)

// A Neon body is a dict of a handful of str keys, the same keys in the same
// order from message to message. A neonwire.Dict keeps every key next to
// its value, 32 bytes an item, and the slice of items behind a 24-byte
// Dict: half of it repeats what every other message of its kind holds. The
// store keeps such a dict packed instead: its keys once, in a dictShape
// shared by all the dicts with those keys, and per message only the
// values, 16 bytes each, behind the shape. Readers get a neonwire.Dict
// built anew (expand).

const (
	// maxPackedKeys is the most items a packed dict has: a larger dict's
	// keys seldom repeat as a whole, and the shapes table would hold them.
	maxPackedKeys = 16
	// maxShapes bounds the shapes table as maxInterned bounds the others.
	maxShapes = 1 << 12
	// shapeSize is what a dictShape itself takes (besides its keys and
	// last places), and shapeSlot what its
	// entry in the shapes table does (key string header and pointer, with
	// the map's share of control bytes and slack).
	shapeSize = int64(unsafe.Sizeof(dictShape{}))
	shapeSlot = 32
)

// dictShape is the str keys of packed dicts, in their order. The key
// values are the interner's shared strings.
type dictShape struct {
	keys []neonwire.Value
	// messageID and routingKey are the positions of those keys, -1 when
	// absent. A record's id and reply queue are derived from them whenever
	// asked (identify: on eviction, pairing and every read), so the shape
	// finds them once. plainID is set when there is neither a context nor
	// an mq key: then neonwire.MessageID is the message_id item.
	messageID, routingKey int8
	plainID               bool
	// last is what the last dict of this shape had at each place, for
	// shareLikeLast. Only the interner reads or writes it, under its lock.
	last []placeMemo
}

// newShape returns the shape of items, whose keys packable accepted.
func newShape(items []neonwire.Item) *dictShape {
	s := &dictShape{keys: sharedKeys(items), last: make([]placeMemo, len(items))}
	m, r, plain := idPositions(items)
	s.messageID, s.routingKey, s.plainID = int8(m), int8(r), plain
	return s
}

// packedDict is a dict as the store keeps it: one allocation of
// 1+len(keys) values, the first holding the *dictShape and the rest the
// item values in order. It is a single pointer, so a record's value holds
// it without a box of its own.
type packedDict struct {
	first *neonwire.Value
}

func (d packedDict) shape() *dictShape {
	return (*d.first).(*dictShape)
}

// values returns the item values, one per key of the shape.
func (d packedDict) values() []neonwire.Value {
	return unsafe.Slice(d.first, 1+len(d.shape().keys))[1:]
}

// expand returns the dict d packs, in into's place when into is not nil
// (reusing its items), else in a new Dict: readers each get their own, so
// none can change what the store keeps.
func (d packedDict) expand(into *neonwire.Dict) *neonwire.Dict {
	keys, vals := d.shape().keys, d.values()
	if into == nil {
		into = &neonwire.Dict{Items: make([]neonwire.Item, len(keys))}
	} else if cap(into.Items) < len(keys) {
		into.Items = make([]neonwire.Item, len(keys))
	}
	into.Items = into.Items[:len(keys)]
	for i, k := range keys {
		into.Items[i] = neonwire.Item{Key: k, Value: vals[i]}
	}
	return into
}

// dictSlab is where the entries copied out together expand their packed
// dicts: one allocation of dicts and one of items for the lot, instead of
// two per entry. reserve counts what each record needs, alloc makes the
// room. Each dict's items are capped at its length, so that a reader
// growing one never reaches into the next.
type dictSlab struct {
	dicts  []neonwire.Dict
	items  []neonwire.Item
	nd, ni int // dicts and items reserved
}

func (sl *dictSlab) reserve(r *record) {
	if d, ok := r.value.(packedDict); ok {
		sl.nd++
		sl.ni += len(d.shape().keys)
	}
}

func (sl *dictSlab) alloc() {
	sl.dicts, sl.items = make([]neonwire.Dict, sl.nd), make([]neonwire.Item, sl.ni)
	sl.nd, sl.ni = 0, 0
}

// expand returns d expanded into the slab, or into a dict of its own when
// there is no slab or no room left in it.
func (sl *dictSlab) expand(d packedDict) *neonwire.Dict {
	n := len(d.shape().keys)
	if sl == nil || len(sl.dicts) == 0 || len(sl.items) < n {
		return d.expand(nil)
	}
	into := &sl.dicts[0]
	into.Items = sl.items[:0:n]
	sl.dicts, sl.items = sl.dicts[1:], sl.items[n:]
	return d.expand(into)
}

// packable reports whether d is kept packed: between one and
// maxPackedKeys items, every key a str short enough to be shared (so
// sharing already made it the interner's copy).
func packable(d *neonwire.Dict) bool {
	return len(d.Items) > 0 && len(d.Items) <= maxPackedKeys && shortStrKeys(d.Items)
}

// pack returns the packed form of d, which packable accepted, and the
// bytes it holds in place of d's Dict and items: its values array and,
// when its shape is new, the shape. Only a dict the store owns is packed:
// its values are shared with d, not copied.
func (in *interner) pack(d *neonwire.Dict) (packedDict, int64) {
	shape, held := in.shape(d.Items)
	vals := make([]neonwire.Value, 1+len(d.Items))
	vals[0] = shape
	for i, it := range d.Items {
		vals[1+i] = it.Value
	}
	return packedDict{first: &vals[0]}, held + allocSize(len(vals)*ifaceSize)
}

// shape returns the shared shape of items' keys and what it holds when it
// is new (the message that makes it counts it, as with shared strings).
func (in *interner) shape(items []neonwire.Item) (*dictShape, int64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if s := in.recentShape(items); s != nil {
		return s, 0
	}
	s, held := in.lookupShape(items)
	in.recentShapes[in.nextRecent] = s
	in.nextRecent = (in.nextRecent + 1) % len(in.recentShapes)
	return s, held
}

// lookupShape is shape through the shapes table. The caller holds in.mu.
func (in *interner) lookupShape(items []neonwire.Item) (*dictShape, int64) {
	key := in.shapeKey[:0]
	for _, it := range items {
		k := it.Key.(string)
		key = binary.AppendUvarint(key, uint64(len(k)))
		key = append(key, k...)
	}
	in.shapeKey = key
	if s, ok := in.shapes[string(key)]; ok {
		return s, 0
	}
	if in.shapes == nil || len(in.shapes) >= maxShapes {
		in.shapes = make(map[string]*dictShape)
	}
	s := newShape(items)
	in.shapes[string(key)] = s
	return s, allocSize(int(shapeSize)) + allocSize(len(items)*ifaceSize) + allocSize(len(items)*placeMemoSize) +
		allocSize(len(key)) + shapeSlot
}

// dictHeld is what a Dict and its items array take besides the keys and
// values, as sizer counts them.
func dictHeld(d *neonwire.Dict) int64 {
	return allocSize(dictSize) + allocSize(cap(d.Items)*itemSize)
}
