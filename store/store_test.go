package store

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

func TestAppendNumbersFromOne(t *testing.T) {
	s := New(Options{})
	for want := uint64(1); want <= 3; want++ {
		if got := s.Append(textMessage("q", "x")); got != want {
			t.Fatalf("Append returned %d, want %d", got, want)
		}
	}
}

func TestEvictsOldestPastMessageBudget(t *testing.T) {
	s := New(Options{MaxMessages: 3})
	for i := range 5 {
		s.Append(textMessage("q", fmt.Sprint(i)))
	}
	if got := seqsOf(s.Range(0, 10)); !slices.Equal(got, []uint64{3, 4, 5}) {
		t.Fatalf("retained %v, want [3 4 5]", got)
	}
	st := s.Stats()
	one := costOfOne(textMessage("q", "0"))
	if st.Total != 5 || st.Evicted != 2 || st.Count != 3 || st.Bytes != 3*one {
		t.Fatalf("Stats = %+v, want Total 5 Evicted 2 Count 3 Bytes %d", st, 3*one)
	}
	if _, ok := s.Get(2); ok {
		t.Fatal("evicted seq 2 is still returned by Get")
	}
}

// costOfOne is what one message counts against MaxBytes.
func costOfOne(m capture.Message) int64 {
	s := New(Options{})
	s.Append(m)
	return s.Stats().Bytes
}

func TestByteBudgetCountsMoreThanTheBody(t *testing.T) {
	body := string(make([]byte, 40))
	if one := costOfOne(textMessage("q", body)); one < 40+recordOverhead {
		t.Fatalf("a 40-byte message costs %d, less than its body plus the record overhead", one)
	}
}

func TestEvictsOldestPastByteBudget(t *testing.T) {
	body := string(make([]byte, 40))
	one := costOfOne(textMessage("q", body))
	s := New(Options{MaxBytes: 2*one + one/2})
	for range 4 {
		s.Append(textMessage("q", body))
	}
	st := s.Stats()
	if st.Count != 2 || st.Bytes != 2*one || st.Evicted != 2 {
		t.Fatalf("Stats = %+v, want Count 2 Bytes %d Evicted 2", st, 2*one)
	}
	if got := seqsOf(s.Range(0, 10)); !slices.Equal(got, []uint64{3, 4}) {
		t.Fatalf("retained %v, want [3 4]", got)
	}
}

func TestMessageLargerThanByteBudgetIsKeptAlone(t *testing.T) {
	s := New(Options{MaxBytes: 10})
	s.Append(textMessage("q", "small"))
	seq := s.Append(textMessage("q", "this body is longer than ten bytes"))
	if got := seqsOf(s.Range(0, 10)); !slices.Equal(got, []uint64{seq}) {
		t.Fatalf("retained %v, want only the large message %d", got, seq)
	}
}

func TestChangedCollapsesSignalsWithoutBlocking(t *testing.T) {
	s := New(Options{})
	for range 3 {
		s.Append(textMessage("q", "x")) // would deadlock if the send blocked
	}
	select {
	case <-s.Changed():
	default:
		t.Fatal("Changed was not signalled by Append")
	}
	select {
	case <-s.Changed():
		t.Fatal("Changed held more than one signal")
	default:
	}
	s.Clear()
	select {
	case <-s.Changed():
	default:
		t.Fatal("Changed was not signalled by Clear")
	}
}

func TestClearDropsEntriesAndKeepsSequence(t *testing.T) {
	s := New(Options{MaxMessages: 2})
	for range 3 {
		s.Append(textMessage("q", "abc"))
	}
	s.Clear()
	st := s.Stats()
	if st.Count != 0 || st.Bytes != 0 || st.Total != 3 || st.Evicted != 1 {
		t.Fatalf("after Clear Stats = %+v, want Count 0 Bytes 0 Total 3 Evicted 1", st)
	}
	if s.Len() != 0 || s.Range(0, 5) != nil {
		t.Fatal("entries remain after Clear")
	}
	if _, ok := s.Get(3); ok {
		t.Fatal("Get returns a cleared entry")
	}
	if seq := s.Append(textMessage("q", "abc")); seq != 4 {
		t.Fatalf("first seq after Clear = %d, want 4", seq)
	}
	if es, next := s.Since(3); !slices.Equal(seqsOf(es), []uint64{4}) || next != 4 {
		t.Fatalf("Since(3) after Clear = %v, %d; want [4], 4", seqsOf(es), next)
	}
}

