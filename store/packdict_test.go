package store

import (
	"cmp"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// isPacked reports whether the retained record seq keeps its dict packed.
func isPacked(t *testing.T, s *Store, seq uint64) bool {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.ring.at(seq).value.(packedDict)
	return ok
}

// A Neon dict comes back from the store as Decode gives it, each read a
// dict of the reader's own.
func TestPackedDictComesBackWhole(t *testing.T) {
	s := New(Options{})
	m := benchMessage(0)
	seq := s.Append(m)
	if !isPacked(t, s, seq) {
		t.Fatal("a Neon request is not kept packed")
	}
	want := neonwire.Decode(m.Body).Value
	first := mustGet(t, s, seq)
	if !reflect.DeepEqual(first.Decoded.Value, want) {
		t.Fatalf("Value = %#v, want %#v", first.Decoded.Value, want)
	}
	first.Decoded.Value.(*neonwire.Dict).Set("service", "changed by a reader")
	if again := mustGet(t, s, seq); !reflect.DeepEqual(again.Decoded.Value, want) {
		t.Fatalf("a reader's change reached the store: %#v", again.Decoded.Value)
	}
}

// Dicts that are not packed (keys that are not short strs, too many items,
// none) and dicts given to AppendDecoded come back as they went in.
func TestUnpackedDictsComeBackWhole(t *testing.T) {
	many := make([]string, maxPackedKeys+1)
	for i := range many {
		many[i] = "'k" + strings.Repeat("x", i) + "': 1"
	}
	for _, repr := range []string{
		"{1: 'int key'}",
		"{'" + strings.Repeat("k", maxSharedLen+1) + "': 'long key'}",
		"{" + strings.Join(many, ", ") + "}",
		"{}",
	} {
		s := New(Options{})
		m := textMessage("q", "")
		m.Body = neonBody(repr)
		seq := s.Append(m)
		if isPacked(t, s, seq) {
			t.Errorf("%.40s… is packed", repr)
		}
		if got, want := mustGet(t, s, seq).Decoded.Value, neonwire.Decode(m.Body).Value; !reflect.DeepEqual(got, want) {
			t.Errorf("%.40s…: Value = %#v, want %#v", repr, got, want)
		}
	}
	s := New(Options{})
	d := neonwire.Decode(benchMessage(0).Body)
	e := mustGet(t, s, s.AppendDecoded(benchMessage(0), d))
	if e.Decoded.Value != d.Value {
		t.Errorf("AppendDecoded's dict came back as another")
	}
}

// Filters search a packed dict's rendering as they search a Dict's.
func TestFiltersSearchPackedDicts(t *testing.T) {
	s := New(Options{})
	for i := range 4 {
		s.Append(benchMessage(i))
	}
	for q, want := range map[string]int{"lisbon": 2, `"\"status_code\":200"`: 2, "/sunny.*wind/": 2, "-api_test_endpoint": 2} {
		v := mustView(t, s, q)
		if got := v.Len(); got != want {
			t.Errorf("%s: %d matches, want %d", q, got, want)
		}
		for _, e := range v.Range(0, want) {
			if !v.Filter().Match(&e) {
				t.Errorf("%s: Match refuses entry %d, which the view matched", q, e.Seq)
			}
		}
	}
}

// TestCountedBytesCoverSmallMessages: for Neon traffic, what the store
// counts for each message is at least what it really holds, packed dicts,
// shapes, id index and ring included, and not far above it.
func TestCountedBytesCoverSmallMessages(t *testing.T) {
	const n = 1 << 15
	msgs := make([]capture.Message, n)
	for i := range msgs {
		msgs[i] = benchMessage(i)
	}
	s := New(Options{MaxBytes: 1 << 40})
	before := heapAlloc()
	for _, m := range msgs {
		s.Append(m)
	}
	// The tables of shared strings, places and properties are the
	// store's, bounded by maxInterned, not the messages'.
	s.intern.mu.Lock()
	s.intern.strs, s.intern.places, s.intern.props = nil, nil, nil
	s.intern.mu.Unlock()
	var bodies int64
	for _, m := range msgs {
		bodies += allocSize(cap(m.Body)) // they were there before
	}
	held := int64(heapAlloc()-before) + bodies
	checkCounted(t, s.Stats().Bytes, held)
	runtime.KeepAlive(msgs)
}

// A record's id and reply queue are derived whenever asked (on eviction,
// pairing, every read): for a packed dict that must not allocate.
func TestDerivingTheIDAllocatesNothing(t *testing.T) {
	s := New(Options{})
	req, rep := s.Append(benchMessage(0)), s.Append(benchMessage(1))
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, seq := range []uint64{req, rep} {
		r := s.ring.at(seq)
		var id, q string
		if n := testing.AllocsPerRun(100, func() { id, q = identify(r.where, r.props, r.value) }); n != 0 {
			t.Errorf("seq %d: identify allocates %v times", seq, n)
		}
		if want := fmt.Sprintf("%032x", 0); id != want || (q != "") != (seq == req) {
			t.Errorf("seq %d: id %q, reply queue %q", seq, id, q)
		}
	}
}

// A reply whose id is under context (Neon's replies carry it there) takes
// messageID's way, the packed dict expanded on the stack: that allocates
// nothing either.
func TestDerivingTheIDUnderContextAllocatesNothing(t *testing.T) {
	s := New(Options{})
	m := textMessage("q", "")
	m.Body = neonBody("{'context': {'mq': {'message_id': 'in mq'}}, 'data': 'x'}")
	seq := s.Append(m)
	if !isPacked(t, s, seq) {
		t.Fatal("the reply is not packed")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.ring.at(seq)
	var id string
	if n := testing.AllocsPerRun(100, func() { id = r.id() }); n != 0 {
		t.Errorf("id allocates %v times", n)
	}
	if id != "in mq" {
		t.Errorf("id %q, want %q", id, "in mq")
	}
}

// A packed dict's id is the one neonwire.MessageID finds in the dict,
// wherever the context and mq keys send it, else the message_id property.
func TestPackedDictIDsFollowMessageID(t *testing.T) {
	for _, repr := range []string{
		"{'message_id': 'top'}",
		"{'message_id': 7}",
		"{'data': 1}",
		"{'context': {'mq': {'message_id': 'in mq'}}, 'message_id': 'top'}",
		"{'context': {'message_id': 'in context'}, 'message_id': 'top'}",
		"{'mq': {'message_id': 'top mq'}, 'message_id': 'top'}",
		"{'context': 'no dict', 'message_id': 'top'}",
		"{'message_id': 'first', 'context': {}, 'mq': {'message_id': 'second'}}",
		"{'message_id': 'request', 'routing_key': 'reply queue'}",
	} {
		s := New(Options{})
		m := textMessage("q", "")
		m.Body = neonBody(repr)
		m.Properties.MessageID = "property"
		seq := s.Append(m)
		if !isPacked(t, s, seq) {
			t.Fatalf("%s is not packed", repr)
		}
		want := cmp.Or(neonwire.MessageID(neonwire.Decode(m.Body).Value), "property")
		if got := mustGet(t, s, seq).MessageID; got != want {
			t.Errorf("%s: id %q, want %q", repr, got, want)
		}
		if got := s.ring.at(seq).id(); got != want { // what eviction unindexes
			t.Errorf("%s: record id %q, want %q", repr, got, want)
		}
	}
}

// Entries copied out together expand their dicts side by side (dictSlab):
// a reader growing one dict must not reach into the next.
func TestEntriesCopiedTogetherHaveDictsOfTheirOwn(t *testing.T) {
	s := New(Options{})
	for i := range 6 {
		s.Append(benchMessage(i))
	}
	es := s.Range(0, 6)
	for i := range es {
		es[i].Decoded.Value.(*neonwire.Dict).Set("added", i)
	}
	for i, e := range es {
		d := e.Decoded.Value.(*neonwire.Dict)
		want := neonwire.Decode(benchMessage(i).Body).Value.(*neonwire.Dict)
		want.Set("added", i)
		if !reflect.DeepEqual(d, want) {
			t.Errorf("entry %d: %#v, want %#v", i, d, want)
		}
	}
}

// readBothWays reads a store of six Neon requests and a text with SinceN
// and with read, from cursor, at most limit entries, and fails unless both
// reads give as many entries and the same next cursor. read is given the
// room of an earlier read, holding stale entries, and must fill it anew
// from its start.
func readBothWays(t *testing.T, cursor uint64, limit int, read func(s *Store, buf []Entry, cursor uint64, limit int) ([]Entry, uint64)) (full, got []Entry) {
	t.Helper()
	s := New(Options{})
	for i := range 6 {
		s.Append(benchMessage(i))
	}
	s.Append(textMessage("q", "plain text"))
	full, fullNext := s.SinceN(nil, cursor, limit)
	buf := append(make([]Entry, 0, 16), Entry{Seq: 99}, Entry{Seq: 98}, Entry{Seq: 97})
	got, gotNext := read(s, buf, cursor, limit)
	if fullNext != gotNext || len(full) != len(got) {
		t.Fatalf("next %d / %d, %d / %d entries", fullNext, gotNext, len(full), len(got))
	}
	if &got[0] != &buf[0] {
		t.Fatal("the read did not reuse the room it was given")
	}
	return full, got
}

// A read with nothing new gives no entries, keeps the room it was given
// for the next, and leaves the cursor where it was.
func TestSinceWithoutValuesWithNothingNewKeepsTheRoom(t *testing.T) {
	s := New(Options{})
	s.Append(benchMessage(0))
	buf := make([]Entry, 1, 8)
	got, next := s.SinceNWithoutValues(buf, 1, 0)
	if len(got) != 0 || cap(got) != 8 || next != 1 {
		t.Fatalf("%d entries, room for %d, next %d; want 0, 8 and 1", len(got), cap(got), next)
	}
}

// sameButValues fails unless got holds full's entries, with the decoded
// values of those wanted says were wanted and none for the rest.
func sameButValues(t *testing.T, full, got []Entry, wanted func(seq uint64) bool) {
	t.Helper()
	for i := range full {
		if !wanted(got[i].Seq) {
			if got[i].Decoded.Value != nil {
				t.Fatalf("seq %d, not wanted, has a value: %#v", got[i].Seq, got[i].Decoded.Value)
			}
			full[i].Decoded.Value = nil
		}
		if !reflect.DeepEqual(full[i], got[i]) {
			t.Fatalf("seq %d:\n%#v\n%#v", full[i].Seq, full[i], got[i])
		}
	}
}

// SinceNWithoutValues gives what SinceN gives but the decoded values.
func TestSinceWithoutValuesLeavesOnlyTheValuesOut(t *testing.T) {
	full, brief := readBothWays(t, 2, 4, (*Store).SinceNWithoutValues)
	sameButValues(t, full, brief, func(uint64) bool { return false })
}

// SinceNValuesOf gives the entries want wants their values, as SinceN
// does, and the others none, in one read.
func TestSinceValuesOfGivesOnlyTheValuesWanted(t *testing.T) {
	odd := func(e *Entry) bool {
		if e.Decoded.Value != nil {
			t.Errorf("want was shown seq %d with its value", e.Seq)
		}
		return e.Seq%2 == 1
	}
	full, some := readBothWays(t, 0, 0, func(s *Store, buf []Entry, cursor uint64, limit int) ([]Entry, uint64) {
		return s.SinceNValuesOf(buf, cursor, limit, odd)
	})
	sameButValues(t, full, some, func(seq uint64) bool { return seq%2 == 1 })
}

// The readers that read every frame (the TUI's rate meter, the verdict
// follower) copy entries into the room of their last read without
// allocating, for the entries want is shown too: a local entry handed to
// want would move every entry to the heap. (The messages are requests
// without replies: a paired entry's Pair is allocated.)
func TestRereadingIntoTheLastReadAllocatesNothing(t *testing.T) {
	s := New(Options{})
	for i := range 100 {
		s.Append(benchMessage(2 * i))
	}
	shown := 0
	none := func(*Entry) bool { shown++; return false }
	buf, _ := s.SinceNWithoutValues(nil, 0, 0)
	if n := testing.AllocsPerRun(20, func() { buf, _ = s.SinceNWithoutValues(buf, 0, 0) }); n != 0 {
		t.Errorf("SinceNWithoutValues allocates %v times reading into its last read", n)
	}
	if n := testing.AllocsPerRun(20, func() { buf, _ = s.SinceNValuesOf(buf, 0, 0, none) }); n != 0 {
		t.Errorf("SinceNValuesOf allocates %v times reading into its last read", n)
	}
	if len(buf) != 100 || shown != 21*100 {
		t.Fatalf("%d entries read, want shown %d times; want 100 and %d", len(buf), shown, 21*100)
	}
}

// A read into the room of a longer one clears the entries it did not
// overwrite: the room must not keep alive bodies the store let go.
func TestReadingIntoALongerReadClearsTheRest(t *testing.T) {
	s := New(Options{})
	for i := range 7 {
		s.Append(benchMessage(2 * i))
	}
	last, _ := s.SinceN(nil, 0, 5)
	got, next := s.SinceN(last, 5, 0)
	if len(got) != 2 || next != 7 || &got[0] != &last[0] {
		t.Fatalf("%d entries, next %d, in place %v; want 2, 7, true", len(got), next, &got[0] == &last[0])
	}
	for i, e := range last[2:] {
		if e.Seq != 0 || e.Msg.Body != nil || e.Decoded.Value != nil {
			t.Fatalf("entry %d of the last read not cleared: seq %d", 2+i, e.Seq)
		}
	}
	if none, next := s.SinceN(got, 7, 0); len(none) != 0 || next != 7 || got[0].Msg.Body != nil {
		t.Fatalf("nothing new: %d entries, next %d, and the last read's first entry not cleared", len(none), next)
	}
}
