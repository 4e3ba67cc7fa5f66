package store

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"mqscope/capture"
)

// wantPair checks that req and rep are paired with the given latency.
func wantPair(t *testing.T, s *Store, req, rep uint64, latency time.Duration) {
	t.Helper()
	q, r := mustGet(t, s, req), mustGet(t, s, rep)
	if q.Pair == nil || q.Pair.Seq != rep || q.Pair.IsReply || q.Pair.Latency != latency {
		t.Errorf("request %d Pair = %+v, want {Seq:%d Latency:%v IsReply:false}", req, q.Pair, rep, latency)
	}
	if r.Pair == nil || r.Pair.Seq != req || !r.Pair.IsReply || r.Pair.Latency != latency {
		t.Errorf("reply %d Pair = %+v, want {Seq:%d Latency:%v IsReply:true}", rep, r.Pair, req, latency)
	}
}

func wantUnpaired(t *testing.T, s *Store, seqs ...uint64) {
	t.Helper()
	for _, seq := range seqs {
		if p := mustGet(t, s, seq).Pair; p != nil {
			t.Errorf("entry %d Pair = %+v, want none", seq, p)
		}
	}
}

func TestRequestThenReplyPairsWithLatency(t *testing.T) {
	s := New(Options{})
	req := s.Append(request("/neon_api", "neon_api_input", "m1", "rq1", t0))
	rep := s.Append(reply("/neon_api", "rq1", "m1", t0.Add(25*time.Millisecond)))
	wantPair(t, s, req, rep, 25*time.Millisecond)
	e := mustGet(t, s, req)
	if e.MessageID != "m1" || e.ReplyQueue != "rq1" {
		t.Errorf("request MessageID %q ReplyQueue %q", e.MessageID, e.ReplyQueue)
	}
	if got := s.Stats().Paired; got != 1 {
		t.Errorf("Stats.Paired = %d, want 1", got)
	}
}

func TestReplyOnAnotherQueueDoesNotPair(t *testing.T) {
	s := New(Options{})
	req := s.Append(request("/neon_api", "neon_api_input", "m1", "rq1", t0))
	rep := s.Append(reply("/neon_api", "neon_api_output", "m1", t0))
	wantUnpaired(t, s, req, rep)
}

func TestReplyInAnotherVHostDoesNotPair(t *testing.T) {
	s := New(Options{})
	req := s.Append(request("/a", "in", "m1", "rq1", t0))
	rep := s.Append(reply("/b", "rq1", "m1", t0))
	wantUnpaired(t, s, req, rep)
}

func TestReplyMatchesContextMQMessageID(t *testing.T) {
	s := New(Options{})
	req := s.Append(request("/llm", "chat_gpt_input", "m1", "rq1", t0))
	m := reply("/llm", "rq1", "ignored", t0.Add(time.Second))
	m.Body = neonBody("{'context': {'mq': {'message_id': 'm1'}}, 'message_id': 'own', 'response': 'hi'}")
	rep := s.Append(m)
	wantPair(t, s, req, rep, time.Second)
	if id := mustGet(t, s, rep).MessageID; id != "m1" {
		t.Errorf("reply MessageID = %q, want the context.mq one", id)
	}
}

// Neon LLM replies echo routing_key and message_id; on the reply queue that
// makes them a reply, not a new request.
func TestReplyEchoingRoutingKeyIsAReply(t *testing.T) {
	s := New(Options{})
	req := s.Append(request("/llm", "chat_gpt_input", "m1", "rq1", t0))
	m := reply("/llm", "rq1", "", t0)
	m.Body = neonBody("{'routing_key': 'rq1', 'message_id': 'm1', 'response': 'hey'}")
	rep := s.Append(m)
	wantPair(t, s, req, rep, 0)
	if q := mustGet(t, s, rep).ReplyQueue; q != "" {
		t.Errorf("reply has ReplyQueue %q", q)
	}
}

// Two consumers race: the reply can be appended before its request.
func TestReplyAppendedBeforeRequestPairs(t *testing.T) {
	s := New(Options{})
	rep := s.Append(reply("/v", "rq1", "m1", t0.Add(3*time.Millisecond)))
	req := s.Append(request("/v", "in", "m1", "rq1", t0))
	wantPair(t, s, req, rep, 3*time.Millisecond)
}

// An identical second delivery is another sighting (see the firehose
// tests); a second, different reply is a reply of its own.
func TestSecondReplyPointsToRequestWhichKeepsTheFirst(t *testing.T) {
	s := New(Options{})
	req := s.Append(request("/v", "in", "m1", "rq1", t0))
	first := s.Append(reply("/v", "rq1", "m1", t0.Add(time.Millisecond)))
	before := mustGet(t, s, req).Pair
	m := reply("/v", "rq1", "m1", t0.Add(2*time.Millisecond))
	m.Body = neonBody("{'status_code': 200, 'content': 'more', 'message_id': 'm1'}")
	second := s.Append(m)
	wantPair(t, s, req, first, time.Millisecond)
	if p := mustGet(t, s, second).Pair; p == nil || p.Seq != req || !p.IsReply {
		t.Errorf("second reply Pair = %+v, want the request %d", p, req)
	}
	if *before != *mustGet(t, s, req).Pair {
		t.Errorf("request's Pair changed from %+v", before)
	}
}

