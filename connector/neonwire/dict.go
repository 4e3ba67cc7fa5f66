package neonwire

import "slices"

// Get returns the value of the str key key. A nil *Dict is empty.
func (d *Dict) Get(key string) (Value, bool) {
	if i := d.index(key); i >= 0 {
		return d.Items[i].Value, true
	}
	return nil, false
}

// Set gives the str key key the value v, in its place if the key is
// present, else as a new last item.
func (d *Dict) Set(key string, v Value) {
	if i := d.index(key); i >= 0 {
		d.Items[i].Value = v
		return
	}
	d.Items = append(d.Items, Item{Key: key, Value: v})
}

// Delete removes the str key key, keeping the order of the other items.
func (d *Dict) Delete(key string) {
	if i := d.index(key); i >= 0 {
		d.Items = slices.Delete(d.Items, i, i+1)
	}
}

// index is the position of the str key key, or -1. Only str keys match,
// as in Python, where 'a' == b'a' is false.
func (d *Dict) index(key string) int {
	if d == nil {
		return -1
	}
	for i, it := range d.Items {
		if k, ok := it.Key.(string); ok && k == key {
			return i
		}
	}
	return -1
}

// Lookup follows a path of str keys through nested dicts. An empty path
// returns v itself.
func Lookup(v Value, path ...string) (Value, bool) {
	for _, key := range path {
		d, ok := v.(*Dict)
		if !ok {
			return nil, false
		}
		if v, ok = d.Get(key); !ok {
			return nil, false
		}
	}
	return v, true
}

// MessageID returns the message_id Neon matches replies by, following
// neon_mq_connector exactly:
//
//	reply.get('context', reply).get('mq', reply).get('message_id')
//
// A missing 'context' means the reply itself; a missing 'mq' means the
// reply itself again (not the context). It returns "" when the id is not a
// str, or when Python would fail because a step is not a dict.
func MessageID(reply Value) string {
	r, ok := reply.(*Dict)
	if !ok {
		return ""
	}
	ctx, ok := getOr(r, "context", r).(*Dict)
	if !ok {
		return ""
	}
	mq, ok := getOr(ctx, "mq", r).(*Dict)
	if !ok {
		return ""
	}
	id, _ := getOr(mq, "message_id", nil).(string)
	return id
}

// getOr is Python's dict.get(key, def).
func getOr(d *Dict, key string, def Value) Value {
	if v, ok := d.Get(key); ok {
		return v
	}
	return def
}
