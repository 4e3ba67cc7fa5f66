package verdict

import (
	"strings"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/connector/neonwire"
	"mqscope/store"
)

// rig appends firehose traffic to a store and feeds the tracker in order.
type rig struct {
	t   *testing.T
	st  *store.Store
	tr  *Tracker
	t0  time.Time
	got []Verdict
}

func newRig(t *testing.T) *rig {
	return &rig{t: t, st: store.New(store.Options{}), tr: NewTracker(Options{ReplyWindow: 10 * time.Second}),
		t0: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
}

func body(pairs ...any) []byte {
	d := &neonwire.Dict{}
	for i := 0; i < len(pairs); i += 2 {
		d.Set(pairs[i].(string), pairs[i+1])
	}
	return neonwire.Encode(d)
}

// add appends m at t0+after and feeds the tracker.
func (g *rig) add(after time.Duration, m capture.Message) {
	m.Time, m.VHost = g.t0.Add(after), "/neon_api"
	if m.Mode == "" {
		m.Mode = capture.ModeFirehose
	}
	e, ok := g.st.Get(g.st.Append(m))
	if !ok {
		g.t.Fatal("appended entry not found")
	}
	g.got = append(g.got, g.tr.Observe(&e)...)
}

func (g *rig) tick(after time.Duration) { g.got = append(g.got, g.tr.Tick(g.t0.Add(after))...) }

// request publishes a request to neon_api_input with reply queue rq.
func (g *rig) request(after time.Duration, id, rq string, unroutable bool) {
	g.add(after, capture.Message{Event: capture.EventPublish, Queue: "neon_api_input", RoutingKey: "neon_api_input",
		Properties: capture.Properties{Expiration: "1000"}, Unroutable: unroutable,
		Body: body("service", "api_test_endpoint", "routing_key", rq, "message_id", id)})
}

func (g *rig) deliver(after time.Duration, id, rq string) {
	g.add(after, capture.Message{Event: capture.EventDeliver, Queue: "neon_api_input", RoutingKey: "neon_api_input",
		Properties: capture.Properties{Expiration: "1000"}, Headers: map[string]any{"x-trace-connection": "127.0.0.1:5000 -> 127.0.0.1:5672"},
		Body: body("service", "api_test_endpoint", "routing_key", rq, "message_id", id)})
}

func (g *rig) reply(after time.Duration, rq string, unroutable bool, pairs ...any) {
	g.add(after, capture.Message{Event: capture.EventPublish, Queue: rq, RoutingKey: rq, Unroutable: unroutable, Body: body(pairs...)})
}

// want checks that exactly the codes were decided, in order.
func (g *rig) want(codes ...Code) {
	g.t.Helper()
	var have []Code
	for _, v := range g.got {
		have = append(have, v.Code)
	}
	if strings.Join(toStrings(have), ",") != strings.Join(toStrings(codes), ",") {
		g.t.Fatalf("verdicts %v, want %v (%+v)", have, codes, g.got)
	}
}

func toStrings(cs []Code) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

func TestRepliedWithLatency(t *testing.T) {
	g := newRig(t)
	g.request(0, "id1", "rq1", false)
	g.deliver(time.Millisecond, "id1", "rq1")
	g.reply(5*time.Millisecond, "rq1", false, "status_code", int64(200), "content", "Success", "message_id", "id1")
	g.tick(time.Minute)
	g.want(Replied)
	if v := g.got[0]; v.Latency != 5*time.Millisecond || v.MessageID != "id1" || v.Queue != "neon_api_input" || v.RequestSeq != 1 {
		t.Fatalf("verdict = %+v", v)
	}
}

func TestErrorReplies(t *testing.T) {
	for _, reply := range [][]any{
		{"status_code", int64(401), "content", "Unresolved service name: x", "message_id", "id1"},
		{"success", false, "error", "User does not exist", "code", int64(404), "message_id", "id1"},
		{"error", "boom", "message_id", "id1"},
	} {
		g := newRig(t)
		g.request(0, "id1", "rq1", false)
		g.reply(2*time.Millisecond, "rq1", false, reply...)
		g.want(ErrorReply)
	}
}

func TestUnroutableIsDecidedAtOnce(t *testing.T) {
	g := newRig(t)
	g.request(0, "id1", "rq1", true)
	g.want(Unroutable)
	g.tick(time.Minute)
	g.want(Unroutable)
}

func TestExpiredWhenNeverDeliveredBeforeItsExpiration(t *testing.T) {
	g := newRig(t)
	g.request(0, "id1", "rq1", false)
	g.tick(1400 * time.Millisecond) // within expiration + grace: undecided
	g.want()
	g.tick(1600 * time.Millisecond)
	g.want(Expired)
	if !strings.Contains(g.got[0].Detail, "1000 ms expiration") {
		t.Fatalf("detail %q", g.got[0].Detail)
	}
}

func TestNoReplyNamesTheConsumer(t *testing.T) {
	g := newRig(t)
	g.request(0, "id1", "rq1", false)
	g.deliver(3*time.Millisecond, "id1", "rq1")
	g.tick(9 * time.Second)
	g.want()
	g.tick(10 * time.Second)
	g.want(NoReply)
	if !strings.Contains(g.got[0].Detail, `delivered to connection "127.0.0.1:5000 -> 127.0.0.1:5672"`) {
		t.Fatalf("detail %q", g.got[0].Detail)
	}
}

func TestLateReplyAfterNoReply(t *testing.T) {
	g := newRig(t)
	g.request(0, "id1", "rq1", false)
	g.deliver(time.Millisecond, "id1", "rq1")
	g.tick(10 * time.Second)
	g.reply(12*time.Second, "rq1", false, "content", "finally", "message_id", "id1")
	g.want(NoReply, LateReply)
}

func TestReplyToAGoneQueue(t *testing.T) {
	g := newRig(t)
	g.request(0, "id1", "rq1", false)
	g.deliver(time.Millisecond, "id1", "rq1")
	g.reply(40*time.Millisecond, "rq1", true, "content", "x", "message_id", "id1")
	g.tick(500 * time.Millisecond) // a delivery could still show that it arrived
	g.want()
	g.tick(1100 * time.Millisecond)
	g.want(ReplyUnroutable)
	if g.got[0].Latency != 40*time.Millisecond {
		t.Fatalf("verdict %+v", g.got[0])
	}
}

// The queue check of a reply can come after its owner, having got it,
// deleted the queue: the reply's delivery shows it arrived.
func TestAReplyThatLookedUnroutableButWasDeliveredIsAReply(t *testing.T) {
	g := newRig(t)
	g.request(0, "id1", "rq1", false)
	g.deliver(time.Millisecond, "id1", "rq1")
	g.reply(40*time.Millisecond, "rq1", true, "content", "x", "message_id", "id1")
	g.add(41*time.Millisecond, capture.Message{Event: capture.EventDeliver, Queue: "rq1", RoutingKey: "rq1", Body: body("content", "x", "message_id", "id1")})
	g.tick(5 * time.Second)
	g.want(Replied)
}

func TestIDMismatchWhenOnlyOtherIDsArrive(t *testing.T) {
	g := newRig(t)
	g.request(0, "id1", "rq1", false)
	g.deliver(time.Millisecond, "id1", "rq1")
	g.reply(5*time.Millisecond, "rq1", false, "content", "x", "message_id", "someone-else")
	g.tick(10 * time.Second)
	g.want(IDMismatch)
}

func TestSentRequestWithoutFirehoseCanOnlyBeUnanswered(t *testing.T) {
	g := newRig(t)
	g.add(0, capture.Message{Event: capture.EventPublish, Mode: capture.ModeSent, Queue: "neon_api_input", RoutingKey: "neon_api_input",
		Properties: capture.Properties{Expiration: "1000"}, Body: body("q", int64(1), "routing_key", "rq1", "message_id", "id1")})
	g.tick(5 * time.Second) // past expiration, but no firehose shows whether it was delivered
	g.want()
	g.tick(10 * time.Second)
	g.want(NoReply)
	if !strings.Contains(g.got[0].Detail, "its delivery was not observed") {
		t.Fatalf("detail %q", g.got[0].Detail)
	}
}

func TestSentRequestToAQueueWithNoConsumerExpired(t *testing.T) {
	for _, none := range []bool{true, false} {
		g := newRig(t)
		asked := 0
		g.tr = NewTracker(Options{ReplyWindow: 10 * time.Second, Unconsumed: func(vhost, queue string) bool {
			asked++
			return none && queue == "weather_input"
		}})
		g.add(0, capture.Message{Event: capture.EventPublish, Mode: capture.ModeSent, Queue: "weather_input", RoutingKey: "weather_input",
			Properties: capture.Properties{Expiration: "1000"}, Body: body("q", int64(1), "routing_key", "rq1", "message_id", "id1")})
		g.tick(time.Second) // before its expiration: nothing asked
		g.tick(2 * time.Second)
		g.tick(3 * time.Second)
		if asked != 1 {
			t.Fatalf("asked %d times about the queue, want once", asked)
		}
		g.tick(11 * time.Second)
		if none {
			g.want(Expired)
			if !strings.Contains(g.got[0].Detail, `"weather_input" had no consumer`) {
				t.Fatalf("detail %q", g.got[0].Detail)
			}
		} else {
			g.want(NoReply)
		}
	}
}

func TestVerdictRowRoundTrips(t *testing.T) {
	v := Verdict{Code: Replied, MessageID: "id1", VHost: "/v", Queue: "q", RequestSeq: 7, Latency: 4740 * time.Microsecond, Detail: "replied in 4.74 ms"}
	m := v.Message()
	back, ok := Of(&m)
	if !ok || back.Code != v.Code || back.MessageID != "id1" || back.RequestSeq != 7 || back.Latency != v.Latency || back.Detail != v.Detail {
		t.Fatalf("Of(Message()) = %+v, %v", back, ok)
	}
}

func TestPendingIsBounded(t *testing.T) {
	g := newRig(t)
	g.tr = NewTracker(Options{MaxPending: 3})
	for i := range 10 {
		g.request(time.Duration(i)*time.Millisecond, "id"+itoa(i), "rq", false)
	}
	if len(g.tr.pending) != 3 || len(g.tr.order) != 3 {
		t.Fatalf("pending %d, order %d; want 3", len(g.tr.pending), len(g.tr.order))
	}
}

func TestRefusedWhenTheQueueSaysSo(t *testing.T) {
	g := newRig(t)
	asked := ""
	g.tr = NewTracker(Options{ReplyWindow: 10 * time.Second, Refused: func(vhost, queue string) (string, bool) {
		asked = vhost + " " + queue
		return "queue is full", true
	}})
	g.request(0, "id1", "rq1", false)
	g.tick(1600 * time.Millisecond)
	g.want(Refused)
	if asked != "/neon_api neon_api_input" || g.got[0].Detail != "queue is full" {
		t.Fatalf("asked %q, verdict %+v", asked, g.got[0])
	}
}

// TestTimelineOfASentRequestIsInTimeOrder: the firehose's copy of the reply
// mqscope received is stamped when published, before it was received, and
// comes after it in the store; the timeline puts it first.
func TestTimelineOfASentRequestIsInTimeOrder(t *testing.T) {
	g := newRig(t)
	g.add(0, capture.Message{Event: capture.EventPublish, Mode: capture.ModeSent, Queue: "neon_api_input", RoutingKey: "neon_api_input",
		Body: body("q", int64(1), "routing_key", "rq1", "message_id", "id1")})
	g.add(4060*time.Microsecond, capture.Message{Event: capture.EventConsume, Mode: capture.ModeReply, Queue: "rq1", RoutingKey: "rq1",
		Body: body("ok", true, "message_id", "id1")})
	g.add(3900*time.Microsecond, capture.Message{Event: capture.EventPublish, Queue: "rq1", RoutingKey: "rq1",
		Body: body("ok", true, "message_id", "id1")})
	entries := g.st.Range(0, g.st.Len())
	tl := TimelineOf(entries, entries[0], nil)
	var got []string
	for _, s := range tl.Steps {
		got = append(got, s.At.Sub(g.t0).String()+" "+strings.SplitN(s.What, " after", 2)[0])
	}
	want := []string{"0s published", "3.9ms reply published (seen by the firehose)", `4.06ms reply received on "rq1"`}
	if len(got) != 3 || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("steps %q, want %q", got, want)
	}
}
