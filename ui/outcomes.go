package ui

import (
	"time"

	"mqscope/capture"
	"mqscope/store"
)

// sentOutcome is how a request sent from compose ended.
type sentOutcome struct {
	text    string        // as in compose's history: "↩ 4.74ms", "✗ timed out", "✗ no route"
	latency time.Duration // with a reply: the latency compose showed
	replied bool
	failed  bool
}

// maxOutcomes bounds the outcomes remembered; older sent rows then show
// the store's pairing alone.
const maxOutcomes = 1024

// outcomeLog remembers the outcomes of sent requests by message_id, the
// oldest forgotten first.
type outcomeLog struct {
	byID  map[string]sentOutcome
	order []string
}

func (l *outcomeLog) put(id string, o sentOutcome) {
	if l.byID == nil {
		l.byID = map[string]sentOutcome{}
	}
	if _, ok := l.byID[id]; !ok {
		l.order = append(l.order, id)
	}
	l.byID[id] = o
	for len(l.order) > maxOutcomes {
		delete(l.byID, l.order[0])
		l.order = l.order[1:]
	}
}

func (l *outcomeLog) get(id string) (sentOutcome, bool) {
	o, ok := l.byID[id]
	return o, ok
}

// ownPairText is the pair cell of mqscope's own rows: the sent row shows
// its request's outcome and the reply row the same latency compose showed.
// ok is false for other rows, and for own rows whose outcome is not known.
func (l *outcomeLog) ownPairText(e *store.Entry) (text string, failed, ok bool) {
	if e.Msg.Mode != capture.ModeSent && e.Msg.Mode != capture.ModeReply {
		return "", false, false
	}
	o, known := l.get(e.MessageID)
	switch {
	case !known:
		return "", false, false
	case o.replied && e.Msg.Mode == capture.ModeSent:
		return "⇄ " + fmtLatency(o.latency), false, true
	case o.replied:
		return "↩ " + fmtLatency(o.latency), false, true
	case e.Msg.Mode == capture.ModeSent:
		return o.text, o.failed, true
	}
	return "", false, false
}
