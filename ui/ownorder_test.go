package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/store"
)

const ownReplyQueue = "5f0c2d7e9a1b4c3d8e6f7a8b9c0d1e2f"

// ownSend is the five rows of one compose send, as the session's sink
// gets them: mqscope's sent row and reply row, and the firehose's publish
// and deliver of the request and publish of the reply.
type ownSend struct {
	sent, pub, del, reply, replyPub capture.Message
}

func newOwnSend(id string, at time.Time) ownSend {
	req := dict("service", "api_test_endpoint", "message_id", id, "routing_key", ownReplyQueue)
	var s ownSend
	s.sent = neonMsg(at, "neon_api_input", req)
	s.sent.Mode, s.sent.RoutedQueues, s.sent.Headers = capture.ModeSent, nil, nil
	s.pub = neonMsg(at.Add(300*time.Microsecond), "neon_api_input", req)
	s.del = s.pub
	s.del.Event = capture.EventDeliver
	rep := dict("status_code", int64(200), "content", "Success", "message_id", id)
	s.replyPub = neonMsg(at.Add(4*time.Millisecond), ownReplyQueue, rep)
	s.reply = neonMsg(at.Add(4740*time.Microsecond), ownReplyQueue, rep)
	s.reply.Event, s.reply.Mode, s.reply.RoutedQueues, s.reply.Headers = capture.EventConsume, capture.ModeReply, nil, nil
	return s
}

// recorder collects what the ordering passes on.
type recorder struct {
	mu   sync.Mutex
	msgs []capture.Message
}

func (r *recorder) sink(m capture.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

// labels names what was passed on, in order: S sent, P publish, D deliver,
// R reply, p reply publish.
func (r *recorder) labels() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, m := range r.msgs {
		switch {
		case m.Mode == capture.ModeSent:
			b.WriteByte('S')
		case m.Mode == capture.ModeReply:
			b.WriteByte('R')
		case m.Queue == ownReplyQueue:
			b.WriteByte('p')
		case m.Event == capture.EventDeliver:
			b.WriteByte('D')
		default:
			b.WriteByte('P')
		}
	}
	return b.String()
}

// TestOwnRowsComeBeforeTheFirehoseCopiesOfThem feeds the five rows of a
// send in the order the firehose wins every race, and checks that the
// sent row and the reply row go first.
func TestOwnRowsComeBeforeTheFirehoseCopiesOfThem(t *testing.T) {
	var rec recorder
	o := newOwnOrder(rec.sink, func() time.Time { return t0 })
	s := newOwnSend(strings.Repeat("ab", 16), t0)
	other := neonMsg(t0, "chat_gpt_input", dict("query", "hi", "message_id", strings.Repeat("cd", 16)))
	o.expect(strings.Repeat("ab", 16), ownReplyQueue)
	for _, m := range []capture.Message{s.pub, s.del, other, s.sent, s.replyPub, s.reply} {
		o.sink(m)
	}
	// other (the second P) keeps its place behind the copies held.
	if got := rec.labels(); got != "SPDPRp" {
		t.Fatalf("order %s, want the sent row first and the reply row before its copy: SPDPRp", got)
	}
}

// TestUnannouncedTrafficIsNotHeld: with no request expected, nothing waits.
func TestUnannouncedTrafficIsNotHeld(t *testing.T) {
	var rec recorder
	o := newOwnOrder(rec.sink, func() time.Time { return t0 })
	s := newOwnSend(strings.Repeat("ab", 16), t0)
	o.sink(s.pub)
	o.sink(s.del)
	if got := rec.labels(); got != "PD" {
		t.Fatalf("order %s, want PD at once", got)
	}
}

// TestHeldCopiesGoOnWhenTheirRowNeverComes: a request that ends without a
// reply (timed out) releases the reply's copy, and a copy whose row is
// lost goes in once its time is up.
func TestHeldCopiesGoOnWhenTheirRowNeverComes(t *testing.T) {
	var rec recorder
	now := t0
	o := newOwnOrder(rec.sink, func() time.Time { return now })
	id := strings.Repeat("ef", 16)
	s := newOwnSend(id, t0)
	o.expect(id, ownReplyQueue)
	o.sink(s.sent)
	o.sink(s.replyPub) // waits for a reply row
	if got := rec.labels(); got != "S" {
		t.Fatalf("order %s, want the reply's copy held", got)
	}
	o.finish(id)
	if got := rec.labels(); got != "Sp" {
		t.Fatalf("order %s: the request is over, its copy should go in", got)
	}

	id2 := strings.Repeat("12", 16)
	s2 := newOwnSend(id2, t0)
	o.expect(id2, ownReplyQueue)
	o.sink(s2.pub)
	o.expire() // not yet due
	if got := rec.labels(); got != "Sp" {
		t.Fatalf("order %s, released before its time", got)
	}
	now = now.Add(ownHold)
	o.expire()
	if got := rec.labels(); got != "SpP" {
		t.Fatalf("order %s, want the copy released once its time is up", got)
	}
}

