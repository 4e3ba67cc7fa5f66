package ui

import (
	"strings"
	"time"

	"mqscope/capture"

	"mqscope/internal/textsafe"
	"mqscope/store"
)

// rowSource is what the list reads: a store.View. Only windows of it are
// ever copied, so the cost of a frame does not depend on the store's size.
type rowSource interface {
	Len() int
	Range(from, n int) []store.Entry
	Index(seq uint64) int
}

// messageList is the navigation state of the live list: which row is
// selected, which is at the top, and whether it follows the tail.
type messageList struct {
	total  int    // rows in the view at the last sync
	cursor int    // selected row
	offset int    // first visible row
	height int    // visible rows, the column header not included
	follow bool   // keep the newest row selected as rows arrive
	selSeq uint64 // seq of the selected row, so eviction does not move the selection

	summaries map[uint64]string // cache: a body's summary never changes
}

func newMessageList() messageList {
	return messageList{follow: true, summaries: map[uint64]string{}}
}

// sync takes the view's new length and keeps the selection on the same
// message (or on the tail when following).
func (l *messageList) sync(v rowSource) {
	l.total = v.Len()
	if l.follow {
		l.cursor = l.total - 1
	} else if l.selSeq != 0 {
		if i := v.Index(l.selSeq); i >= 0 {
			l.cursor = i
		}
	}
	l.clamp(v)
}

// move moves the selection by delta rows; reaching the newest row resumes
// following, leaving it stops.
func (l *messageList) move(v rowSource, delta int) {
	l.cursor += delta
	l.follow = l.cursor >= l.total-1
	l.clamp(v)
}

func (l *messageList) top(v rowSource) {
	l.cursor, l.follow = 0, l.total <= 1
	l.clamp(v)
}

func (l *messageList) bottom(v rowSource) {
	l.cursor, l.follow = l.total-1, true
	l.clamp(v)
}

func (l *messageList) setHeight(v rowSource, h int) {
	l.height = max(h, 1)
	l.clamp(v)
}

// reset forgets everything, as after a clear or a new filter.
func (l *messageList) reset() {
	*l = messageList{follow: true, height: l.height, summaries: map[uint64]string{}}
}

// clamp keeps cursor and offset in range and the cursor on screen, and
// records which message is selected.
func (l *messageList) clamp(v rowSource) {
	l.cursor = min(max(l.cursor, 0), max(l.total-1, 0))
	switch {
	case l.cursor < l.offset:
		l.offset = l.cursor
	case l.cursor >= l.offset+l.height:
		l.offset = l.cursor - l.height + 1
	}
	l.offset = min(max(l.offset, 0), max(l.total-l.height, 0))
	l.selSeq = 0
	if l.total > 0 {
		if e := v.Range(l.cursor, 1); len(e) == 1 {
			l.selSeq = e[0].Seq
		}
	}
}

// summary returns the cached summary of e, computing it once. The cache is
// dropped when it grows past a few screens, so it stays small whatever the
// traffic.
func (l *messageList) summary(e *store.Entry) string {
	if s, ok := l.summaries[e.Seq]; ok {
		return s
	}
	if len(l.summaries) > 2048 {
		l.summaries = map[uint64]string{}
	}
	s := summarize(e)
	l.summaries[e.Seq] = s
	return s
}

// column is one column of the list.
type column struct {
	title string
	width int
	right bool // right-aligned (sizes)
}

// minSummary is the narrowest the body summary gets before columns are
// dropped to make room for it.
const minSummary = 16

// listColumns picks the columns that fit width; the summary takes what is
// left. On narrow screens the least useful columns go first, then the
// "where" column shrinks. The one-character event marker (title "") stays
// at every width, so that a publish and its deliver never look alike, and
// so does the one-character verdict marker (verdictColumn) next to it.
func listColumns(width, timeWidth int) (cols []column, summary int) {
	cols = []column{
		{"time", timeWidth, false}, {"", 1, false}, {verdictColumn, 1, false}, {"where", 28, false}, {"event", 7, false}, {"size", 8, true},
		{"enc", 7, false}, {"id", 8, false}, {"pair", 11, false},
	}
	for _, drop := range []string{"enc", "event", "id", "size"} {
		if width-columnsWidth(cols) >= minSummary {
			break
		}
		cols = dropColumn(cols, drop)
	}
	if short := minSummary - (width - columnsWidth(cols)); short > 0 {
		cols[3].width = max(10, cols[3].width-short)
	}
	return cols, max(width-columnsWidth(cols), 0)
}

