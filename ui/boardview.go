package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/internal/textsafe"
	"mqscope/observe"
)

// boardColumn is one column of the board.
type boardColumn struct {
	title string
	width int
	right bool
}

// The board's columns, widest layout first; problems takes what is left.
var boardColumns = []boardColumn{
	{"queue", 0, false}, {"service", 12, false}, {"cons", 4, true}, {"ready", 6, true}, {"unack", 6, true},
	{"pub/s", 5, true}, {"dlv/s", 5, true}, {"req", 5, true}, {"ok%", 4, true}, {"err", 4, true},
	{"noreply", 7, true}, {"p50", 7, true}, {"p95", 7, true}, {"p99", 7, true}, {"rate", 10, false},
}

// boardDropOrder is the order columns leave a narrowing screen: queue,
// consumers, ready and the problems stay at every width.
var boardDropOrder = []string{"p99", "p95", "service", "rate", "dlv/s", "p50", "unack", "noreply", "err", "ok%", "req", "pub/s"}

// Widths the board keeps for the queue name and the problems: columns go
// until the queue name has boardQueueWant, the 32 hex digits of a reply
// queue, so that orphans can be told apart; it never gets less than
// boardQueueMin nor more than boardQueueMax.
const (
	boardQueueMin    = 14
	boardQueueWant   = 32
	boardQueueMax    = 32
	boardProblemsMin = 22
)

// boardLayout picks the columns that fit width: columns are dropped in
// boardDropOrder until the queue name and the problems have room; the
// problems get what the queue name leaves, at least boardProblemsMin, and
// wrap onto more lines rather than being cut.
func boardLayout(width int) (cols []boardColumn, problems int) {
	cols = append([]boardColumn(nil), boardColumns...)
	fixed := func() int {
		w := 0
		for _, c := range cols[1:] {
			w += c.width + 1
		}
		return w
	}
	for _, drop := range boardDropOrder {
		if width-fixed()-boardQueueWant-1 >= boardProblemsMin {
			break
		}
		for i, c := range cols {
			if c.title == drop {
				cols = append(cols[:i], cols[i+1:]...)
				break
			}
		}
	}
	rest := width - fixed() - 1
	cols[0].width = max(min(boardQueueMax, rest-boardProblemsMin), boardQueueMin)
	return cols, max(rest-cols[0].width, 1)
}

// renderBoard draws the board in height rows: a title line, what the
// board could not learn, the column header, the rows (a row's problems
// wrap onto more lines rather than being cut) and a confirmation.
func (m *Model) renderBoard(height int) string {
	st := &m.st
	var top []string
	title := st.Bold.Render("service board ") + st.Muted.Render(textsafe.Row(m.boardVHost()))
	switch {
	case m.board.at.IsZero() && m.board.err == "":
		title += st.Muted.Render(" · asking the broker…")
	case !m.board.at.IsZero():
		title += st.Muted.Render(fmt.Sprintf(" · %d queues · read %s, every %s · requests, latency and rate: this session's verdicts",
			len(m.board.board.Rows), m.board.at.In(m.env.loc).Format("15:04:05"), boardRefresh))
	}
	top = append(top, fitLine(title, m.width))
	if m.board.err != "" {
		top = append(top, styleLines(wrapText("✗ "+textsafe.Row(m.board.err), m.width), st.Danger)...)
	}
	if missing := m.board.board.Missing; missing != "" {
		top = append(top, styleLines(wrapText("! "+textsafe.Row(missing), m.width), st.Warn)...)
	}
	var bottom []string
	if a := m.board.confirm; a != nil {
		bottom = styleLines(wrapText(a.prompt, m.width), st.Alert)
	}
	cols, probWidth := boardLayout(m.width)
	header := renderBoardHeader(cols, probWidth, st)
	space := height - len(top) - len(bottom) - 1
	body := m.boardRowLines(cols, probWidth, max(space, 0))
	lines := append(append(append(top, header), body...), bottom...)
	return fitBlock(strings.Join(lines, "\n"), m.width, height)
}

func renderBoardHeader(cols []boardColumn, probWidth int, st *Styles) string {
	var b strings.Builder
	for _, c := range cols {
		b.WriteString(pad(c.title, c.width, c.right) + " ")
	}
	b.WriteString(pad("problems", probWidth, false))
	return st.ColumnHeader.Render(b.String())
}

