package store

import (
	"fmt"
	"slices"
	"testing"

	"mqscope/connector/neonwire"
)

func mustView(t *testing.T, s *Store, q string) *View {
	t.Helper()
	f, err := ParseFilter(q)
	if err != nil {
		t.Fatal(err)
	}
	return s.NewView(f)
}

func TestViewSeesEntriesAppendedAfterCreation(t *testing.T) {
	s := New(Options{})
	s.Append(textMessage("a", "x"))
	v := mustView(t, s, "queue:b")
	if v.Len() != 0 {
		t.Fatal("view matched before any b message")
	}
	s.Append(textMessage("b", "x"))
	s.Append(textMessage("a", "x"))
	s.Append(textMessage("b", "x"))
	if got := seqsOf(v.Range(0, v.Len())); !slices.Equal(got, []uint64{2, 4}) {
		t.Fatalf("view = %v, want [2 4]", got)
	}
}

// The view must test each entry once: after an entry has been tested,
// changing it (here, directly in the store) must not change the view.
func TestViewTestsOnlyNewEntries(t *testing.T) {
	s := New(Options{})
	s.Append(textMessage("q", "needle"))
	v := mustView(t, s, "needle")
	if v.Len() != 1 {
		t.Fatal("view did not match the first entry")
	}
	s.mu.Lock()
	s.ring.at(1).body = []byte("changed")
	s.mu.Unlock()
	s.Append(textMessage("q", "needle"))
	if got := seqsOf(v.Range(0, v.Len())); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("view = %v, want [1 2]: an old entry was tested again", got)
	}
}

func TestViewDropsEvictedEntries(t *testing.T) {
	s := New(Options{MaxMessages: 10})
	v := mustView(t, s, "even")
	for i := 1; i <= 30; i++ {
		body := "odd"
		if i%2 == 0 {
			body = "even"
		}
		s.Append(textMessage("q", body))
		if i == 15 {
			v.Len() // part of the view is built before the eviction
		}
	}
	want := []uint64{22, 24, 26, 28, 30}
	if n := v.Len(); n != len(want) {
		t.Fatalf("view Len = %d, want %d", n, len(want))
	}
	if got := seqsOf(v.Range(0, 100)); !slices.Equal(got, want) {
		t.Fatalf("view = %v, want %v", got, want)
	}
	if got := seqsOf(v.Range(-1, 2)); !slices.Equal(got, want[:2]) {
		t.Fatalf("Range(-1, 2) = %v", got)
	}
	if v.Range(5, 1) != nil || v.Range(0, 0) != nil {
		t.Fatal("Range past the end is not empty")
	}
}

func TestViewIndex(t *testing.T) {
	s := New(Options{MaxMessages: 4})
	v := mustView(t, s, "yes")
	for _, b := range []string{"yes", "no", "yes", "no", "yes", "yes"} {
		s.Append(textMessage("q", b))
	}
	v.Len()
	// Retained: 3 yes, 4 no, 5 yes, 6 yes; seq 1 was evicted.
	for seq, want := range map[uint64]int{1: -1, 3: 0, 4: -1, 5: 1, 6: 2, 99: -1} {
		if got := v.Index(seq); got != want {
			t.Errorf("Index(%d) = %d, want %d", seq, got, want)
		}
	}
	all := s.NewView(nil)
	if got := all.Index(5); got != 2 {
		t.Errorf("unfiltered Index(5) = %d, want 2", got)
	}
}

func TestViewAfterClearIsEmpty(t *testing.T) {
	s := New(Options{})
	v := mustView(t, s, "x")
	s.Append(textMessage("q", "x"))
	v.Len()
	s.Clear()
	if n := v.Len(); n != 0 || v.Range(0, 10) != nil {
		t.Fatalf("view after Clear has %d entries", n)
	}
	seq := s.Append(textMessage("q", "x"))
	if got := seqsOf(v.Range(0, v.Len())); !slices.Equal(got, []uint64{seq}) {
		t.Fatalf("view after Clear and append = %v", got)
	}
}

func TestEmptyFilterViewIsTheWholeStore(t *testing.T) {
	s := New(Options{MaxMessages: 3})
	v := s.NewView(nil)
	for i := range 5 {
		s.Append(textMessage("q", fmt.Sprint(i)))
	}
	if v.Len() != 3 || !slices.Equal(seqsOf(v.Range(0, 5)), []uint64{3, 4, 5}) || v.Scanning() {
		t.Fatalf("unfiltered view = %v", seqsOf(v.Range(0, 5)))
	}
}

// A new filter over a large store is applied in budgeted steps; the view
// signals Changed so the reader comes back for the rest.
func TestViewCatchesUpInBudgetedSteps(t *testing.T) {
	s := New(Options{})
	d := neonwire.Decoded{Encoding: neonwire.EncText, Value: "x"}
	const total = 2*scanChunk + 10
	for range total {
		s.AppendDecoded(textMessage("q", "x"), d)
	}
	<-s.Changed()
	v := mustView(t, s, "x")
	v.budget = scanChunk
	if n := v.Len(); n != scanChunk || !v.Scanning() {
		t.Fatalf("first Len = %d (scanning %v), want %d and still scanning", n, v.Scanning(), scanChunk)
	}
	select {
	case <-s.Changed():
	default:
		t.Fatal("an unfinished view did not signal Changed")
	}
	n := v.Len()
	for v.Scanning() {
		n = v.Len()
	}
	if n != total {
		t.Fatalf("Len after catching up = %d, want %d", n, total)
	}
}
