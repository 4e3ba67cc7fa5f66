package store

import (
	"bytes"
	"time"
)

// maxChainWalk bounds how many older records with the same id are looked
// at when one arrives, so a sender that reuses one id for everything costs
// a constant, not a scan.
const maxChainWalk = 64

// link indexes a new record by its id, then decides whether it is another
// sighting of an earlier message (Origin) or the reply or request of an
// earlier one (Pair). It runs under the write lock.
//
// Records with the same id form a chain from newest to oldest through
// record.prevBack; s.ids holds the newest. A chain is typically a request and
// its reply, each seen once or, through the firehose, as a publish and a
// deliver. ids are r's, derived before the lock (prepare).
func (s *Store) link(seq uint64, r *record, ids recordIDs) {
	if ids.id == "" {
		return
	}
	prev, ok := s.ids[ids.id]
	s.ids[ids.id] = seq
	if !ok {
		return
	}
	if s.ring.has(prev) {
		s.ring.at(prev).size |= superseded
	}
	r.prevBack = distance(seq, prev)
	if origin := s.findOrigin(seq, r); origin != 0 {
		r.originBack = distance(seq, origin)
		return
	}
	s.pairUp(seq, r, ids.replyQueue)
}

// unindex removes an evicted record from the id index. Older records of its
// chain were evicted before it, so only the newest needs the map entry.
func (s *Store) unindex(seq uint64, r *record) {
	if r.isSuperseded() {
		return
	}
	if id := r.id(); id != "" && s.ids[id] == seq {
		delete(s.ids, id)
	}
}

// chain calls visit for the retained records older than r (at seq) with
// r's id, newest first, until visit returns true or the walk limit is
// reached.
func (s *Store) chain(seq uint64, r *record, visit func(seq uint64, x *record) bool) {
	seq = back(seq, r.prevBack)
	for range maxChainWalk {
		if !s.ring.has(seq) {
			return
		}
		x := s.ring.at(seq)
		if visit(seq, x) {
			return
		}
		seq = back(seq, x.prevBack)
	}
}

// findOrigin returns the seq of the first sighting of the message r is
// another sighting of, or 0. The same message is the same bytes in the same
// vhost that went to the same queue: that tells the firehose deliver of a
// message from its publish, and mqscope's own send from the firehose copy,
// while a reply that happens to echo its request byte for byte goes to a
// different queue and stays a message of its own.
func (s *Store) findOrigin(seq uint64, r *record) uint64 {
	var origin uint64
	s.chain(seq, r, func(xseq uint64, x *record) bool {
		if x.where.vhost != r.where.vhost || !bytes.Equal(x.body, r.body) || !shareDestination(x.where, r.where) {
			return false
		}
		origin = xseq
		if x.originBack != 0 {
			origin = back(xseq, x.originBack)
		}
		return true
	})
	return origin
}

// pairUp matches r with an earlier record: the request it replies to, or,
// when r is a request whose reply was appended first (two consumers racing),
// that reply. Only first sightings take part, so the firehose publish of a
// message carries the pair and its deliveries point to it through Origin.
// rq is the reply queue r names, if it is a request (recordIDs).
func (s *Store) pairUp(seq uint64, r *record, rq string) {
	s.chain(seq, r, func(xseq uint64, x *record) bool {
		if x.originBack != 0 || x.where.vhost != r.where.vhost {
			return false
		}
		xq := x.replyQueue()
		switch {
		case xq != "" && r.where.arrivedOn(xq):
			s.pair(xseq, x, seq, r)
			return true
		case rq != "" && xq == "" && !x.paired() && x.where.arrivedOn(rq):
			s.pair(seq, r, xseq, x)
			return true
		}
		return false
	})
}

// pair records that reply answers req. A request keeps its first reply;
// later replies (a service that answers twice) still point to the request.
func (s *Store) pair(reqSeq uint64, req *record, replySeq uint64, reply *record) {
	lat := time.Duration(reply.at - req.at)
	if reply.at == zeroTime || req.at == zeroTime {
		lat = 0
	}
	reply.pairSeq, reply.latency = reqSeq|pairIsReply, lat
	if !req.paired() {
		req.pairSeq, req.latency = replySeq, lat
	}
	s.paired++
}

// shareDestination reports whether two routes reached a common queue, or
// whether either says nothing about where it went (then nothing contradicts
// that they are the same message).
func shareDestination(a, b *place) bool {
	if !a.hasDestination() || !b.hasDestination() {
		return true
	}
	if a.queue != "" && b.arrivedOn(a.queue) {
		return true
	}
	if a.exchange == "" && a.routingKey != "" && b.arrivedOn(a.routingKey) {
		return true
	}
	for _, q := range a.routed {
		if b.arrivedOn(q) {
			return true
		}
	}
	return false
}
