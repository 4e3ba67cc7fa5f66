// Package verdict decides what happened to each Neon request mqscope sees:
// replied, answered with an error, unroutable, expired before any consumer
// took it, delivered but never answered, and so on. It reads the store's
// entries in order (requests, their firehose deliveries, replies) and a
// clock, and says each verdict once, when it is decided.
//
// The facts it needs are what the firehose shows: a request's publish (its
// body names the reply queue in routing_key and carries message_id), the
// queues it was routed to, its deliveries (deliver.QUEUE, with the
// connection that took it), and the reply published to the reply queue. A
// request mqscope sent itself with no firehose watching its queue shows no
// deliveries, so it can only be told replied or not.
package verdict

import (
	"time"

	"mqscope/capture"
	"mqscope/connector/neonwire"
	"mqscope/store"
)

// Code names a verdict; the codes are part of mqscope's output (tail,
// export, recordings, filters), so they never change.
type Code string

// The verdicts.
const (
	Replied         Code = "replied"          // a matching reply was seen
	ErrorReply      Code = "error_reply"      // a matching reply that reports failure
	Unroutable      Code = "unroutable"       // the publish reached no queue
	Refused         Code = "refused"          // the broker refused the publish
	Expired         Code = "expired"          // routed, never delivered before its expiration
	NoReply         Code = "no_reply"         // delivered, no matching reply within the window
	ReplyUnroutable Code = "reply_unroutable" // the reply went to a queue that no longer exists
	LateReply       Code = "late_reply"       // the reply came after the window
	IDMismatch      Code = "id_mismatch"      // replies came to its queue, none with its id
)

// Codes lists every code, for filters and documentation.
var Codes = []Code{Replied, ErrorReply, Unroutable, Refused, Expired, NoReply, ReplyUnroutable, LateReply, IDMismatch}

// DefaultReplyWindow is how long a reply is waited for: 30 s, the timeout
// of neon_mq_connector's send_mq_request.
const DefaultReplyWindow = 30 * time.Second

// expiryGrace is how long after a request's expiration its delivery may
// still show up in the firehose (trace messages lag the broker a little)
// before the request counts as expired.
const expiryGrace = 500 * time.Millisecond

// Verdict is one decided request.
type Verdict struct {
	Code       Code
	MessageID  string
	VHost      string
	Queue      string // the request's target queue
	Mode       capture.Mode
	RequestSeq uint64        // the request's entry in the store
	Latency    time.Duration // request to reply, when there is a reply
	Detail     string        // one line a person reads
	At         time.Time     // when it happened: the reply's time, or the deadline that passed
}

// Options tune a Tracker.
type Options struct {
	// ReplyWindow is how long after its publish a delivered request may
	// still be answered; zero means DefaultReplyWindow.
	ReplyWindow time.Duration
	// MaxPending bounds the requests waiting for a verdict; the oldest is
	// dropped past it (default 100,000), so a flood cannot grow memory
	// without bound.
	MaxPending int
	// Refused, when set, is asked about a request that was routed but never
	// delivered, at its deadline: whether its queue refuses publishes (a
	// full reject-publish queue), and why. The firehose traces such a
	// publish as routed, so without it the request counts as expired.
	Refused func(vhost, queue string) (why string, refused bool)
	// Unconsumed, when set, is asked once about a request mqscope sent
	// itself whose deliveries no firehose shows, at its expiration: whether
	// its queue has no consumer. A request nobody could take expired
	// unread, so it counts as expired rather than no_reply.
	Unconsumed func(vhost, queue string) (none bool)
}

// request is a request waiting for (or just given) its verdict.
type request struct {
	seq        uint64
	id         string
	vhost      string
	queue      string
	replyQ     string
	mode       capture.Mode
	at         time.Time
	expiration time.Duration // 0: no per-message TTL
	traced     bool          // the firehose saw its publish, so deliveries would show
	delivered  bool
	deliverAt  time.Time
	consumer   string // the connection it was delivered to
	others     int    // replies on its reply queue that carried another id
	asked      bool   // Unconsumed was asked about it
	decided    Code   // "" while pending
	// doubtful is a reply whose publish the firehose found unroutable: its
	// reply queue was gone when the trace was read. The owner deletes that
	// queue as soon as the reply arrives, so the check can come too late;
	// a delivery of the reply settles it, no delivery within replyGrace
	// means it went nowhere.
	doubtful *store.Entry
}