func TestReturnedEntryIsNotChangedByLaterPairing(t *testing.T) {
	s := New(Options{})
	req := s.Append(request("/v", "in", "m1", "rq1", t0))
	early := mustGet(t, s, req)
	s.Append(reply("/v", "rq1", "m1", t0))
	if early.Pair != nil {
		t.Fatalf("an Entry returned before the reply now has Pair %+v", early.Pair)
	}
}

func TestReplyAfterRequestWasEvictedStaysUnpaired(t *testing.T) {
	s := New(Options{MaxMessages: 2})
	s.Append(request("/v", "in", "m1", "rq1", t0))
	s.Append(textMessage("other", "x"))
	s.Append(textMessage("other", "y"))
	rep := s.Append(reply("/v", "rq1", "m1", t0))
	wantUnpaired(t, s, rep)
}

// firehose returns the trace copy of m as the firehose shows it: a publish
// event (queue empty, routed to the queue) or a deliver event on the queue.
func firehose(m capture.Message, ev capture.Event, at time.Time) capture.Message {
	m.Mode, m.Event, m.Time = capture.ModeFirehose, ev, at
	if ev == capture.EventPublish {
		m.RoutedQueues = []string{m.Queue}
		m.Queue = ""
	}
	return m
}

func TestFirehosePairsPublishesAndLinksDeliveriesToThem(t *testing.T) {
	s := New(Options{})
	q := request("/v", "svc_input", "m1", "rq1", t0)
	r := reply("/v", "rq1", "m1", t0)
	reqPub := s.Append(firehose(q, capture.EventPublish, t0))
	reqDel := s.Append(firehose(q, capture.EventDeliver, t0.Add(time.Millisecond)))
	repPub := s.Append(firehose(r, capture.EventPublish, t0.Add(10*time.Millisecond)))
	repDel := s.Append(firehose(r, capture.EventDeliver, t0.Add(11*time.Millisecond)))

	wantPair(t, s, reqPub, repPub, 10*time.Millisecond)
	wantUnpaired(t, s, reqDel, repDel)
	for _, c := range []struct{ seq, origin uint64 }{{reqPub, 0}, {reqDel, reqPub}, {repPub, 0}, {repDel, repPub}} {
		if got := mustGet(t, s, c.seq).Origin; got != c.origin {
			t.Errorf("entry %d Origin = %d, want %d", c.seq, got, c.origin)
		}
	}
	if got := s.Stats().Paired; got != 1 {
		t.Errorf("Stats.Paired = %d, want 1", got)
	}
}

func TestOwnSendAndItsFirehoseCopyAreOneMessage(t *testing.T) {
	s := New(Options{})
	q := request("/v", "svc_input", "m1", "rq1", t0)
	q.Mode, q.Event = capture.ModeSent, capture.EventPublish
	sent := s.Append(q)
	copyPub := s.Append(firehose(q, capture.EventPublish, t0))
	r := reply("/v", "rq1", "m1", t0.Add(time.Millisecond))
	r.Mode = capture.ModeReply
	rep := s.Append(r)
	if got := mustGet(t, s, copyPub).Origin; got != sent {
		t.Errorf("firehose copy Origin = %d, want the send %d", got, sent)
	}
	wantPair(t, s, sent, rep, time.Millisecond)
}

// A service that echoes its request byte for byte sends a new message to a
// different queue: it pairs rather than being taken for the same message.
func TestEchoedBodyOnReplyQueueIsAReplyNotADuplicate(t *testing.T) {
	s := New(Options{})
	q := request("/v", "echo_input", "m1", "rq1", t0)
	req := s.Append(firehose(q, capture.EventPublish, t0))
	echo := q
	echo.Queue, echo.RoutingKey = "rq1", "rq1"
	rep := s.Append(firehose(echo, capture.EventPublish, t0))
	if got := mustGet(t, s, rep).Origin; got != 0 {
		t.Errorf("echo Origin = %d, want 0", got)
	}
	wantPair(t, s, req, rep, 0)
}

func TestPropertiesMessageIDIsTheFallbackID(t *testing.T) {
	s := New(Options{})
	m := textMessage("q", `{"not": "neon"}`)
	m.Properties.MessageID = "prop-id"
	if id := mustGet(t, s, s.Append(m)).MessageID; id != "prop-id" {
		t.Fatalf("MessageID = %q, want prop-id", id)
	}
}

func TestEvictionRemovesIDFromIndex(t *testing.T) {
	s := New(Options{MaxMessages: 1})
	s.Append(request("/v", "in", "m1", "rq1", t0))
	s.Append(textMessage("q", "x"))
	if len(s.ids) != 0 {
		t.Fatalf("id index still holds %v after its message was evicted", s.ids)
	}
}

// A chain's older records are evicted without touching the id index (they
// are superseded), its newest removes the id: the index keeps exactly the
// ids of retained records, however the budget cuts the chains.
func TestIDIndexFollowsEvictionOfChains(t *testing.T) {
	for _, keep := range []int{1, 2, 3, 5} {
		s := New(Options{MaxMessages: keep})
		for i := range 12 {
			id := fmt.Sprintf("m%d", i/3) // request, reply and an echo of the reply
			switch i % 3 {
			case 0:
				s.Append(request("/v", "in", id, "rq", t0))
			default:
				s.Append(reply("/v", "rq", id, t0))
			}
			want := map[string]uint64{}
			for _, e := range s.Range(0, keep) {
				want[e.MessageID] = e.Seq
			}
			if !maps.Equal(s.ids, want) {
				t.Fatalf("keep %d, after %d appends: index %v, want %v", keep, i+1, s.ids, want)
			}
		}
	}
}