// TestOneRequestIsOnePairingWithTheLatencyComposeShowed sends from
// compose with the five rows arriving firehose-first through the
// ordering into the store: the pair marker is on the sent row and the
// reply row, with the latency compose showed; the firehose's copies carry
// none.
func TestOneRequestIsOnePairingWithTheLatencyComposeShowed(t *testing.T) {
	m, req := testModel(t, 200, 45, "dark", 0)
	press(m, "x")
	m.env.own = newOwnOrder(m.env.store.Sink(nil), time.Now)
	var s ownSend
	req.answer = func(queue string, v neonwire.Value) (*connector.Response, error) {
		id := neonwire.MessageID(v)
		s = newOwnSend(id, t0)
		for _, msg := range []capture.Message{s.pub, s.del, s.sent, s.replyPub, s.reply} {
			m.env.own.sink(msg)
		}
		return &connector.Response{MessageID: id, Latency: 4740 * time.Microsecond, Value: dict("status_code", int64(200))}, nil
	}
	m.compose.open(composeStart{queue: "neon_api_input", body: `{"service": "api_test_endpoint"}`}, req.ReplyQueue())
	m.setMode(modeCompose)
	m.Update(collect(t, press(m, "ctrl+s"), isType(replyMsg{})))
	if !strings.Contains(screen(m), "↩ reply in 4.74ms") {
		t.Fatal("compose should show the latency")
	}
	press(m, "esc")
	m.Update(frameMsg{})
	rows := m.view.Range(0, 10)
	var got []string
	for i := range rows {
		text, _ := pairCell(&rows[i], m.rowCtx())
		got = append(got, eventMarker(&rows[i].Msg)+" "+text)
	}
	want := []string{"S ⇄ 4.74ms", "P ", "D ", "R ↩ 4.74ms", "P "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("rows %q, want %q", got, want)
	}
	if rows[1].Origin != rows[0].Seq || rows[4].Origin != rows[3].Seq {
		t.Fatalf("the firehose copies should point to the own rows: %+v", rows)
	}
}

// TestSentRowShowsItsOutcome: a sent row whose request timed out or found
// no queue says so in the pair column.
func TestSentRowShowsItsOutcome(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&connector.TimeoutError{Queue: "ux_noconsumer", VHost: "/neon_api", After: time.Second}, "✗ timed out"},
		{&connector.NoRouteError{Queue: "no_such_queue", VHost: "/neon_api"}, "✗ no route"},
	}
	for _, tc := range cases {
		m, req := testModel(t, 200, 45, "dark", 0)
		press(m, "x")
		req.answer = func(queue string, v neonwire.Value) (*connector.Response, error) {
			sent := neonMsg(t0, queue, v.(*neonwire.Dict))
			sent.Mode = capture.ModeSent
			m.env.store.Append(sent)
			return nil, tc.err
		}
		m.compose.open(composeStart{queue: "ux_noconsumer", body: `{"service": "x"}`}, req.ReplyQueue())
		m.setMode(modeCompose)
		m.Update(collect(t, press(m, "ctrl+s"), isType(replyMsg{})))
		press(m, "esc")
		m.Update(frameMsg{})
		rows := m.view.Range(0, 1)
		if text, failed := pairCell(&rows[0], m.rowCtx()); text != tc.want || !failed {
			t.Fatalf("pair cell %q (failed %v), want %q", text, failed, tc.want)
		}
	}
}

// TestEventColumnUsesTheRecordedWord: the reply row says "consume", as
// the recording and the event: filter do; the marker tells it apart.
func TestEventColumnUsesTheRecordedWord(t *testing.T) {
	s := newOwnSend(strings.Repeat("ab", 16), t0)
	st := store.New(store.Options{})
	st.Append(s.reply)
	e := st.Range(0, 1)[0]
	c := rowCtx{loc: time.UTC}
	if got := cellText(&e, "event", c); got != string(s.reply.Event) || got != "consume" {
		t.Fatalf("event column %q, want the recorded event consume", got)
	}
	if got := cellText(&e, "", c); got != "R" {
		t.Fatalf("marker %q, want R", got)
	}
	f, err := store.ParseFilter("event:" + cellText(&e, "event", c))
	if err != nil {
		t.Fatal(err)
	}
	if v := st.NewView(f); v.Len() != 1 {
		t.Fatal("filtering by the word the event column shows should find the row")
	}
}