// replyGrace is how long a reply that looked unroutable may still be seen
// delivered to its reply queue.
const replyGrace = time.Second

// Tracker follows requests and decides their verdicts. It is not safe for
// concurrent use: one goroutine feeds it entries and ticks.
type Tracker struct {
	opts    Options
	pending map[uint64]*request // by request seq
	order   []uint64            // pending seqs in arrival order, for Tick and the bound
	byReply map[string][]uint64 // reply queue → requests that wait on it
}

// NewTracker returns a tracker with opts.
func NewTracker(opts Options) *Tracker {
	if opts.ReplyWindow <= 0 {
		opts.ReplyWindow = DefaultReplyWindow
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 100_000
	}
	return &Tracker{opts: opts, pending: map[uint64]*request{}, byReply: map[string][]uint64{}}
}

// Window is the reply window in use.
func (t *Tracker) Window() time.Duration { return t.opts.ReplyWindow }

// Observe takes the next entry of the store (entries must come in seq
// order) and returns the verdicts it decides.
func (t *Tracker) Observe(e *store.Entry) []Verdict {
	switch e.Msg.Event {
	case capture.EventVerdict, capture.EventGap, capture.EventUnreadable:
		return nil
	}
	if e.Pair != nil && e.Pair.IsReply {
		return t.onReply(e)
	}
	if e.Origin != 0 {
		if t.pending[e.Origin] == nil {
			return t.onReplySighting(e)
		}
		return t.onSighting(e)
	}
	if e.ReplyQueue != "" && isPublish(e) {
		return t.onRequest(e)
	}
	t.onStray(e)
	return nil
}

// isPublish reports a first sighting of a message on its way to a queue:
// a firehose publish or a request mqscope sent.
func isPublish(e *store.Entry) bool {
	return e.Msg.Event == capture.EventPublish
}

// onRequest starts following a request, deciding at once when it could not
// be routed.
func (t *Tracker) onRequest(e *store.Entry) []Verdict {
	r := &request{
		seq: e.Seq, id: e.MessageID, vhost: e.Msg.VHost, queue: e.Msg.Queue, replyQ: e.ReplyQueue,
		mode: e.Msg.Mode, at: e.Msg.Time, expiration: expirationOf(e.Msg.Properties.Expiration),
		traced: e.Msg.Mode == capture.ModeFirehose,
	}
	if r.queue == "" {
		r.queue = e.Msg.RoutingKey
	}
	t.track(r)
	if e.Msg.Unroutable {
		return []Verdict{t.decide(r, Unroutable, 0, e.Msg.Time, "the publish reached no queue: no queue "+quote(r.queue)+" in "+quote(r.vhost))}
	}
	return nil
}

// onSighting notes another sighting of a followed request: the firehose
// copy of one mqscope sent, or a delivery to a consumer.
func (t *Tracker) onSighting(e *store.Entry) []Verdict {
	r := t.pending[e.Origin]
	if r == nil {
		return nil
	}
	switch e.Msg.Event {
	case capture.EventPublish:
		r.traced = r.traced || e.Msg.Mode == capture.ModeFirehose
		if e.Msg.Unroutable && r.decided == "" {
			return []Verdict{t.decide(r, Unroutable, 0, e.Msg.Time, "the publish reached no queue: no queue "+quote(r.queue)+" in "+quote(r.vhost))}
		}
	case capture.EventDeliver, capture.EventConsume:
		if !r.delivered {
			r.delivered, r.deliverAt = true, e.Msg.Time
			r.consumer, _ = e.Msg.Headers["x-trace-connection"].(string)
		}
	}
	return nil
}

