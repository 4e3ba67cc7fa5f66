package store

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
	return s.copySeqs(start, start+uint64(n))
}

// Since returns every retained entry with Seq > cursor, oldest first, and
// the cursor to pass next time (the last Seq returned, or cursor when
// nothing is new). Entries evicted before they were read are skipped; the
// gap between cursor and the first Seq returned says how many.
func (s *Store) Since(cursor uint64) (entries []Entry, next uint64) {
	return s.SinceN(cursor, 0)
}

// SinceN is Since returning at most limit entries (no limit when limit <= 0),
// for a reader that wants to catch up in steps.
func (s *Store) SinceN(cursor uint64, limit int) (entries []Entry, next uint64) {
	s.mu.RLock()
	first, end := s.ring.first, s.ring.next
	s.mu.RUnlock()
	if cursor >= end {
		return nil, cursor
	}
	start := max(cursor+1, first)
	if limit > 0 && start < end && end-start > uint64(limit) {
		end = start + uint64(limit)
	}
	entries = s.copySeqs(start, end)
	if len(entries) == 0 {
		return nil, cursor
	}
	return entries, entries[len(entries)-1].Seq
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

// copySeqs returns the entries with from <= Seq < to that are still
// retained, taking the read lock once per chunk.
func (s *Store) copySeqs(from, to uint64) []Entry {
	var dst []Entry
	for from < to {
		s.mu.RLock()
		from = max(from, s.ring.first)
		stop := min(to, s.ring.next, from+copyChunk)
		if from >= stop {
			s.mu.RUnlock()
			break
		}
		if dst == nil {
			dst = make([]Entry, 0, to-from)
		}
		var sl dictSlab
		for seq := from; seq < stop; seq++ {
			sl.reserve(s.ring.at(seq))
		}
		sl.alloc()
		for seq := from; seq < stop; seq++ {
			dst = append(dst, s.ring.at(seq).entry(seq, &sl))
		}
		s.mu.RUnlock()
		from = stop
	}
	return dst
}
