package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"mqscope/capture"
	"mqscope/internal/textsafe"
	"mqscope/store"
	"mqscope/verdict"
)

// timelineScan bounds the rows after a request that its timeline is put
// together from: its deliveries, reply and verdict come within the reply
// window, which this many rows cover on all but a flooded vhost.
const timelineScan = 5000

// timelineCache keeps the timeline of the request shown in the Pair tab,
// so that a frame does not scan the store: it is put together again only
// when another request is selected, or when rows arrived after it and its
// verdict was not known yet.
type timelineCache struct {
	req     uint64 // the request's seq; 0: none
	newest  uint64 // the newest row of the store when it was put together
	decided bool
	tl      *verdict.Timeline
	version int // bumped on every change, for the detail pane's layout cache
}

// timelineOf returns the timeline of the request behind e (a request, a
// sighting of it, its reply, or its verdict row), or nil when e is not
// part of a request.
func (m *Model) timelineOf(e *store.Entry) (*verdict.Timeline, int) {
	c := &m.timelines
	req := m.requestBehind(e)
	if req == nil {
		if c.req != 0 {
			*c = timelineCache{version: c.version + 1}
		}
		return nil, c.version
	}
	newest := m.newestStoreSeq()
	if req.Seq == c.req && (c.decided || newest == c.newest || newest-req.Seq > timelineScan) {
		return c.tl, c.version
	}
	rows, _ := m.env.store.SinceN(nil, req.Seq, timelineScan)
	v, ok := m.verdicts.of(req)
	var vp *verdict.Verdict
	if ok {
		vp = &v
	}
	tl := verdict.TimelineOf(rows, *req, vp)
	*c = timelineCache{req: req.Seq, newest: newest, decided: ok, tl: &tl, version: c.version + 1}
	return c.tl, c.version
}

// requestBehind is the request row e belongs to.
func (m *Model) requestBehind(e *store.Entry) *store.Entry {
	if e == nil {
		return nil
	}
	if e.Msg.Event == capture.EventVerdict {
		req, _ := requestOfVerdict(m.env.store, e)
		return req
	}
	r := e
	if e.Origin != 0 {
		o, ok := m.env.store.Get(e.Origin)
		if !ok {
			return nil
		}
		r = &o
	}
	if r.Pair != nil && r.Pair.IsReply {
		q, ok := m.env.store.Get(r.Pair.Seq)
		if !ok {
			return nil
		}
		r = &q
	}
	if !isRequestRow(r) {
		return nil
	}
	return r
}

// newestStoreSeq is the seq of the newest retained row, 0 when empty.
func (m *Model) newestStoreSeq() uint64 {
	n := m.env.store.Len()
	if n == 0 {
		return 0
	}
	if rows := m.env.store.Range(n-1, 1); len(rows) == 1 {
		return rows[0].Seq
	}
	return 0
}

// timelineLines draws a timeline for the Pair tab: one step a line, its
// time since the publish first, continuation lines hanging under the
// text; the verdict in its family's colour.
func timelineLines(tl *verdict.Timeline, width int, st *Styles) []string {
	text := strings.Split(strings.TrimRight(tl.String(), "\n"), "\n")
	lines := []string{st.Bold.Render("timeline ") + st.Muted.Render(textsafe.Row(strings.TrimPrefix(text[0], "request ")))}
	verdictStyle := st.Muted
	if tl.Verdict != nil {
		verdictStyle = st.family(familyOf(tl.Verdict.Code))
	}
	for _, step := range text[1:] {
		step = textsafe.Row(step)
		style := st.Text
		if strings.Contains(step, " verdict ") || strings.HasPrefix(strings.TrimSpace(step), "no verdict yet") {
			style = verdictStyle
		}
		for _, l := range hangWrap(step, width, timelineHang) {
			lines = append(lines, style.Render(l))
		}
	}
	return lines
}

// timelineHang is where a step's text starts, after its time.
const timelineHang = 14

// hangWrap wraps s to width, continuation lines indented by hang (none on
// a screen too narrow for it).
func hangWrap(s string, width, hang int) []string {
	width = max(width, 1)
	if textWidth(s) <= width {
		return []string{s}
	}
	if width-hang < minHangWidth {
		return strings.Split(ansi.Hardwrap(s, width, true), "\n")
	}
	first := strings.Split(ansi.Wrap(s, width, ""), "\n")
	out := []string{first[0]}
	rest := strings.TrimLeft(strings.Join(first[1:], " "), " ")
	for _, l := range strings.Split(ansi.Wrap(rest, width-hang, ""), "\n") {
		out = append(out, strings.Repeat(" ", hang)+l)
	}
	return out
}
