package verdict

import (
	"fmt"
	"slices"
	"time"

	"mqscope/capture"
	"mqscope/store"
)

// Step is one moment in a request's life, in words.
type Step struct {
	At   time.Time
	What string
}

// Timeline is what happened to one request: published, routed, delivered
// (to which connection), the reply published (to which queue) and
// delivered, and the verdict.
type Timeline struct {
	Request store.Entry
	Steps   []Step
	Verdict *Verdict // nil while undecided
}

// Find returns the request with message_id id among entries (in seq
// order): its first sighting, the one that carries its pairing.
func Find(entries []store.Entry, id string) (store.Entry, bool) {
	for _, e := range entries {
		if e.MessageID == id && e.ReplyQueue != "" && e.Origin == 0 && e.Msg.Event == capture.EventPublish {
			return e, true
		}
	}
	return store.Entry{}, false
}

// TimelineOf puts together the timeline of req from entries (in seq
// order), with v as its verdict when decided.
func TimelineOf(entries []store.Entry, req store.Entry, v *Verdict) Timeline {
	tl := Timeline{Request: req, Verdict: v}
	tl.Steps = append(tl.Steps, Step{req.Msg.Time, publishStep(&req)})
	var replySeq uint64
	if req.Pair != nil && !req.Pair.IsReply {
		replySeq = req.Pair.Seq
	}
	for i := range entries {
		e := &entries[i]
		switch {
		case e.Seq <= req.Seq:
		case e.Origin == req.Seq:
			tl.Steps = append(tl.Steps, Step{e.Msg.Time, sightingStep(e, "request")})
		case e.Seq == replySeq:
			verb := "published to"
			if e.Msg.Mode == capture.ModeReply {
				verb = "received on" // mqscope's own requester took it
			}
			tl.Steps = append(tl.Steps, Step{e.Msg.Time, fmt.Sprintf("reply %s %q after %s%s",
				verb, e.Msg.Queue, fmtMS(e.Msg.Time.Sub(req.Msg.Time)), unroutableNote(e))})
		case replySeq != 0 && e.Origin == replySeq:
			tl.Steps = append(tl.Steps, Step{e.Msg.Time, sightingStep(e, "reply")})
		}
	}
	// In time order: the firehose's copy of a reply mqscope received is
	// stamped when it was published, before it was received.
	slices.SortStableFunc(tl.Steps[1:], func(a, b Step) int { return a.At.Compare(b.At) })
	if v != nil {
		tl.Steps = append(tl.Steps, Step{v.At, "verdict " + string(v.Code) + ": " + v.Detail})
	}
	return tl
}

// publishStep describes the request's own publish.
func publishStep(e *store.Entry) string {
	who := ""
	if u, ok := e.Msg.Headers["x-trace-user"].(string); ok {
		who = " by user " + quote(u)
	}
	if c, ok := e.Msg.Headers["x-trace-connection"].(string); ok {
		who += " on connection " + quote(c)
	}
	s := fmt.Sprintf("published%s to %q in %q, reply queue %q", who, e.Msg.Queue, e.Msg.VHost, e.ReplyQueue)
	if exp := e.Msg.Properties.Expiration; exp != "" {
		s += ", expiration " + exp + " ms"
	}
	switch {
	case e.Msg.Unroutable:
		s += "; routed to no queue"
	case len(e.Msg.RoutedQueues) > 0:
		s += fmt.Sprintf("; routed to %q", e.Msg.RoutedQueues)
	}
	if e.Msg.Mode == capture.ModeSent {
		s += " (sent by mqscope)"
	}
	return s
}

// sightingStep describes another sighting of the request or reply: its
// delivery to a consumer, or the firehose copy of a message mqscope sent.
func sightingStep(e *store.Entry, what string) string {
	switch e.Msg.Event {
	case capture.EventDeliver, capture.EventConsume:
		s := what + " delivered from " + quote(e.Msg.Queue)
		if c, ok := e.Msg.Headers["x-trace-connection"].(string); ok {
			s += " to connection " + quote(c)
		}
		if e.Msg.Mode == capture.ModeReply {
			s += " (mqscope's reply queue)"
		}
		if e.Msg.Redelivered {
			s += ", redelivered"
		}
		return s
	}
	if e.Msg.Mode == capture.ModeFirehose && e.Msg.Event == capture.EventPublish {
		return what + " published (seen by the firehose)" + unroutableNote(e)
	}
	return what + " seen again (" + string(e.Msg.Mode) + " " + string(e.Msg.Event) + ")" + unroutableNote(e)
}

func unroutableNote(e *store.Entry) string {
	if e.Msg.Unroutable {
		return "; that queue no longer exists"
	}
	return ""
}

// String writes the timeline one step a line, times relative to the
// request's publish.
func (tl Timeline) String() string {
	t0 := tl.Request.Msg.Time
	s := fmt.Sprintf("request %s (%s)\n", tl.Request.MessageID, t0.Local().Format("2006-01-02 15:04:05.000"))
	for _, st := range tl.Steps {
		s += fmt.Sprintf("  %+10s  %s\n", fmtOffset(st.At.Sub(t0)), st.What)
	}
	if tl.Verdict == nil {
		s += "  no verdict yet: still waiting for its reply\n"
	}
	return s
}

// fmtOffset writes a time since the publish: "+0 ms", "+4.74 ms", "+1.50 s".
func fmtOffset(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("+%.2f s", d.Seconds())
	}
	return "+" + fmtMS(d)
}
