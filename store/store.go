// Package store holds the messages mqscope has captured: a bounded in-memory
// buffer with sequence numbers, request/reply pairing by Neon message_id,
// filters, filtered views that update incrementally, and change
// notification. The TUI and `mqscope tail` render from it.
//
// Appending never waits for readers for longer than a short critical
// section: decoding and everything derived from the body happen before the
// lock is taken, and readers copy small windows or scan in bounded chunks.
package store

import (
	"fmt"
	"sync"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// Default budgets, used when Options leaves a field at zero.
const (
	DefaultMaxBytes    int64 = 256 << 20
	DefaultMaxMessages       = 1_000_000
	// DefaultMaxDecodeBytes is the longest body decoded by default: 16 MiB
	// is what a service sending files or embeddings produces, and what a
	// body that size decodes to stays within a few times its size.
	DefaultMaxDecodeBytes = 16 << 20
)

// EncUndecoded labels a body longer than the decode limit: it is kept and
// shown as its wire bytes, and Decoded.Err (an *UndecodedError) says why.
const EncUndecoded neonwire.Encoding = capture.Undecoded

// Options bound what a Store retains. When either budget is exceeded the
// oldest messages are evicted. Zero (or negative) means the default.
type Options struct {
	MaxBytes    int64 // budget for the memory retained messages hold (see cost)
	MaxMessages int   // budget for the number of retained messages
	// MaxDecodeBytes is the longest body Decode decodes; a longer one is
	// labelled EncUndecoded. Decoding a literal takes several times its
	// size in memory while it runs and, for a dict of many small items,
	// once it is kept.
	MaxDecodeBytes int
}

// UndecodedError is the Decoded.Err of a body longer than the decode limit.
type UndecodedError struct {
	Size  int // the body's length
	Limit int // the store's MaxDecodeBytes
}

func (e *UndecodedError) Error() string {
	return fmt.Sprintf("not decoded: the body is %s, over the %s decode limit (mqscope.store.max_decode_bytes); it is shown as sent",
		sizeText(e.Size), sizeText(e.Limit))
}

// sizeText writes a byte count for people: "16 MiB", "50.0 MiB (52428800
// bytes)", "512 bytes".
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Stats describe a Store at one moment.
type Stats struct {
	Total   uint64 // messages ever appended (Clear does not reset it)
	Evicted uint64 // messages dropped to stay within the budgets
	Count   int    // messages retained now
	Bytes   int64  // memory retained messages hold now, as estimated by cost
	Paired  uint64 // replies matched to a request
}

// Store is the captured-message buffer. All methods are safe for concurrent
// use: many goroutines may Append while others read.
type Store struct {
	maxBytes    int64
	maxMessages int
	maxDecode   int
	changed     chan struct{}
	intern      interner

	mu      sync.RWMutex
	ring    ring
	ids     map[string]uint64 // message id → newest retained seq indexed under it
	bytes   int64
	total   uint64
	evicted uint64
	paired  uint64
}

// New returns an empty Store with the given budgets.
func New(opts Options) *Store {
	s := &Store{
		maxBytes:    opts.MaxBytes,
		maxMessages: opts.MaxMessages,
		maxDecode:   opts.MaxDecodeBytes,
		changed:     make(chan struct{}, 1),
		ids:         make(map[string]uint64),
		ring:        newRing(1),
	}
	if s.maxBytes <= 0 {
		s.maxBytes = DefaultMaxBytes
	}
	if s.maxMessages <= 0 {
		s.maxMessages = DefaultMaxMessages
	}
	if s.maxDecode <= 0 {
		s.maxDecode = DefaultMaxDecodeBytes
	}
	return s
}

// Append decodes m's body and stores it, returning its sequence number
// (the first is 1). The store keeps m.Body, m.Headers and m.RoutedQueues
// without copying them: the caller must not change them afterwards.
func (s *Store) Append(m capture.Message) uint64 {
	d, size := s.decodeOr(m.Body, m.Decoded)
	m.Decoded = nil
	return s.appendSized(m, d, size, true)
}

// Decode decodes a body as neonwire.Decode does, unless it is longer than
// MaxDecodeBytes (then it is labelled EncUndecoded), and makes the strings
// that repeat between messages (dict keys, names, ids) share memory with
// those already stored: a retained Neon message is about 90 bytes smaller
// than with a plain decode. Use it for bodies meant for AppendDecoded. The
// result is not changed afterwards, so it can be handed to other readers.
func (s *Store) Decode(body []byte) neonwire.Decoded {
	d, _ := s.decode(body)
	return d
}

// decode is Decode that also returns what the decoded value holds, as
// sizer counts it.
func (s *Store) decode(body []byte) (neonwire.Decoded, int64) {
	return s.decodeOr(body, nil)
}

// decodeOr is decode that takes over made, a decoding of body its
// capturer already made that nobody else holds (capture.Message.Decoded),
// instead of decoding again; made is nil when there is none.
func (s *Store) decodeOr(body []byte, made *neonwire.Decoded) (neonwire.Decoded, int64) {
	if len(body) > s.maxDecode {
		return neonwire.Decoded{Encoding: EncUndecoded, Err: &UndecodedError{Size: len(body), Limit: s.maxDecode}}, 0
	}
	var d neonwire.Decoded
	if made != nil {
		d = *made
	} else {
		d = neonwire.Decode(body)
	}
	var size int64
	d.Value, size = s.intern.shareStrings(d.Value, d.Encoding == neonwire.EncNeon)
	return d, size
}

// AppendDecoded stores m with a decoding the caller already made of m.Body
// (best with Decode), so a body is never decoded twice. The store keeps
// d.Value as it is (it does not pack it: see packdict.go) and never
// changes it. Ownership of m is as for Append.
func (s *Store) AppendDecoded(m capture.Message, d neonwire.Decoded) uint64 {
	return s.appendSized(m, d, valueSize(d.Value), false)
}

// appendSized is AppendDecoded with what d.Value holds already counted.
// own says that d is the store's own decoding (decodeOr), whose dict it
// may keep packed.
func (s *Store) appendSized(m capture.Message, d neonwire.Decoded, valueBytes int64, own bool) uint64 {
	rec, ids := s.prepare(m, d, valueBytes, own)
	s.mu.Lock()
	seq := s.insert(rec, ids)
	s.mu.Unlock()
	s.notify()
	return seq
}

// Changed returns a channel that receives a value after the store changed
// (append, pairing, Clear). It has capacity one and is signalled without
// blocking, so many changes between two reads collapse into one wake-up;
// the reader then pulls everything new in one call.
func (s *Store) Changed() <-chan struct{} {
	return s.changed
}

// Len returns the number of retained messages.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ring.len()
}

