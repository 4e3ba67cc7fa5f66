package store

import (
	"strings"
	"sync"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// maxInterned bounds each intern table. Traffic with ever-new routes or
// properties (per-message routing keys, property message ids) would
// otherwise grow a table forever; when one is full it starts again empty,
// and records keep the values they already point to.
const maxInterned = 1 << 14

// interner shares the values that repeat from message to message, so a
// million messages on a few queues hold a few places, not a million. It has
// its own lock so that the store's lock is not held while hashing.
type interner struct {
	mu        sync.Mutex
	places    map[placeKey]*place
	lastPlace *place // most traffic repeats the previous message's route
	props     map[capture.Properties]*capture.Properties
	lastProps *capture.Properties // most traffic repeats the previous message's
	strs      map[string]neonwire.Value
	shapes    map[string]*dictShape // see packdict.go
	shapeKey  []byte                // where a shapes key is built, reused
	// recentShapes are the last shapes used, most traffic being a few
	// kinds of message (requests and their replies) in turn; nextRecent is
	// the one to replace next.
	recentShapes [4]*dictShape
	nextRecent   int
}

// place returns the shared place of m.
func (in *interner) place(m capture.Message, enc neonwire.Encoding) *place {
	k := placeOf(m, enc)
	in.mu.Lock()
	defer in.mu.Unlock()
	// Comparing with the last place is cheaper than hashing its six
	// strings for the map.
	if in.lastPlace != nil && in.lastPlace.placeKey == k {
		return in.lastPlace
	}
	p, ok := in.places[k]
	if !ok {
		if in.places == nil || len(in.places) >= maxInterned {
			in.places = make(map[placeKey]*place)
		}
		p = &place{placeKey: k, routed: m.RoutedQueues}
		in.places[k] = p
	}
	in.lastPlace = p
	return p
}

// properties returns the shared copy of p, or nil when p is empty (the
// common case for Neon traffic apart from expiration).
func (in *interner) properties(p capture.Properties) *capture.Properties {
	if p == (capture.Properties{}) {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.lastProps != nil && *in.lastProps == p {
		return in.lastProps
	}
	if q, ok := in.props[p]; ok {
		in.lastProps = q
		return q
	}
	if in.props == nil || len(in.props) >= maxInterned {
		in.props = make(map[capture.Properties]*capture.Properties)
	}
	// A copy of its own, not &p: taking p's address would move every
	// call's p to the heap, the common path above included.
	q := new(capture.Properties)
	*q = p
	in.props[p] = q
	in.lastProps = q
	return q
}

// placeOf returns the comparable route of m.
func placeOf(m capture.Message, enc neonwire.Encoding) placeKey {
	return placeKey{
		vhost:       m.VHost,
		exchange:    m.Exchange,
		routingKey:  m.RoutingKey,
		queue:       m.Queue,
		event:       m.Event,
		mode:        m.Mode,
		encoding:    enc,
		redelivered: m.Redelivered,
		unroutable:  m.Unroutable,
		routedKey:   strings.Join(m.RoutedQueues, "\x00"),
	}
}