func TestRangeBounds(t *testing.T) {
	s := New(Options{})
	for range 5 {
		s.Append(textMessage("q", "x"))
	}
	cases := []struct {
		from, n int
		want    []uint64
	}{
		{0, 2, []uint64{1, 2}},
		{3, 10, []uint64{4, 5}},
		{-2, 2, []uint64{1, 2}},
		{5, 1, nil},
		{99, 1, nil},
		{1, 0, nil},
		{1, -3, nil},
	}
	for _, c := range cases {
		if got := s.Range(c.from, c.n); !slices.Equal(seqsOf(got), c.want) || (c.want == nil) != (got == nil) {
			t.Errorf("Range(%d, %d) = %v, want %v", c.from, c.n, seqsOf(got), c.want)
		}
	}
}

func TestSinceReturnsNewerEntriesAndCursor(t *testing.T) {
	s := New(Options{MaxMessages: 4})
	for range 3 {
		s.Append(textMessage("q", "x"))
	}
	es, next := s.Since(0)
	if !slices.Equal(seqsOf(es), []uint64{1, 2, 3}) || next != 3 {
		t.Fatalf("Since(0) = %v, %d", seqsOf(es), next)
	}
	if es, n := s.Since(next); es != nil || n != next {
		t.Fatalf("Since(%d) with nothing new = %v, %d", next, seqsOf(es), n)
	}
	for range 6 {
		s.Append(textMessage("q", "x"))
	}
	// 4 retained (6..9); the cursor is behind the oldest retained.
	es, next = s.SinceN(nil, next, 3)
	if !slices.Equal(seqsOf(es), []uint64{6, 7, 8}) || next != 8 {
		t.Fatalf("SinceN(3, 3) = %v, %d; want [6 7 8], 8", seqsOf(es), next)
	}
	es, next = s.SinceN(nil, next, 3)
	if !slices.Equal(seqsOf(es), []uint64{9}) || next != 9 {
		t.Fatalf("SinceN(8, 3) = %v, %d; want [9], 9", seqsOf(es), next)
	}
	if es, n := s.Since(math.MaxUint64); es != nil || n != math.MaxUint64 {
		t.Fatalf("Since past the end = %v, %d", seqsOf(es), n)
	}
	if es, n := s.Since(1000); es != nil || n != 1000 {
		t.Fatalf("Since(1000) = %v, %d", seqsOf(es), n)
	}
}

func TestEntryGivesBackTheMessage(t *testing.T) {
	s := New(Options{})
	m := capture.Message{
		Time: t0.Add(123 * time.Nanosecond), VHost: "/neon_api", Exchange: "", RoutingKey: "neon_api_input",
		Queue: "neon_api_input", Event: capture.EventPublish, Mode: capture.ModeFirehose,
		Properties:   capture.Properties{Expiration: "1000", MessageID: "p1"},
		Headers:      map[string]any{"x": int32(1)},
		Body:         []byte(`{"a": 1}`),
		Redelivered:  true,
		Unroutable:   true,
		RoutedQueues: []string{"a", "b"},
	}
	e := mustGet(t, s, s.Append(m))
	got := e.Msg
	if !got.Time.Equal(m.Time) {
		t.Errorf("Time = %v, want %v", got.Time, m.Time)
	}
	got.Time = m.Time
	if fmt.Sprint(got) != fmt.Sprint(m) {
		t.Errorf("Msg = %+v\nwant  %+v", got, m)
	}
	if e.Size != len(m.Body) || e.Decoded.Encoding != neonwire.EncJSON || e.MessageID != "p1" {
		t.Errorf("Size %d, Encoding %q, MessageID %q", e.Size, e.Decoded.Encoding, e.MessageID)
	}
	if z := mustGet(t, s, s.Append(capture.Message{Body: []byte("x")})); !z.Msg.Time.IsZero() {
		t.Errorf("zero Time came back as %v", z.Msg.Time)
	}
}

func TestAppendDecodedKeepsTheCallersDecoding(t *testing.T) {
	s := New(Options{})
	d := neonwire.Decoded{Encoding: neonwire.EncText, Value: "given"}
	e := mustGet(t, s, s.AppendDecoded(textMessage("q", "body"), d))
	if e.Decoded.Value != "given" || e.Decoded.Encoding != neonwire.EncText {
		t.Fatalf("Decoded = %+v, want the caller's", e.Decoded)
	}
}

