package store

import "iter"

// copyChunk is the most records copied out per hold of the read lock, so a
// large read never keeps appenders waiting for long.
const copyChunk = 4096

// Range returns copies of up to n retained entries starting at index from,
// where 0 is the oldest retained. A negative from counts as 0; a window
// past the end is cut short (possibly to nothing).
func (s *Store) Range(from, n int) []Entry {
	from = max(from, 0)
	s.mu.RLock()
	count := s.ring.len()
	start := s.ring.first + uint64(from)
	s.mu.RUnlock()
	if n <= 0 || from >= count {
		return nil
	}
	n = min(n, count-from)
	return s.copySeqs(nil, start, start+uint64(n), allValues)
}

// Since returns every retained entry with Seq > cursor, oldest first, and
// the cursor to pass next time (the last Seq returned, or cursor when
// nothing is new). Entries evicted before they were read are skipped; the
// gap between cursor and the first Seq returned says how many.
func (s *Store) Since(cursor uint64) (entries []Entry, next uint64) {
	return s.sinceN(nil, cursor, 0, allValues)
}

// SinceN is Since returning at most limit entries (no limit when limit <= 0),
// for a reader that wants to catch up in steps.
//
// The entries are appended to buf[:0] (buf may be nil). A reader that reads
// every frame passes back the entries of its last read, whose contents are
// then overwritten, and so copies the entries without allocating for them:
// at about 500 B an entry, a new slice per read was (with the entries moved
// to the heap for want) 15% of the TUI's CPU profile while it drained a
// queue. The read clears the last read's entries it did not overwrite, so
// that the room does not keep alive the bodies of messages the store let
// go; pass back the whole last read (nil the first time), not a part of it.
func (s *Store) SinceN(buf []Entry, cursor uint64, limit int) (entries []Entry, next uint64) {
	return s.sinceN(buf, cursor, limit, allValues)
}

// SinceNWithoutValues is SinceN for a reader that looks at what came, not
// at what the bodies say: its entries' Decoded.Value is nil (Encoding, Err,
// MessageID and ReplyQueue are set). It saves expanding every Neon dict.
// It reads into buf's room as SinceN does.
func (s *Store) SinceNWithoutValues(buf []Entry, cursor uint64, limit int) (entries []Entry, next uint64) {
	return s.sinceN(buf, cursor, limit, valuesOf{})
}

// SinceNValuesOf is SinceN for a reader that needs the decoded values of
// some entries only: want is shown each entry without its value, and the
// entries it wants are given theirs, in the same read. want runs under the
// store's read lock, so it must not call the store. It reads into buf's
// room as SinceN does.
func (s *Store) SinceNValuesOf(buf []Entry, cursor uint64, limit int, want func(*Entry) bool) (entries []Entry, next uint64) {
	return s.sinceN(buf, cursor, limit, valuesOf{want: want})
}

// valuesOf says which entries a read expands the decoded values of: all of
// them, those want wants, or (the zero valuesOf) none.
type valuesOf struct {
	all  bool
	want func(*Entry) bool
}

var allValues = valuesOf{all: true}

// sinceN is SinceN reading into last's room (see SinceN); it
// returns last[:0] (nil when last is) when nothing is new.
func (s *Store) sinceN(last []Entry, cursor uint64, limit int, values valuesOf) (entries []Entry, next uint64) {
	entries = s.copySince(last[:0], cursor, limit, values)
	if len(entries) < len(last) { // so written in place: clear the rest
		clear(last[len(entries):])
	}
	if len(entries) == 0 {
		return entries, cursor
	}
	return entries, entries[len(entries)-1].Seq
}

// copySince appends to dst the retained entries with Seq > cursor, at most
// limit of them when limit > 0.
func (s *Store) copySince(dst []Entry, cursor uint64, limit int, values valuesOf) []Entry {
	s.mu.RLock()
	first, end := s.ring.first, s.ring.next
	s.mu.RUnlock()
	if cursor >= end {
		return dst
	}
	start := max(cursor+1, first)
	if limit > 0 && start < end && end-start > uint64(limit) {
		end = start + uint64(limit)
	}
	return s.copySeqs(dst, start, end, values)
}

// Get returns the entry with the given seq, if it is still retained.
func (s *Store) Get(seq uint64) (Entry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.ring.has(seq) {
		return Entry{}, false
	}
	return s.ring.at(seq).entry(seq, nil), true
}

// copySeqs appends to dst the entries with from <= Seq < to that are still
// retained, taking the read lock once per chunk, with the decoded values
// that values asks for. A nil dst stays nil when none is.
func (s *Store) copySeqs(dst []Entry, from, to uint64, values valuesOf) []Entry {
	for from < to {
		s.mu.RLock()
		from = max(from, s.ring.first)
		stop := min(to, s.ring.next, from+copyChunk)
		if from >= stop {
			s.mu.RUnlock()
			break
		}
		if n := int(to - from); cap(dst)-len(dst) < n {
			// Room for all at once, without copying what the room held
			// (dst is empty when it is a reader's last read).
			dst = append(make([]Entry, 0, len(dst)+n), dst...)
		}
		dst = s.appendEntries(dst, from, stop, values)
		s.mu.RUnlock()
		from = stop
	}
	return dst
}

// appendEntries appends the entries from <= Seq < to, which the caller
// holds the read lock on.
func (s *Store) appendEntries(dst []Entry, from, to uint64, values valuesOf) []Entry {
	if !values.all {
		for seq := from; seq < to; seq++ {
			r := s.ring.at(seq)
			// want is shown the entry in dst: the address of a local
			// handed to an unknown function would move every entry to the
			// heap.
			dst = append(dst, r.entryWithoutValue(seq))
			if e := &dst[len(dst)-1]; values.want != nil && values.want(e) {
				e.Decoded.Value = r.decodedValue(nil)
			}
		}
		return dst
	}
	return s.appendExpanded(dst, func(yield func(uint64) bool) {
		for seq := from; seq < to && yield(seq); seq++ {
		}
	})
}

// appendExpanded appends the entries of seqs, every one retained, their
// dicts expanded side by side into one allocation (dictSlab). seqs is
// walked twice: once to size the slab, once to fill it. The caller holds
// the read lock.
func (s *Store) appendExpanded(dst []Entry, seqs iter.Seq[uint64]) []Entry {
	var sl dictSlab
	for seq := range seqs {
		sl.reserve(s.ring.at(seq))
	}
	sl.alloc()
	for seq := range seqs {
		dst = append(dst, s.ring.at(seq).entry(seq, &sl))
	}
	return dst
}
