package store

import (
	"slices"
	"sync"
	"time"
)

// A new filter over a full store is applied over several calls of Len
// rather than in one long stall; the view signals Changed so its reader
// comes back for the rest. Each call stops at the first chunk boundary
// past either budget.
const (
	// scanChunk is how many entries a view takes from the store per hold
	// of its read lock. The lock is held only to copy what the filter
	// looks at; the tests run after it is released, so however slow a
	// filter is, appenders wait only for the copy.
	scanChunk = 4096
	// scanBudget is the most entries one Len call tests.
	scanBudget = 1 << 18
	// scanTime is the most time one Len call spends testing (a UI frame
	// is about 33 ms).
	scanTime = 10 * time.Millisecond
)

// View is the part of a store a filter selects, kept up to date
// incrementally: it remembers how far it has tested and only tests entries
// appended since, and drops its front as the store evicts. A View is safe
// for concurrent use.
type View struct {
	s   *Store
	f   *Filter
	all bool // empty filter: the view is the whole store

	mu      sync.Mutex
	seqs    []uint64 // matching seqs, ascending; seqs[lo:] may still be retained
	lo      int
	next    uint64 // first seq not yet tested
	pending bool   // the last catch-up stopped at the budget
	budget  int    // entries one Len call may test: scanBudget
	batch   []subject
	scratch scratch // where the batch's body text is rendered, one subject at a time
}

// NewView returns a view of the messages f matches (all when f is nil or
// empty). It starts empty and fills as Len is called.
func (s *Store) NewView(f *Filter) *View {
	return &View{s: s, f: f, all: f.Empty(), budget: scanBudget}
}

// Filter returns the filter the view applies (nil for all messages).
func (v *View) Filter() *Filter {
	return v.f
}

// Len tests the entries appended since the last call, up to a budget, and
// returns the number of matching entries retained. When the budget cuts
// the catch-up short, Scanning reports true and Changed is signalled so the
// reader calls again.
func (v *View) Len() int {
	if v.all {
		return v.s.Len()
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.catchUp()
	return len(v.seqs) - v.lo
}

// Scanning reports whether the view has entries left to test.
func (v *View) Scanning() bool {
	if v.all {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pending
}

// Range returns copies of up to n matching entries starting at position
// from (0 is the oldest match), as of the last Len. Bounds are as for
// Store.Range.
func (v *View) Range(from, n int) []Entry {
	if v.all {
		return v.s.Range(from, n)
	}
	from = max(from, 0)
	v.mu.Lock()
	v.dropEvicted(v.s.firstSeq())
	matches := v.seqs[v.lo:]
	if n <= 0 || from >= len(matches) {
		v.mu.Unlock()
		return nil
	}
	window := slices.Clone(matches[from:min(from+n, len(matches))])
	v.mu.Unlock()
	return v.s.copyEach(window)
}

// Index returns the position of seq in the view, or -1 when the view does
// not hold it (it does not match, was evicted or is not tested yet).
func (v *View) Index(seq uint64) int {
	if v.all {
		return v.s.Index(seq)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.dropEvicted(v.s.firstSeq())
	i, ok := slices.BinarySearch(v.seqs[v.lo:], seq)
	if !ok {
		return -1
	}
	return i
}

// catchUp tests untested entries, a chunk at a time, until it reaches the
// newest or spends its budget.
func (v *View) catchUp() {
	start := time.Now()
	for tested := 0; tested < v.budget && time.Since(start) < scanTime; {
		first, done := v.takeChunk()
		for i := range v.batch {
			if v.f.matches(&v.batch[i]) {
				v.seqs = append(v.seqs, first+uint64(i))
			}
		}
		tested += len(v.batch)
		if done {
			v.pending = false
			v.releaseBatch()
			return
		}
	}
	v.pending = true
	v.releaseBatch()
	v.s.notify()
}

// releaseBatch drops the batch's references so evicted bodies can go.
func (v *View) releaseBatch() {
	clear(v.batch[:cap(v.batch)])
}

// takeChunk copies into v.batch what the filter needs of up to scanChunk
// untested entries, and returns the seq of the first and whether that
// reaches the newest entry. What a subject points to (route, body, decoded
// value, headers) never changes once appended, so it can be tested
// unlocked.
func (v *View) takeChunk() (first uint64, done bool) {
	s := v.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	v.dropEvicted(s.ring.first)
	v.next = max(v.next, s.ring.first)
	end := min(s.ring.next, v.next+scanChunk)
	v.batch = v.batch[:0]
	for seq := v.next; seq < end; seq++ {
		v.batch = append(v.batch, s.ring.at(seq).subject(&v.scratch))
	}
	first, v.next = v.next, end
	return first, end == s.ring.next
}

// dropEvicted forgets matches older than first, the oldest retained seq,
// and compacts the slice once most of it is dead.
func (v *View) dropEvicted(first uint64) {
	i, _ := slices.BinarySearch(v.seqs[v.lo:], first)
	v.lo += i
	if v.lo > 1024 && v.lo > len(v.seqs)/2 {
		v.seqs = append(v.seqs[:0], v.seqs[v.lo:]...)
		v.lo = 0
	}
}

// firstSeq returns the oldest retained seq.
func (s *Store) firstSeq() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ring.first
}

// Index returns the position of seq among the retained entries (0 is the
// oldest), or -1 when it is not retained.
func (s *Store) Index(seq uint64) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.ring.has(seq) {
		return -1
	}
	return int(seq - s.ring.first)
}

// copyEach returns the entries of the given ascending seqs that are still
// retained, taking the read lock once per chunk.
func (s *Store) copyEach(seqs []uint64) []Entry {
	out := make([]Entry, 0, len(seqs))
	for len(seqs) > 0 {
		chunk := seqs[:min(len(seqs), copyChunk)]
		seqs = seqs[len(chunk):]
		s.mu.RLock()
		out = s.appendExpanded(out, func(yield func(uint64) bool) {
			for _, seq := range chunk {
				if s.ring.has(seq) && !yield(seq) {
					return
				}
			}
		})
		s.mu.RUnlock()
	}
	return out
}
