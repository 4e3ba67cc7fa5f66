package store

import (
	"bytes"
	"math"
	"time"
	"unsafe"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// Pair links a request and its reply.
type Pair struct {
	Seq     uint64        // the other side
	Latency time.Duration // reply time minus request time
	IsReply bool          // this entry is the reply
}

// Entry is one retained message as handed to readers. It is a copy: the
// store never changes an Entry after returning it. Body, Headers,
// RoutedQueues and Decoded.Value are shared with the store and must be
// treated as read-only.
type Entry struct {
	Seq     uint64
	Msg     capture.Message
	Decoded neonwire.Decoded
	// MessageID is the id the message is indexed under: for a request (its
	// body has message_id and routing_key) its own message_id, which its
	// reply carries back; otherwise the id Neon matches replies by
	// (context.mq.message_id, else message_id); else properties.message_id.
	MessageID  string
	ReplyQueue string // for a request, the queue its reply will arrive on
	Size       int    // len(Msg.Body)
	Pair       *Pair  // nil until the other side is known
	// Origin is the seq of an earlier sighting of this very message (the
	// firehose publish of a delivered message, mqscope's own send of a
	// message the firehose also saw), 0 if none.
	Origin uint64
}

// record is the compact form a message is retained in. Everything that
// repeats from message to message (names, event, mode, encoding, flags,
// properties, a dict's keys) is interned and shared, what is rare (headers,
// a decode error) sits behind one pointer, and links to other records are
// stored as distances back, so a record is 104 bytes besides its body and
// decoded value. What can be derived from those is derived when asked, not
// kept: the text body filters search (appendSearchText), and the message
// id and reply queue (identify).
type record struct {
	at      int64               // Message.Time as Unix nanoseconds (zeroTime for the zero Time)
	where   *place              // interned
	props   *capture.Properties // interned; nil when all empty
	extra   *recordExtra        // nil when there is none
	body    []byte
	value   neonwire.Value // the decoded value, or its stored form: see shareBody and packdict.go
	pairSeq uint64         // the other side of the pair, pairIsReply set on a reply; 0 when unpaired
	latency time.Duration
	size    int64 // what it counts against MaxBytes (see cost), and the superseded flag
	// originBack and prevBack are this record's seq minus the seq of its
	// Origin and of the previous retained record with the same id; 0 when
	// there is none.
	originBack, prevBack uint32
}

// recordExtra holds the parts of a message that Neon traffic rarely has.
type recordExtra struct {
	headers map[string]any
	decErr  error
}

// pairIsReply marks record.pairSeq on the reply side of a pair. Sequence
// numbers never come near 2^63.
const pairIsReply = 1 << 63

func (r *record) paired() bool { return r.pairSeq != 0 }

// recordOverhead is what a retained message holds besides its body,
// decoded value and headers: the record itself (in its ring block),
// its entry in the id index and its share of the interning tables.
// BenchmarkMemoryPerMessage checks the whole estimate against the heap.
const recordOverhead = int64(unsafe.Sizeof(record{})) + 64

// cost is what a record counts against MaxBytes, so that the byte budget
// bounds the store's real memory rather than only its bodies.
func (r *record) cost() int64 {
	return r.size &^ superseded
}

// superseded marks record.size once a newer record with the same id has
// been appended: the id index points past it for good, so its eviction
// need not derive its id, which would fetch its value from memory long
// out of the CPU's caches (for Neon traffic, every request). Sizes never
// come near 2^62.
const superseded = 1 << 62

func (r *record) isSuperseded() bool { return r.size&superseded != 0 }

// measure sets the record's size: everything it holds that is its own.
// valueBytes is what its decoded value holds (sizer), 0 when the value
// shares the body. A body is counted at its capacity: the client assembles
// it by appending frames, and the whole array is kept.
func (r *record) measure(valueBytes int64) {
	n := recordOverhead + allocSize(cap(r.body)) + valueBytes + headersSize(r.headers())
	if r.extra != nil {
		n += allocSize(int(unsafe.Sizeof(recordExtra{})))
		if r.extra.decErr != nil {
			n += errorSize
		}
	}
	r.size = n
}

func (r *record) headers() map[string]any {
	if r.extra == nil {
		return nil
	}
	return r.extra.headers
}

func (r *record) decErr() error {
	if r.extra == nil {
		return nil
	}
	return r.extra.decErr
}

// pair returns a fresh copy of the record's pairing: an Entry's Pair is
// never changed after the Entry is returned.
func (r *record) pair() *Pair {
	if !r.paired() {
		return nil
	}
	return &Pair{Seq: r.pairSeq &^ pairIsReply, Latency: r.latency, IsReply: r.pairSeq&pairIsReply != 0}
}

// back returns seq - d, or 0 when d is 0 (no link).
func back(seq uint64, d uint32) uint64 {
	if d == 0 {
		return 0
	}
	return seq - uint64(d)
}

// distance returns seq - older as a link, 0 (none) when it does not fit.
func distance(seq, older uint64) uint32 {
	if older == 0 || seq-older > math.MaxUint32 {
		return 0
	}
	return uint32(seq - older)
}

// place is the part of a message shared by many others on the same route.
type place struct {
	placeKey
	routed []string
}

// placeKey is the comparable form of a place, used to intern it.
type placeKey struct {
	vhost, exchange, routingKey, queue string
	event                              capture.Event
	mode                               capture.Mode
	encoding                           neonwire.Encoding
	redelivered, unroutable            bool
	routedKey                          string // RoutedQueues joined by NUL
}

// zeroTime stands for the zero time.Time, whose UnixNano is not defined.
const zeroTime = math.MinInt64

func timeToNanos(t time.Time) int64 {
	if t.IsZero() {
		return zeroTime
	}
	return t.UnixNano()
}

func nanosToTime(n int64) time.Time {
	if n == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// entry expands a record into the Entry readers see. Time comes back in the
// local zone without its monotonic reading; it is the same instant.
//
// A packed dict is expanded into sl (see dictSlab), which may be nil.
func (r *record) entry(seq uint64, sl *dictSlab) Entry {
	e := r.entryWithoutValue(seq)
	e.Decoded.Value = r.decodedValue(sl)
	return e
}

// entryWithoutValue is entry without the decoded value, which for a packed
// dict is the costly part of a copy.
func (r *record) entryWithoutValue(seq uint64) Entry {
	p := r.where
	id, replyQ := identify(p, r.props, r.value)
	m := capture.Message{
		Time:         nanosToTime(r.at),
		VHost:        p.vhost,
		Exchange:     p.exchange,
		RoutingKey:   p.routingKey,
		Queue:        p.queue,
		Event:        p.event,
		Mode:         p.mode,
		Headers:      r.headers(),
		Body:         r.body,
		Redelivered:  p.redelivered,
		Unroutable:   p.unroutable,
		RoutedQueues: p.routed,
	}
	if r.props != nil {
		m.Properties = *r.props
	}
	return Entry{
		Seq:        seq,
		Msg:        m,
		Decoded:    neonwire.Decoded{Encoding: p.encoding, Err: r.decErr()},
		MessageID:  id,
		ReplyQueue: replyQ,
		Size:       len(r.body),
		Pair:       r.pair(),
		Origin:     back(seq, r.originBack),
	}
}

// recordIDs are what a new record is indexed and paired under: its id and
// the reply queue a request names (identify), derived once, before the lock.
type recordIDs struct{ id, replyQueue string }

// prepare builds the record of a message and returns it with the ids it is
// indexed and paired under. It runs before the store's lock is taken, so
// everything derived from the body is computed here. valueBytes is what
// d.Value holds (see sizer); own is as for appendSized.
func (s *Store) prepare(m capture.Message, d neonwire.Decoded, valueBytes int64, own bool) (record, recordIDs) {
	rec := record{
		at:    timeToNanos(m.Time),
		where: s.intern.place(m, d.Encoding),
		props: s.intern.properties(m.Properties),
		body:  m.Body,
	}
	value, shared := shareBody(d, m.Body)
	if dict, ok := value.(*neonwire.Dict); ok && own && packable(dict) {
		packed, held := s.intern.pack(dict)
		value, valueBytes = packed, valueBytes-dictHeld(dict)+held
	}
	rec.value = value
	var ids recordIDs
	ids.id, ids.replyQueue = identify(rec.where, rec.props, value) // packed, its shape knows where to look
	if len(m.Headers) > 0 || d.Err != nil {
		rec.extra = &recordExtra{decErr: d.Err}
		if len(m.Headers) > 0 {
			rec.extra.headers = m.Headers
		}
	}
	if shared {
		valueBytes = 0
	}
	rec.measure(valueBytes)
	return rec, ids
}

// arrivedOn reports whether a message with this route reached queue q:
// it was seen on q, the broker routed it to q, or it was published to the
// default exchange, which routes by queue name.
func (p *place) arrivedOn(q string) bool {
	if p.queue == q || (p.exchange == "" && p.routingKey == q) {
		return true
	}
	for _, r := range p.routed {
		if r == q {
			return true
		}
	}
	return false
}

// hasDestination reports whether the route names any queue at all.
func (p *place) hasDestination() bool {
	return p.queue != "" || len(p.routed) > 0 || (p.exchange == "" && p.routingKey != "")
}

// textIsBody stands in a record's value for a text body's string, which
// is the body itself: keeping both would double the memory of text traffic.
type textIsBody struct{}

// shareBody returns the value to retain for d: for text and binary bodies,
// whose decoded value repeats the body, a form that shares the body's bytes
// (and shared is true).
func shareBody(d neonwire.Decoded, body []byte) (v neonwire.Value, shared bool) {
	switch v := d.Value.(type) {
	case string:
		if d.Encoding == neonwire.EncText && v == string(body) {
			return textIsBody{}, true
		}
	case []byte:
		if d.Encoding == neonwire.EncBinary && bytes.Equal(v, body) {
			return body, true
		}
	}
	return d.Value, false
}

// decodedValue is the inverse of shareBody and of packing: a packed dict
// comes back as a Dict of the reader's own, expanded into sl (which may be
// nil).
func (r *record) decodedValue(sl *dictSlab) neonwire.Value {
	if d, ok := r.value.(packedDict); ok {
		return sl.expand(d)
	}
	return r.textValue()
}

// textValue is the inverse of shareBody alone: r.value, but the string of
// a text body in place of textIsBody. That string shares the body's bytes
// instead of copying them: a copy per read made every frame that showed a
// 16 MiB text body allocate 16 MiB. Sharing is safe because nothing
// changes a retained body: the store never does, and Append forbids its
// caller to.
func (r *record) textValue() neonwire.Value {
	if _, ok := r.value.(textIsBody); ok {
		return unsafe.String(unsafe.SliceData(r.body), len(r.body))
	}
	return r.value
}
