package ui

import (
	tea "charm.land/bubbletea/v2"

	"mqscope/capture"

	"mqscope/store"
)

// jumpToPair moves the selection from a request to its reply, and from a
// reply back to its request. A deliver, or a copy of a request sent from
// compose, jumps as the message it copies would; a verdict row jumps to
// the request it is about.
func (m *Model) jumpToPair() tea.Cmd {
	e, _ := m.selected()
	if e == nil {
		return m.setStatus("nothing selected", true)
	}
	if e.Msg.Event == capture.EventVerdict {
		return m.jumpToVerdictRequest(e)
	}
	r := e
	if e.Origin != 0 {
		if o, ok := m.env.store.Get(e.Origin); ok {
			r = &o
		}
	}
	if r.Pair == nil {
		return m.setStatus(noPairReason(r), true)
	}
	what := "reply"
	if r.Pair.IsReply {
		what = "request"
	}
	if !m.list.selectSeq(m.view, r.Pair.Seq) {
		if _, ok := m.env.store.Get(r.Pair.Seq); ok {
			return m.setStatus("its "+what+" is hidden by the filter (the Pair tab shows both)", true)
		}
		return m.setStatus("its "+what+" is no longer in the list (evicted)", true)
	}
	m.detail.scroll = 0
	return m.setStatus("→ its "+what+" (p goes back)", false)
}

// noPairReason says why a row has no other side to jump to.
func noPairReason(e *store.Entry) string {
	switch {
	case isReplyRow(e):
		return "this reply's request is not in the list"
	case e.ReplyQueue != "":
		return "no reply to this request yet"
	}
	return "this message is neither a request nor a reply (no message_id and routing_key)"
}

// selectSeq selects the row of seq when the view holds it; following
// stops unless it is the newest row.
func (l *messageList) selectSeq(v rowSource, seq uint64) bool {
	n := v.Len() // the other side may have arrived since the last frame
	i := v.Index(seq)
	if i < 0 {
		return false
	}
	if i >= l.total {
		l.total = n
	}
	l.cursor = i
	l.follow = i >= l.total-1
	l.clamp(v)
	return true
}

// jumpToVerdictRequest selects the request a verdict row is about.
func (m *Model) jumpToVerdictRequest(e *store.Entry) tea.Cmd {
	req, ok := requestOfVerdict(m.env.store, e)
	if !ok {
		return m.setStatus("this verdict's request is no longer in the list (evicted)", true)
	}
	if !m.list.selectSeq(m.view, req.Seq) {
		return m.setStatus("its request is hidden by the filter (the Pair tab shows its timeline)", true)
	}
	m.detail.scroll = 0
	return m.setStatus("→ the request of this verdict", false)
}