// onReplySighting settles a doubtful reply that was delivered after all.
func (t *Tracker) onReplySighting(e *store.Entry) []Verdict {
	for _, seq := range t.byReply[e.Msg.Queue] {
		if r := t.pending[seq]; r != nil && r.doubtful != nil && r.doubtful.Seq == e.Origin {
			reply := r.doubtful
			r.doubtful = nil
			return t.replied(r, reply)
		}
	}
	return nil
}

// onReply decides a request whose reply arrived.
func (t *Tracker) onReply(e *store.Entry) []Verdict {
	r := t.pending[e.Pair.Seq]
	if r == nil {
		return nil
	}
	if e.Msg.Unroutable && r.doubtful == nil && r.decided != ReplyUnroutable {
		kept := *e
		r.doubtful = &kept // decided by its delivery, or by Tick
		return nil
	}
	return t.replied(r, e)
}

// replied decides a request whose reply reached its reply queue.
func (t *Tracker) replied(r *request, e *store.Entry) []Verdict {
	lat := e.Pair.Latency
	switch {
	case r.decided != "" && r.decided != NoReply && r.decided != IDMismatch && r.decided != Expired:
		return nil // already replied (a second reply) or unroutable
	case r.decided != "" || lat > t.opts.ReplyWindow:
		return []Verdict{t.decide(r, LateReply, lat, e.Msg.Time, "a reply came after "+fmtMS(lat)+", past the "+fmtMS(t.opts.ReplyWindow)+" reply window")}
	case IsErrorReply(e.Decoded.Value):
		return []Verdict{t.decide(r, ErrorReply, lat, e.Msg.Time, "the service answered with an error: "+errorSummary(e.Decoded.Value))}
	}
	return []Verdict{t.decide(r, Replied, lat, e.Msg.Time, "replied in "+fmtMS(lat))}
}

// onStray counts a message that arrived on a followed request's reply
// queue without matching it: a reply to some other request.
func (t *Tracker) onStray(e *store.Entry) {
	q := e.Msg.Queue
	if q == "" {
		q = e.Msg.RoutingKey
	}
	for _, seq := range t.byReply[q] {
		if r := t.pending[seq]; r != nil && r.vhost == e.Msg.VHost && r.decided == "" && e.MessageID != r.id {
			r.others++
		}
	}
}

// Tick decides the requests whose deadline has passed at now: expiration
// for those the firehose shows were never delivered, the reply window for
// the rest. Call it about every 100–500 ms.
func (t *Tracker) Tick(now time.Time) []Verdict {
	var out []Verdict
	keep := t.order[:0]
	for _, seq := range t.order {
		r := t.pending[seq]
		if r == nil {
			continue
		}
		if v, ok := t.deadline(r, now); ok {
			out = append(out, v)
		}
		if r.decided != "" && now.Sub(r.at) > 2*t.opts.ReplyWindow {
			t.forget(r) // kept for a while after its verdict, for a late reply
			continue
		}
		keep = append(keep, seq)
	}
	t.order = keep
	return out
}

