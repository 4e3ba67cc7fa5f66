package ui

import (
	"strings"

	"mqscope/capture"
	"mqscope/internal/textsafe"
	"mqscope/store"
)

// composeStart is what compose opens with, and the line that says where
// the body came from: compose never starts from a body the person cannot
// account for.
type composeStart struct {
	queue, body string
	note        string
	warn        bool // the note explains why compose could not start from the row
}

// composeStart works out compose's target and body from the selected row.
// A request starts from itself; a deliver or a copy of a sent request from
// the message it is a sighting of; a reply from the request it answers,
// since sending a reply's body to a service is never what was meant.
func (m *Model) composeStart() composeStart {
	e, _ := m.selected()
	if e == nil {
		q := m.firstWatchedQueue()
		note := "no row selected: an empty body"
		if q != "" {
			note += " for " + q + ", the first watched queue"
		}
		return composeStart{queue: q, body: "{}", note: note}
	}
	req, how := m.requestOf(e)
	if req == nil {
		what := "a reply"
		if e.Msg.Event == capture.EventVerdict {
			what = "a verdict"
		}
		return composeStart{body: "{}", warn: true,
			note: "the selected row is " + what + " and its request is not in the list (sent before mqscope watched, or evicted): type the queue and the body"}
	}
	start := composeStart{queue: targetQueue(req), body: prefillBody(req.Decoded.Value)}
	start.note = "body from " + how + " (" + describeRow(req, m.env) + ")"
	if start.body == "{}" && !isDict(req) {
		start.note = "the selected " + rowKind(req) + " has no dict body to start from (" + string(req.Decoded.Encoding) + "): an empty body"
		start.warn = true
	}
	if start.queue == "" {
		start.note += "; it was published to exchange " + textsafe.Row(req.Msg.Exchange) + ": type the queue to send to"
		start.warn = true
	}
	return start
}

// requestOf returns the message compose should start from for e, and how
// it relates to e: "the selected request", "the request the selected
// reply answers". It is nil when e is a reply whose request is not
// retained.
func (m *Model) requestOf(e *store.Entry) (*store.Entry, string) {
	how := "the selected " + rowKind(e)
	r := e
	if e.Msg.Event == capture.EventVerdict {
		req, ok := requestOfVerdict(m.env.store, e)
		if !ok {
			return nil, ""
		}
		return req, "the " + rowKind(req) + " of the selected verdict"
	}
	if e.Origin != 0 {
		if o, ok := m.env.store.Get(e.Origin); ok {
			r = &o
			how = "the " + rowKind(r) + " of which the selected " + string(e.Msg.Event) + " is a copy"
		}
	}
	if !isReplyRow(r) {
		return r, how
	}
	if r.Pair != nil && r.Pair.IsReply {
		if q, ok := m.env.store.Get(r.Pair.Seq); ok {
			return &q, "the " + rowKind(&q) + " the selected reply answers"
		}
	}
	return nil, ""
}

// isReplyRow reports whether e is a reply: paired as one, received on
// mqscope's own reply queue, or sent to a Neon reply queue without being
// a request itself.
func isReplyRow(e *store.Entry) bool {
	switch {
	case e.Pair != nil:
		return e.Pair.IsReply
	case e.Msg.Mode == capture.ModeReply:
		return true
	}
	return e.ReplyQueue == "" && isNeonReplyQueue(destination(&e.Msg))
}

// destination is the queue a message was seen on or, through the default
// exchange, sent to.
func destination(m *capture.Message) string {
	if m.Queue != "" {
		return m.Queue
	}
	if m.Exchange == "" {
		return m.RoutingKey
	}
	return ""
}

// targetQueue is where compose sends a copy of req: the queue it went to.
// A message published to a named exchange has none compose can name.
func targetQueue(req *store.Entry) string {
	return destination(&req.Msg)
}

func isDict(e *store.Entry) bool {
	_, ok := dictOf(e.Decoded.Value)
	return ok
}

// rowKind names a row by what it is, as the event column and the marker
// do: "request", "reply", "sent request", "deliver".
func rowKind(e *store.Entry) string {
	switch {
	case e.Msg.Mode == capture.ModeSent:
		return "sent request"
	case e.Msg.Mode == capture.ModeReply || (e.Pair != nil && e.Pair.IsReply):
		return "reply"
	case e.Msg.Event == capture.EventDeliver:
		return "deliver"
	case e.ReplyQueue != "":
		return "request"
	}
	return "message"
}

// describeRow says which message a row is: "4051f3b3 on neon_api_input
// at 09:08:54.989".
func describeRow(e *store.Entry, env env) string {
	var parts []string
	if id := shortID(e.MessageID); id != "" {
		parts = append(parts, id)
	}
	if q := destination(&e.Msg); q != "" {
		parts = append(parts, "on "+textsafe.Row(clip(q, 40)))
	}
	parts = append(parts, "at "+e.Msg.Time.In(env.loc).Format("15:04:05.000"))
	return strings.Join(parts, " ")
}

// firstWatchedQueue is the first watched queue (not exchange), or "".
func (m *Model) firstWatchedQueue() string {
	if len(m.env.queues) > 0 {
		return m.env.queues[0]
	}
	return ""
}