// TestConcurrentAppendAndRead is for -race: appenders, windowed readers and
// a view all run at once, and every reader sees seqs in order.
func TestConcurrentAppendAndRead(t *testing.T) {
	s := New(Options{MaxMessages: 500})
	f, err := ParseFilter("queue:q1")
	if err != nil {
		t.Fatal(err)
	}
	v := s.NewView(f)
	const writers, each = 4, 600
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				q := fmt.Sprintf("q%d", w)
				s.Append(request("/v", q, fmt.Sprintf("%d-%d", w, i), "rq", t0))
				s.Append(reply("/v", "rq", fmt.Sprintf("%d-%d", w, i), t0))
			}
		})
	}
	done := make(chan struct{})
	var readErr error
	var rg sync.WaitGroup
	rg.Go(func() {
		var cursor uint64
		for {
			select {
			case <-done:
				return
			case <-s.Changed():
			}
			es, next := s.Since(cursor)
			if !increasing(es) || (len(es) > 0 && es[0].Seq <= cursor) {
				readErr = fmt.Errorf("Since(%d) returned %v", cursor, seqsOf(es))
				return
			}
			cursor = next
			_ = s.Range(s.Len()-50, 50)
			v.Len()
			if !increasing(v.Range(0, 50)) {
				readErr = fmt.Errorf("view range out of order")
				return
			}
		}
	})
	wg.Wait()
	close(done)
	rg.Wait()
	if readErr != nil {
		t.Fatal(readErr)
	}
	if st := s.Stats(); st.Total != 2*writers*each || st.Count != 500 {
		t.Fatalf("Stats = %+v", st)
	}
	want := 0
	for _, e := range s.Range(0, 500) {
		if e.Msg.Queue == "q1" {
			want++
		}
	}
	if got := v.Len(); got != want {
		t.Fatalf("view of queue:q1 has %d entries, the store holds %d", got, want)
	}
	for _, e := range v.Range(0, 500) {
		if e.Msg.Queue != "q1" {
			t.Fatalf("view of queue:q1 holds a message on %q", e.Msg.Queue)
		}
	}
}

// increasing reports whether the entries' seqs strictly increase.
func increasing(es []Entry) bool {
	for i := 1; i < len(es); i++ {
		if es[i].Seq <= es[i-1].Seq {
			return false
		}
	}
	return true
}

// Text and binary values are kept as the body itself; readers still get
// the decoded value Decode gives.
func TestTextAndBinaryValuesComeBackWhole(t *testing.T) {
	s := New(Options{})
	text := mustGet(t, s, s.Append(textMessage("q", "hello")))
	if text.Decoded.Encoding != neonwire.EncText || text.Decoded.Value != "hello" {
		t.Errorf("text Decoded = %+v", text.Decoded)
	}
	bin := mustGet(t, s, s.Append(textMessage("q", "\x00\xff")))
	if b, ok := bin.Decoded.Value.([]byte); bin.Decoded.Encoding != neonwire.EncBinary || !ok || string(b) != "\x00\xff" {
		t.Errorf("binary Decoded = %+v", bin.Decoded)
	}
}

// A decoding the capturer already made is taken over instead of decoding
// the body again, but never past the decode limit.
func TestAppendTakesOverTheCapturersDecoding(t *testing.T) {
	s := New(Options{MaxDecodeBytes: 64})
	made := &neonwire.Decoded{Encoding: neonwire.EncNeon, Value: "made by the capturer"}
	body := neonwire.Encode(&neonwire.Dict{})
	s.Append(capture.Message{Body: body, Decoded: made})
	e, _ := s.Get(1)
	if e.Decoded.Value != "made by the capturer" || e.Msg.Decoded != nil {
		t.Fatalf("entry = %+v / %+v, want the capturer's decoding, not kept in the message", e.Decoded, e.Msg.Decoded)
	}
	long := bytes.Repeat([]byte("A"), 100)
	s.Sink(nil)(capture.Message{Body: long, Decoded: made})
	if e, _ := s.Get(2); e.Decoded.Encoding != EncUndecoded {
		t.Fatalf("a body over the decode limit is %s, want undecoded", e.Decoded.Encoding)
	}
}
