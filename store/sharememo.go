package store

import (
	"unsafe"

	"mqscope/connector/neonwire"
)

// A Neon body has the keys of one of a few recent shapes, and most of its
// short values (service, language, reply queue, the keys and values of a
// nested data or context dict) are the ones the last body of that shape had
// at the same place. Comparing them with what that body had there is
// cheaper than hashing each into the intern table, which cost more than
// all the rest of the store's share of an append. A message id, new each
// time, still goes through the table.

// maxMemoDepth is how deep into nested dicts places are remembered.
const maxMemoDepth = 4

// placeMemo is what the last dict of a shape had at one place: a shared
// str, or a dict, whose keys and places are remembered in turn. Memos are
// bounded by the shapes table (maxShapes), maxPackedKeys and maxMemoDepth,
// and are not counted, as the intern tables are not.
type placeMemo struct {
	str  neonwire.Value // a shared str, or nil
	dict *dictMemo
}

// placeMemoSize is what one place of a shape takes.
const placeMemoSize = int(unsafe.Sizeof(placeMemo{}))

// dictMemo is a nested dict's shared keys (nil when one is not a str) and
// what it had at each place.
type dictMemo struct {
	keys   []neonwire.Value
	places []placeMemo
}

// shareLikeLast is sizer.walk of the items of a top-level dict, with the
// interner's lock held.
func (in *interner) shareLikeLast(z *sizer, items []neonwire.Item) int64 {
	shape := in.recentShape(items)
	if shape == nil {
		return in.shareItems(z, nil, nil, items, 0)
	}
	return in.shareItems(z, shape.keys, shape.last, items, 0)
}

// shareItems walks the items of a dict at depth, whose keys are keys when
// not nil, and whose places were last as places (nil: not remembered).
func (in *interner) shareItems(z *sizer, keys []neonwire.Value, places []placeMemo, items []neonwire.Item, depth int) int64 {
	var n int64
	for i := range items {
		it := &items[i]
		if keys != nil {
			it.Key = keys[i]
		} else {
			n += z.walkIn(&it.Key, depth+1)
		}
		if places == nil {
			n += z.walkIn(&it.Value, depth+1)
		} else {
			n += in.shareAt(z, &places[i], &it.Value, depth+1)
		}
	}
	return n
}

// shareAt walks the value at p, using and then updating what was last at
// its place.
func (in *interner) shareAt(z *sizer, last *placeMemo, p *neonwire.Value, depth int) int64 {
	switch v := (*p).(type) {
	case string:
		if last.str != nil && last.str.(string) == v {
			*p = last.str
			return 0
		}
		n := z.walkIn(p, depth)
		*last = placeMemo{}
		if s, ok := (*p).(string); ok && len(s) <= maxSharedLen {
			last.str = *p
		}
		return n
	case *neonwire.Dict:
		if depth <= maxMemoDepth && len(v.Items) <= maxPackedKeys {
			return dictHeld(v) + in.shareDict(z, last, v.Items, depth)
		}
	}
	*last = placeMemo{}
	return z.walkIn(p, depth)
}

// shareDict walks a nested dict's items like the last dict at its place:
// values are compared with what that one had, and its keys taken when
// they are the same.
func (in *interner) shareDict(z *sizer, last *placeMemo, items []neonwire.Item, depth int) int64 {
	m := last.dict
	if m == nil || len(m.places) != len(items) {
		m = &dictMemo{places: make([]placeMemo, len(items))}
		*last = placeMemo{dict: m}
	}
	if m.keys != nil && keysFit(m.keys, items) {
		return in.shareItems(z, m.keys, m.places, items, depth)
	}
	n := in.shareItems(z, nil, m.places, items, depth)
	m.keys = sharedKeys(items)
	return n
}

// keysFit reports whether items have the str keys keys, in order. Keys
// shared by the interner are the same strings, so comparing them mostly
// compares pointers.
func keysFit(keys []neonwire.Value, items []neonwire.Item) bool {
	if len(items) != len(keys) {
		return false
	}
	for i, it := range items {
		if k, ok := it.Key.(string); !ok || k != keys[i].(string) {
			return false
		}
	}
	return true
}

// shortStrKeys reports whether every key of items is a str short enough
// to be shared.
func shortStrKeys(items []neonwire.Item) bool {
	for _, it := range items {
		if k, ok := it.Key.(string); !ok || len(k) > maxSharedLen {
			return false
		}
	}
	return true
}

// sharedKeys returns the keys of items, which sharing has just made the
// interner's, or nil when one is not a str short enough to be shared.
func sharedKeys(items []neonwire.Item) []neonwire.Value {
	if !shortStrKeys(items) {
		return nil
	}
	keys := make([]neonwire.Value, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	return keys
}

// recentShape returns the recent shape whose keys items have, or nil. The
// caller holds in.mu.
func (in *interner) recentShape(items []neonwire.Item) *dictShape {
	for _, s := range in.recentShapes {
		if s != nil && keysFit(s.keys, items) {
			return s
		}
	}
	return nil
}
