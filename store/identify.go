package store

import (
	"cmp"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// identify returns the id a message on route p with properties props
// (nil when empty) and decoded value v (as decoded or as the store keeps
// it) is indexed under and, when it is a request, the queue its reply
// will arrive on. A body with message_id and routing_key is a request
// unless it is already on that routing key's queue: Neon replies often
// echo routing_key back.
//
// A record keeps neither: both are derived from what it keeps whenever
// asked (eviction, pairing, every read), which saves 32 bytes a message
// and, for a packed dict, costs a few comparisons (its shape knows where
// the keys are).
func identify(p *place, props *capture.Properties, v neonwire.Value) (id, replyQueue string) {
	own, rk, plain := idItems(v)
	if q := requestQueue(p, own, rk); q != "" {
		return own, q
	}
	if !plain {
		own = messageID(v)
	}
	if own != "" {
		return own, ""
	}
	return propsID(props), ""
}

// requestQueue returns rk when a body with message_id own and routing_key
// rk, on route p, is a request (identify), else "".
func requestQueue(p *place, own, rk string) string {
	if own != "" && rk != "" && !p.arrivedOn(rk) {
		return rk
	}
	return ""
}

// propsID is the id of last resort: the message_id property.
func propsID(props *capture.Properties) string {
	if props == nil {
		return ""
	}
	return props.MessageID
}

// id returns the id r is indexed under (identify). Eviction asks it of
// the oldest record: for a dict without context or mq keys, whose id is
// its message_id whether or not it is a request, whether it is one is not
// worked out.
func (r *record) id() string {
	if own, _, plain := idItems(r.value); plain {
		return cmp.Or(own, propsID(r.props))
	}
	id, _ := identify(r.where, r.props, r.value)
	return id
}

// replyQueue returns, when r is a request, the queue its reply will arrive
// on (identify), else "": pairing asks it of every record it walks past,
// and it needs no id for that.
func (r *record) replyQueue() string {
	own, rk, _ := idItems(r.value)
	return requestQueue(r.where, own, rk)
}

// idItems returns the str values of message_id and routing_key in v, a
// dict packed or not ("" for one that is missing or no str), and plain:
// whether neonwire.MessageID of v is its message_id item, as it is for
// any dict without context or mq keys (and "" for anything else).
func idItems(v neonwire.Value) (own, routingKey string, plain bool) {
	switch d := v.(type) {
	case *neonwire.Dict:
		m, r, plain := idPositions(d.Items)
		return itemString(d.Items, m), itemString(d.Items, r), plain
	case packedDict:
		s := d.shape()
		return d.str(s.messageID), d.str(s.routingKey), s.plainID
	}
	return "", "", true
}

// idPositions returns where the first str keys message_id and routing_key
// are among items, -1 when absent (the items neonwire.Dict.Get finds), and
// whether there is neither a context nor an mq key.
func idPositions(items []neonwire.Item) (own, routingKey int, plain bool) {
	own, routingKey, plain = -1, -1, true
	for i, it := range items {
		switch k, _ := it.Key.(string); {
		case k == "message_id" && own < 0:
			own = i
		case k == "routing_key" && routingKey < 0:
			routingKey = i
		case k == "context" || k == "mq":
			plain = false
		}
	}
	return own, routingKey, plain
}

// itemString returns the value of items[i] if it is a str, else "" (also
// when i is -1).
func itemString(items []neonwire.Item, i int) string {
	if i < 0 {
		return ""
	}
	s, _ := items[i].Value.(string)
	return s
}

// str is itemString for a packed dict.
func (d packedDict) str(i int8) string {
	if i < 0 {
		return ""
	}
	s, _ := d.values()[i].(string)
	return s
}

// messageID is neonwire.MessageID of v, a dict packed or not; a packed
// dict is expanded on the stack for it.
func messageID(v neonwire.Value) string {
	d, ok := v.(packedDict)
	if !ok {
		return neonwire.MessageID(v)
	}
	var items [maxPackedKeys]neonwire.Item
	keys, vals := d.shape().keys, d.values()
	for i, k := range keys {
		items[i] = neonwire.Item{Key: k, Value: vals[i]}
	}
	return neonwire.MessageID(&neonwire.Dict{Items: items[:len(keys)]})
}
