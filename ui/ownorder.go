package ui

import (
	"sync"
	"time"

	"mqscope/capture"
	"mqscope/connector/neonwire"
)

// ownHold is the longest a firehose copy of mqscope's own request or
// reply waits for the row it copies. The copy usually arrives within a
// millisecond of that row, before or after it; past this the copy goes in
// anyway, so a lost row never holds up the list.
const ownHold = 250 * time.Millisecond

// maxExpected bounds how many sent requests are remembered, whatever
// happens to their rows.
const maxExpected = 256

// ownOrder puts the rows of one compose send in the order they happened:
// mqscope's own "sent" row before the firehose's publish and deliver of
// it, and its own "reply" row before the firehose's publish of that reply.
//
// The connector reports a request once its publish returns and a reply as
// its consumer gets it, while the broker's tracer copies both through
// another connection: either can reach the store first. The store treats
// the first sighting of a message as the message (it carries the pair and
// its latency) and later ones as copies, so without this the pair marker
// and the latency moved from row to row, and the sent row could sort after
// its own publish. The model announces each request before sending it
// (expect); a firehose copy of it that comes first waits, with every
// firehose message behind it so that their order holds, until the row it
// copies is in or ownHold has passed.
type ownOrder struct {
	next func(capture.Message)
	now  func() time.Time

	mu       sync.Mutex
	expected map[string]*ownRequest // by message_id
	order    []string               // expected ids, oldest first, to bound the map
	held     []heldMessage          // firehose messages waiting, in arrival order
	timer    *time.Timer
}

// ownRequest is what is known of one request this session sent.
type ownRequest struct {
	replyQueue      string
	sentIn, replyIn bool // its own rows are in the store
	finished        bool // the request has its outcome: no more own rows come
}

// heldMessage is a firehose message in the queue: one that copies an own
// row not in yet waits for it (until at the latest); the others only keep
// their place behind it.
type heldMessage struct {
	msg     capture.Message
	id      string
	reply   bool // waits for the reply row, else for the sent row
	waiting bool
	until   time.Time
}

func newOwnOrder(next func(capture.Message), now func() time.Time) *ownOrder {
	return &ownOrder{next: next, now: now, expected: map[string]*ownRequest{}}
}

// expect announces a request about to be sent with message_id id, whose
// reply will arrive on replyQueue.
func (o *ownOrder) expect(id, replyQueue string) {
	if id == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.expected[id]; !ok {
		o.order = append(o.order, id)
	}
	o.expected[id] = &ownRequest{replyQueue: replyQueue}
	for len(o.order) > maxExpected {
		delete(o.expected, o.order[0])
		o.order = o.order[1:]
	}
}

// finish says request id has its outcome: a copy of it that still waits
// for a row that will not come (a reply after a timeout) waits no more.
func (o *ownOrder) finish(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if r, ok := o.expected[id]; ok {
		r.finished = true
		o.flush(false)
	}
}

// sink is the session's sink: own rows go in at once and release the
// copies waiting for them; firehose copies of own rows not yet in wait.
func (o *ownOrder) sink(m capture.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch m.Mode {
	case capture.ModeSent, capture.ModeReply:
		o.next(m)
		o.markIn(m)
		o.flush(false)
	case capture.ModeFirehose:
		h := o.classify(m)
		if len(o.held) == 0 && !h.waiting {
			o.next(m)
			return
		}
		o.held = append(o.held, h)
		o.arm()
	default:
		o.next(m)
	}
}

// classify decides whether firehose message m copies an own row that is
// not in the store yet. Bodies are decoded only while a request is
// expected, so plain watching costs nothing extra.
func (o *ownOrder) classify(m capture.Message) heldMessage {
	h := heldMessage{msg: m}
	if len(o.expected) == 0 {
		return h
	}
	v, err := neonwire.DecodeNeon(m.Body)
	if err != nil {
		return h
	}
	for _, id := range ownIDs(v) {
		r, ok := o.expected[id]
		if !ok {
			continue
		}
		h.id = id
		h.reply = arrivedOnQueue(&m, r.replyQueue)
		h.waiting = !r.finished && !(h.reply && r.replyIn) && !(!h.reply && r.sentIn)
		h.until = o.now().Add(ownHold)
		return h
	}
	return h
}

// ownIDs are the ids a body may carry the request's message_id under: a
// request's own message_id, and the id Neon matches a reply by.
func ownIDs(v neonwire.Value) []string {
	var ids []string
	if d, ok := v.(*neonwire.Dict); ok {
		if own, ok := d.Get("message_id"); ok {
			if s, ok := own.(string); ok && s != "" {
				ids = append(ids, s)
			}
		}
	}
	if id := neonwire.MessageID(v); id != "" && (len(ids) == 0 || ids[0] != id) {
		ids = append(ids, id)
	}
	return ids
}

// arrivedOnQueue reports whether m went to queue q.
func arrivedOnQueue(m *capture.Message, q string) bool {
	if q == "" {
		return false
	}
	if m.Queue == q || (m.Exchange == "" && m.RoutingKey == q) {
		return true
	}
	for _, r := range m.RoutedQueues {
		if r == q {
			return true
		}
	}
	return false
}

// markIn records that an own row is in the store.
func (o *ownOrder) markIn(m capture.Message) {
	v, err := neonwire.DecodeNeon(m.Body)
	if err != nil {
		return
	}
	for _, id := range ownIDs(v) {
		if r, ok := o.expected[id]; ok {
			if m.Mode == capture.ModeSent {
				r.sentIn = true
			} else {
				r.replyIn = true
			}
		}
	}
}

// flush passes on the held messages from the front for as long as they
// no longer wait: their row is in, their request is over, or (expired)
// their time is up.
func (o *ownOrder) flush(expired bool) {
	now := o.now()
	for len(o.held) > 0 {
		h := &o.held[0]
		if h.waiting && !o.released(h) && !(expired && !now.Before(h.until)) {
			break
		}
		o.next(h.msg)
		o.held[0] = heldMessage{}
		o.held = o.held[1:]
	}
	if len(o.held) == 0 {
		o.held = nil
	}
}

// released reports whether what h waits for has happened.
func (o *ownOrder) released(h *heldMessage) bool {
	r, ok := o.expected[h.id]
	if !ok || r.finished {
		return true
	}
	if h.reply {
		return r.replyIn
	}
	return r.sentIn
}

// arm makes sure a timer will release the front of the queue when its
// wait is over.
func (o *ownOrder) arm() {
	if o.timer != nil || len(o.held) == 0 {
		return
	}
	o.timer = time.AfterFunc(ownHold, o.expire)
}

// expire releases what waited too long and re-arms for the rest.
func (o *ownOrder) expire() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.timer = nil
	o.flush(true)
	o.arm()
}