// deadline decides r if a deadline of its has passed.
func (t *Tracker) deadline(r *request, now time.Time) (Verdict, bool) {
	if d := r.doubtful; d != nil && now.Sub(d.Msg.Time) >= replyGrace {
		r.doubtful = nil
		return t.decide(r, ReplyUnroutable, d.Pair.Latency, d.Msg.Time, "the service replied after "+fmtMS(d.Pair.Latency)+
			" to "+quote(r.replyQ)+", which no longer exists: the caller had given up"), true
	}
	if r.decided != "" || r.doubtful != nil {
		return Verdict{}, false
	}
	undelivered := r.traced && !r.delivered
	if undelivered && (r.expiration > 0 && now.Sub(r.at) >= r.expiration+expiryGrace || now.Sub(r.at) >= t.opts.ReplyWindow) && t.opts.Refused != nil {
		if why, refused := t.opts.Refused(r.vhost, r.queue); refused {
			return t.decide(r, Refused, 0, r.at, why), true
		}
	}
	if undelivered && r.expiration > 0 && now.Sub(r.at) >= r.expiration+expiryGrace {
		return t.decide(r, Expired, 0, r.at.Add(r.expiration), "routed to "+quote(r.queue)+" but never delivered before its "+fmtMS(r.expiration)+
			" expiration: the queue has no consumer, or its consumers are too slow"), true
	}
	if t.unconsumedAtExpiry(r, now) {
		return t.decide(r, Expired, 0, r.at.Add(r.expiration), quote(r.queue)+" had no consumer at the request's "+fmtMS(r.expiration)+
			" expiration, so it expired unread"), true
	}
	if now.Sub(r.at) < t.opts.ReplyWindow {
		return Verdict{}, false
	}
	if r.others > 0 {
		return t.decide(r, IDMismatch, 0, r.at.Add(t.opts.ReplyWindow), itoa(r.others)+" repl"+plural(r.others, "y", "ies")+" came to "+quote(r.replyQ)+
			" carrying another message_id, none with "+r.id), true
	}
	detail := "no reply within " + fmtMS(t.opts.ReplyWindow)
	switch {
	case r.delivered && r.consumer != "":
		detail = "delivered to connection " + quote(r.consumer) + " after " + fmtMS(r.deliverAt.Sub(r.at)) + ", but " + detail
	case r.delivered:
		detail = "delivered after " + fmtMS(r.deliverAt.Sub(r.at)) + ", but " + detail
	case !r.traced:
		detail += " (its delivery was not observed: watch " + quote(r.queue) + " with the firehose to tell an expired request from an unanswered one)"
	}
	return t.decide(r, NoReply, 0, r.at.Add(t.opts.ReplyWindow), detail), true
}

// unconsumedAtExpiry asks, once, whether the queue of a request mqscope
// sent, with no firehose showing its deliveries, had no consumer when its
// expiration passed.
func (t *Tracker) unconsumedAtExpiry(r *request, now time.Time) bool {
	if t.opts.Unconsumed == nil || r.asked || r.traced || r.mode != capture.ModeSent ||
		r.expiration <= 0 || now.Sub(r.at) < r.expiration+expiryGrace {
		return false
	}
	r.asked = true
	return t.opts.Unconsumed(r.vhost, r.queue)
}

// track starts following r, dropping the oldest when over the bound.
func (t *Tracker) track(r *request) {
	if len(t.pending) >= t.opts.MaxPending && len(t.order) > 0 {
		if old := t.pending[t.order[0]]; old != nil {
			t.forget(old)
		}
		t.order = t.order[1:]
	}
	t.pending[r.seq] = r
	t.order = append(t.order, r.seq)
	t.byReply[r.replyQ] = append(t.byReply[r.replyQ], r.seq)
}

// forget stops following r.
func (t *Tracker) forget(r *request) {
	delete(t.pending, r.seq)
	seqs := t.byReply[r.replyQ]
	for i, s := range seqs {
		if s == r.seq {
			seqs = append(seqs[:i], seqs[i+1:]...)
			break
		}
	}
	if len(seqs) == 0 {
		delete(t.byReply, r.replyQ)
	} else {
		t.byReply[r.replyQ] = seqs
	}
}

// decide records r's verdict and returns it.
func (t *Tracker) decide(r *request, c Code, lat time.Duration, at time.Time, detail string) Verdict {
	r.decided = c
	return Verdict{Code: c, MessageID: r.id, VHost: r.vhost, Queue: r.queue, Mode: r.mode,
		RequestSeq: r.seq, Latency: lat, Detail: detail, At: at}
}

// IsErrorReply reports a Neon reply that says it failed: status_code of
// 400 or more, success False, or an error key.
func IsErrorReply(v neonwire.Value) bool {
	d, ok := v.(*neonwire.Dict)
	if !ok {
		return false
	}
	if code, ok := intValue(d, "status_code"); ok && code >= 400 {
		return true
	}
	if s, ok := d.Get("success"); ok && s == false {
		return true
	}
	_, hasError := d.Get("error")
	return hasError
}