// columnsWidth is the width of cols with their separating spaces.
func columnsWidth(cols []column) int {
	w := 0
	for _, c := range cols {
		w += c.width + 1
	}
	return w
}

func dropColumn(cols []column, title string) []column {
	out := cols[:0:0]
	for _, c := range cols {
		if c.title != title {
			out = append(out, c)
		}
	}
	return out
}

// renderList draws the column header and the visible rows; empty is what
// to say when there are none.
func (l *messageList) render(rows []store.Entry, width int, st *Styles, focused bool, c rowCtx, empty string) string {
	cols, sumWidth := listColumns(width, len(c.timeFormat()))
	var b strings.Builder
	b.WriteString(renderListHeader(cols, sumWidth, st))
	for i := range rows {
		b.WriteByte('\n')
		e := &rows[i]
		selected := l.offset+i == l.cursor
		b.WriteString(l.renderRow(e, cols, sumWidth, width, st, selected, focused, c))
	}
	if len(rows) == 0 && empty != "" {
		for _, line := range wrapText("  "+empty, width) {
			b.WriteString("\n" + st.Muted.Render(line))
		}
	}
	return b.String()
}

func renderListHeader(cols []column, sumWidth int, st *Styles) string {
	var b strings.Builder
	for _, c := range cols {
		b.WriteString(pad(c.title, c.width, c.right))
		b.WriteByte(' ')
	}
	b.WriteString(pad("body", sumWidth, false))
	return st.Fast.ColumnHeader.render(b.String())
}

// renderRow draws one message. Cells are padded as plain text and each is
// styled once, which keeps a 50-row frame well under a millisecond.
func (l *messageList) renderRow(e *store.Entry, cols []column, sumWidth, width int, st *Styles, selected, focused bool, c rowCtx) string {
	if g, ok := capture.GapOf(&e.Msg); ok {
		return renderGapRow(g, width, st, selected, focused, c.loc)
	}
	if selected {
		plain := l.plainRow(e, cols, sumWidth, c)
		if focused {
			return st.Fast.Selected.render(fitLine(plain, width))
		}
		return st.Fast.SelectedBlur.render(fitLine(plain, width))
	}
	var b strings.Builder
	for _, col := range cols {
		b.WriteString(cellStyle(e, col.title, &st.Fast, c).render(pad(fittedCell(e, col, c), col.width, col.right)))
		b.WriteByte(' ')
	}
	if mark := c.markPrefix(e); mark != "" {
		b.WriteString(st.Fast.Accent.render(pad(mark, min(sumWidth, textWidth(mark)), false)))
		sumWidth -= textWidth(mark)
	}
	b.WriteString(st.Fast.Text.render(pad(l.summary(e), sumWidth, false)))
	return b.String()
}

// fittedCell is the text of col for e; a place too wide for its column
// leaves out the vhost (the header names it), so that the queue names,
// which tell rows apart, stay readable on a narrow screen.
func fittedCell(e *store.Entry, col column, c rowCtx) string {
	text := cellText(e, col.title, c)
	if col.title == "where" && textWidth(text) > col.width && e.Msg.Exchange == "" {
		return strings.TrimPrefix(text, textsafe.Row(e.Msg.VHost)+"/")
	}
	return text
}

func (l *messageList) plainRow(e *store.Entry, cols []column, sumWidth int, c rowCtx) string {
	var b strings.Builder
	for _, col := range cols {
		b.WriteString(pad(fittedCell(e, col, c), col.width, col.right))
		b.WriteByte(' ')
	}
	b.WriteString(pad(c.markPrefix(e)+l.summary(e), sumWidth, false))
	return b.String()
}

// renderGapRow draws a gap marker across the whole row, so that a stretch
// in which a watch may have missed messages cannot be mistaken for a quiet
// one: "── gap: firehose /neon_api not watching from 07:31:02 to 07:31:09
// (private queue lost) ──────".
func renderGapRow(g capture.Gap, width int, st *Styles, selected, focused bool, loc *time.Location) string {
	text := "── gap: " + textsafe.Row(g.Describe(loc, "15:04:05")) + " "
	if w := textWidth(text); w < width {
		text += strings.Repeat("─", width-w)
	}
	text = fitLine(text, width)
	switch {
	case selected && focused:
		return st.Fast.Selected.render(text)
	case selected:
		return st.Fast.SelectedBlur.render(text)
	}
	return st.Fast.Warn.render(text)
}