// boardRowLines lays out the rows in at most space lines, scrolled so that
// the cursor's row shows whole.
func (m *Model) boardRowLines(cols []boardColumn, probWidth, space int) []string {
	rows := m.board.board.Rows
	if len(rows) == 0 {
		if m.board.at.IsZero() {
			return nil
		}
		return []string{m.st.Muted.Render("  no queues in this vhost")}
	}
	per := make([][]string, len(rows))
	start := make([]int, len(rows)+1)
	for i := range rows {
		per[i] = m.boardRow(&rows[i], cols, probWidth, i == m.board.cursor)
		start[i+1] = start[i] + len(per[i])
	}
	cur := min(m.board.cursor, len(rows)-1)
	off := min(m.board.offset, start[cur])
	if start[cur+1]-off > space {
		off = start[cur+1] - space
	}
	m.board.offset = max(off, 0)
	var out []string
	for _, r := range per {
		out = append(out, r...)
	}
	return out[m.board.offset:min(m.board.offset+space, len(out))]
}

// boardRow draws one queue: the first line holds every column, more lines
// hold the rest of its problems.
func (m *Model) boardRow(r *observe.BoardRow, cols []boardColumn, probWidth int, selected bool) []string {
	st := &m.st
	stats := m.verdicts.statsOf(r.VHost, r.Queue)
	var b strings.Builder
	for _, c := range cols {
		text := m.boardCell(r, stats, c)
		cell := pad(text, c.width, c.right) + " "
		if c.title == "rate" {
			cell = st.Accent.Render(cell)
		}
		b.WriteString(cell)
	}
	lead := textWidth(ansi.Strip(b.String()))
	probs := wrapText(r.ProblemText(m.env.now()), probWidth)
	style := problemStyle(r, st)
	lines := []string{b.String() + style.Render(probs[0])}
	for _, p := range probs[1:] {
		lines = append(lines, strings.Repeat(" ", lead)+style.Render(p))
	}
	if selected {
		sel := st.Selected
		if m.mode != modeBoard {
			sel = st.SelectedBlur
		}
		for i, l := range lines {
			lines[i] = sel.Render(fitLine(ansi.Strip(l), m.width))
		}
	}
	return lines
}

// boardCell is the text of column c of a row.
func (m *Model) boardCell(r *observe.BoardRow, s *queueStats, c boardColumn) string {
	switch c.title {
	case "queue":
		if m.board.dlq[r.Queue] {
			return "↺ " + textsafe.Row(r.Queue)
		}
		return textsafe.Row(r.Queue)
	case "service":
		return textsafe.Row(r.Service)
	case "cons":
		return strconv.Itoa(r.Consumers)
	case "ready":
		return strconv.Itoa(r.Ready)
	case "unack":
		return strconv.Itoa(r.Unacked)
	case "pub/s":
		return fmtRate(r.PublishRate)
	case "dlv/s":
		return fmtRate(r.DeliverRate)
	case "rate":
		return s.sparkline(c.width, m.env.now())
	}
	return statsCell(s, c.title)
}

// statsCell is a column drawn from the session's verdicts; "-" when none
// of the queue's requests was decided.
func statsCell(s *queueStats, col string) string {
	if s == nil || s.requests == 0 {
		return "-"
	}
	p50, p95, p99, ok := s.percentiles()
	pct := map[string]time.Duration{"p50": p50, "p95": p95, "p99": p99}
	switch col {
	case "req":
		return strconv.Itoa(s.requests)
	case "ok%":
		return strconv.Itoa(100*s.replied/s.requests) + "%"
	case "err":
		return strconv.Itoa(s.errors)
	case "noreply":
		return strconv.Itoa(s.noReply)
	case "p50", "p95", "p99":
		if !ok {
			return "-"
		}
		return fmtLatency(pct[col])
	}
	return ""
}

func fmtRate(r float64) string {
	if r == 0 {
		return "0"
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// problemStyle is red for a queue without consumers (its requests
// expire), amber for the other problems.
func problemStyle(r *observe.BoardRow, st *Styles) lipgloss.Style {
	switch {
	case len(r.Problems) == 0:
		return st.Muted
	case r.Problems[0] == observe.NoConsumer:
		return st.Danger
	}
	return st.Warn
}
