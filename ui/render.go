package ui

import (
	"fmt"
	"strings"
	"time"

	"mqscope/internal/textsafe"
)

// render draws the screen as one string of exactly width × height cells.
func (m *Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	l := m.layout()
	if l.tooSmall {
		return tooSmallView(m.st, m.width, m.height)
	}
	if m.mode == modePicker {
		return m.picker.render(&m.st, m.renderFooter(), m.width, m.height)
	}
	parts := make([]string, 0, 12)
	parts = append(parts, m.renderHeader())
	for _, line := range m.alertLines()[:l.alert] {
		parts = append(parts, fitLine(line, m.width))
	}
	switch {
	case m.mode == modeHelp:
		body := l.list + l.lower
		var help string
		help, m.helpScroll = renderFullHelp(m.st, m.keys.full(), m.width, body, m.helpScroll)
		parts = append(parts, help)
	case m.mode == modeMessage:
		parts = append(parts, m.renderLastMessage(l.list+l.lower))
	case m.mode == modeDiff:
		parts = append(parts, m.renderDiff(l.list+l.lower))
	case m.panes() == modeBoard:
		parts = append(parts, m.renderBoard(l.list+l.lower))
	case l.list == 0:
		parts = append(parts, m.renderLower(l))
	default:
		parts = append(parts, m.renderList(l), m.renderLower(l))
	}
	parts = append(parts, m.statusLinesMax(l.status)...)
	parts = append(parts, m.renderFooter())
	return strings.Join(parts, "\n")
}

func (m *Model) renderHeader() string {
	h := headerInfo{
		service: m.env.service, vhost: m.env.vhost, watches: m.env.watches, paused: m.paused,
		scheme: m.env.scheme, insecure: m.env.insecure, readOnly: m.env.readOnly != nil,
	}
	if f := m.view.Filter(); f != nil {
		h.filter, h.matches, h.scanning = f.String(), m.list.total, m.view.Scanning()
	}
	return fitLine(renderHeader(h, &m.conns, &m.st, m.width), m.width)
}

func (m *Model) renderList(l layout) string {
	// Only rows up to the last sync: the store grows between frames, and a
	// paused list must not move.
	rows := m.view.Range(m.list.offset, min(l.list-1, m.list.total-m.list.offset))
	out := m.list.render(rows, m.width, &m.st, m.panes() == modeList, m.rowCtx(), m.emptyListHint())
	return fitBlock(out, m.width, l.list)
}

// rowCtx is what the list's rows are drawn with this frame.
func (m *Model) rowCtx() rowCtx {
	return rowCtx{loc: m.env.loc, dated: m.rowsNeedDate(), outcomes: &m.compose.outcomes, verdicts: &m.verdicts, marks: &m.marks}
}

// rowsNeedDate reports whether the time column must show the date: the
// retained rows span more than one day, or are not from today (a
// recording, mostly).
func (m *Model) rowsNeedDate() bool {
	n := m.env.store.Len()
	if n == 0 {
		return false
	}
	first, last := m.env.store.Range(0, 1), m.env.store.Range(n-1, 1)
	if len(first) == 0 || len(last) == 0 {
		return false
	}
	day := func(t time.Time) string { return t.In(m.env.loc).Format(time.DateOnly) }
	today := day(m.env.now())
	return day(first[0].Msg.Time) != today || day(last[0].Msg.Time) != today
}

// emptyListHint says why the list is empty: nothing arrived yet, or the
// filter hides what did.
func (m *Model) emptyListHint() string {
	if m.list.total > 0 {
		return ""
	}
	if f := m.view.Filter(); f != nil {
		if m.view.Scanning() {
			return "looking for messages that match " + textsafe.Row(f.String()) + "…"
		}
		hidden := m.env.store.Len()
		return fmt.Sprintf("no message matches %s (%d hidden; / edits the filter)", textsafe.Row(f.String()), hidden)
	}
	switch {
	case m.env.offline != "":
		return "the recording holds no messages"
	case m.conns.openErr != nil:
		return "nothing to show: the session did not start (see the line at the top; w picks again)"
	}
	return "waiting for messages…"
}

func (m *Model) renderLower(l layout) string {
	if m.composeOpen() {
		return m.compose.render(m.env.vhost, m.width, l.lower, &m.st, m.mode == modeCompose, m.env.now())
	}
	e, pair := m.selected()
	if m.detail.tab == tabPair {
		m.detail.timeline, m.detail.timelineVersion = m.timelineOf(e)
	}
	return m.detail.render(e, pair, m.width, l.lower, &m.st, m.panes() == modeDetail)
}

// statusLines is the status bar of this frame: one line, or more when a
// transient message needs them.
func (m *Model) statusLines() []string { return m.statusLinesMax(maxStatusLines) }

// statusLinesMax is the status bar in at most n lines.
func (m *Model) statusLinesMax(n int) []string {
	stats := m.env.store.Stats()
	var rec recordNote
	if m.env.record != nil {
		rec = m.env.record()
	}
	info := statusInfo{
		count: stats.Count, evicted: stats.Evicted, record: rec, line: m.status, stopped: m.stoppedNote(),
		cutNote: m.cutNote(), marked: len(m.marks.seqs),
	}
	if m.env.offline == "" {
		info.rates = &m.rates
		info.lag = lagBehind(m.env.store, m.env.now())
	}
	return statusLines(info, &m.st, m.width, n)
}

// renderStatus is the status bar as drawn.
func (m *Model) renderStatus() string { return strings.Join(m.statusLines(), "\n") }

// cutNote is how the note on a message cut short says to read it all:
// where keys type text, ! would be typed.
func (m *Model) cutNote() string {
	if m.mode == modeList || m.mode == modeDetail {
		return cutNote
	}
	return cutNoteTyped
}

// renderLastMessage shows the connection problem and the last status
// message in full, wrapped, for when the alert line or the status bar had
// to cut them.
func (m *Model) renderLastMessage(height int) string {
	lines := []string{m.st.Title.Render("in full") + m.st.Muted.Render("  (any key closes)")}
	// Broker errors quote names anyone may declare.
	if problem := textsafe.Row(m.conns.problem(m.env.now())); problem != "" {
		lines = append(lines, styleLines(wrapText("connection: "+problem, m.width), m.st.Alert)...)
	}
	if last := m.lastStatus; last.text != "" {
		style := m.st.Text
		if last.isErr {
			style = m.st.Danger
		}
		lines = append(lines, styleLines(wrapText("last message: "+textsafe.Row(last.text), m.width), style)...)
	}
	if len(lines) == 1 {
		lines = append(lines, m.st.Muted.Render("no message yet"))
	}
	return fitBlock(strings.Join(lines, "\n"), m.width, height)
}

// renderFooter is the one-line help of the mode, as route names it.
func (m *Model) renderFooter() string {
	bindings := route(m.mode).footer(m.keys)
	if m.mode == modeBoard && m.board.confirm != nil {
		bindings = m.keys.confirmShort() // the board's keys wait for the answer
	}
	return fitLine(" "+renderShortHelp(m.help, m.offered(bindings), m.width-1), m.width)
}
