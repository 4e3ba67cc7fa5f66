package store

// blockSize is the number of records per block of the ring. Blocks keep
// growth and eviction cheap: appending never copies a million records to a
// bigger array, and a fully evicted block is released to the collector.
const blockSize = 2048

// ring holds the retained records in sequence order. Sequence numbers are
// contiguous (every append takes the next one and only the oldest is ever
// removed), so the record of seq s is found by arithmetic alone.
type ring struct {
	blocks []*[blockSize]record // blocks[0][0] holds seq base
	base   uint64
	first  uint64 // oldest retained seq
	next   uint64 // seq the next push takes; first == next when empty
}

// newRing returns an empty ring whose first push takes seq next.
func newRing(next uint64) ring {
	return ring{base: next - next%blockSize, first: next, next: next}
}

func (r *ring) len() int {
	return int(r.next - r.first)
}

// has reports whether seq is retained.
func (r *ring) has(seq uint64) bool {
	return seq >= r.first && seq < r.next
}

// at returns the record of a retained seq; the caller checks has first.
func (r *ring) at(seq uint64) *record {
	off := seq - r.base
	return &r.blocks[off/blockSize][off%blockSize]
}

// push stores rec under the next seq and returns that seq.
func (r *ring) push(rec record) uint64 {
	seq := r.next
	if int((seq-r.base)/blockSize) == len(r.blocks) {
		r.blocks = append(r.blocks, new([blockSize]record))
	}
	*r.at(seq) = rec
	r.next++
	return seq
}

// popFront drops the oldest record, clearing it so that its body and
// decoded value can be collected, and releases its block once empty.
func (r *ring) popFront() {
	*r.at(r.first) = record{}
	r.first++
	if r.first-r.base == blockSize {
		r.blocks[0] = nil
		r.blocks = r.blocks[1:]
		r.base += blockSize
	}
}