// Stats returns the counters and the current occupancy.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Stats{
		Total:   s.total,
		Evicted: s.evicted,
		Count:   s.ring.len(),
		Bytes:   s.bytes,
		Paired:  s.paired,
	}
}

// Clear drops every retained message. Sequence numbers keep increasing
// afterwards, so cursors held by readers stay valid; the lifetime counters
// (Total, Evicted, Paired) are kept.
func (s *Store) Clear() {
	s.mu.Lock()
	s.ring = newRing(s.ring.next)
	s.ids = make(map[string]uint64)
	s.bytes = 0
	s.mu.Unlock()
	s.notify()
}

// notify signals Changed without ever blocking the caller.
func (s *Store) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// insert adds a prepared record with its ids under the write lock: sequence
// number, id index and pairing, then eviction down to the budgets.
func (s *Store) insert(rec record, ids recordIDs) uint64 {
	seq := s.ring.push(rec)
	s.total++
	s.bytes += rec.cost()
	s.link(seq, s.ring.at(seq), ids)
	s.evictOverBudget()
	return seq
}

// evictOverBudget drops the oldest records until both budgets hold. The
// newest record is always kept, even when it alone exceeds MaxBytes, so
// that a large message is still shown.
func (s *Store) evictOverBudget() {
	for s.ring.len() > s.maxMessages || (s.bytes > s.maxBytes && s.ring.len() > 1) {
		seq := s.ring.first
		r := s.ring.at(seq)
		s.unindex(seq, r)
		s.bytes -= r.cost()
		s.evicted++
		s.ring.popFront()
	}
}
