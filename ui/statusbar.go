package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector"
	"mqscope/internal/textsafe"
)

// statusClearMsg clears status line id when it is still the one shown.
type statusClearMsg struct{ id int }

// statusLine is the transient message at the right of the status bar.
type statusLine struct {
	id    int
	text  string
	isErr bool
}

// statusTTL is how long a transient message stays.
const statusTTL = 6 * time.Second

// conns tracks the connection state of every worker of the session.
type conns struct {
	opening bool  // OpenSession is running
	openErr error // OpenSession failed: nothing is connected
	offline string
	states  map[string]connector.State
	order   []string // workers in the order they first reported
	// outage is when the first worker went to reconnecting, zero while
	// every worker that has not failed is connected.
	outage time.Time
}

func newConns() conns { return conns{states: map[string]connector.State{}} }

// update records s. back is true when s ends an outage: every worker that
// has not failed is connected again; lasted is how long since the first
// one dropped.
func (c *conns) update(s connector.State) (lasted time.Duration, back bool) {
	if _, ok := c.states[s.Worker]; !ok {
		c.order = append(c.order, s.Worker)
	}
	c.states[s.Worker] = s
	switch {
	case s.Kind == connector.StateReconnecting && c.outage.IsZero():
		c.outage = s.Time
		if c.outage.IsZero() {
			c.outage = time.Unix(0, 1) // a state without a time still starts one
		}
	case s.Kind == connector.StateConnected && !c.outage.IsZero() && c.allBack():
		lasted = max(s.Time.Sub(c.outage), 0)
		c.outage = time.Time{}
		return lasted, true
	}
	return 0, false
}

// allBack reports whether no worker is still trying to connect.
func (c *conns) allBack() bool {
	for _, s := range c.states {
		if s.Kind == connector.StateReconnecting || s.Kind == connector.StateConnecting {
			return false
		}
	}
	return true
}

// summary is the always-visible connection indicator.
func (c *conns) summary(st *Styles) string {
	switch {
	case c.offline != "":
		return st.Info.Render("◆ " + c.offline)
	case c.openErr != nil:
		return st.Danger.Render("✖ not connected")
	case c.opening:
		return st.Warn.Render("◌ connecting…")
	}
	var up, failed, waiting []string
	for _, w := range c.order {
		switch c.states[w].Kind {
		case connector.StateConnected:
			up = append(up, workerKind(w))
		case connector.StateFailed, connector.StateClosed:
			failed = append(failed, workerKind(w))
		default:
			waiting = append(waiting, workerKind(w))
		}
	}
	switch {
	case len(failed) == 0 && len(waiting) == 0:
		return st.OK.Render("● connected")
	case len(failed) > 0:
		return st.Danger.Render("✖ "+countedList(failed)+" failed") + upNote(up, st)
	}
	return st.Warn.Render("↻ "+countedList(waiting)+" reconnecting") + upNote(up, st)
}

// workerKind names a worker by what it does: "requests" for the request
// side, else the watch's mode ("firehose", "tap", "peek", "consume").
func workerKind(worker string) string {
	kind, _, _ := strings.Cut(worker, " ")
	if kind == "" {
		return worker
	}
	return kind
}

// countedList joins kinds, counting repeats: "requests, 2 tap".
func countedList(kinds []string) string {
	counts := map[string]int{}
	var order []string
	for _, k := range kinds {
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	for i, k := range order {
		if counts[k] > 1 {
			order[i] = fmt.Sprintf("%d %s", counts[k], k)
		}
	}
	return strings.Join(order, ", ")
}

// upNote names what still works beside a failure.
func upNote(up []string, st *Styles) string {
	if len(up) == 0 {
		return ""
	}
	return st.Muted.Render(" · " + countedList(up) + " up")
}

// retryHint ends the alert of a watch that gave up: it does not retry by
// itself, and w starts it again (the picker, with what was chosen).
const retryHint = " (w starts it again)"

// problem is the alert line: the first thing that is wrong and what to do,
// or "" when all is well. A reconnecting worker counts down to its next
// attempt as of now: "↻ requests /neon_api reconnecting in 2s: connection
// closed by broker: …".
func (c *conns) problem(now time.Time) string {
	if c.openErr != nil {
		return "✖ cannot start: " + oneLine(c.openErr.Error()) + retryHint
	}
	for _, w := range c.order {
		s := c.states[w]
		switch s.Kind {
		case connector.StateFailed:
			return "✖ " + w + " failed: " + errText(s.Err) + retryHint
		case connector.StateReconnecting:
			return "↻ " + w + " " + retryIn(s, now) + ": " + errText(s.Err)
		}
	}
	// Connected with a caveat (observe.Watch): it watches, but something
	// limits what it can see.
	for _, w := range c.order {
		if s := c.states[w]; s.Kind == connector.StateConnected && s.Err != nil {
			return "⚠ " + w + ": " + errText(s.Err)
		}
	}
	return ""
}

// retryIn says when a reconnecting worker tries again: "reconnecting in
// 3s" (whole seconds, rounded up), "in 0.2s" under a second, and
// "reconnecting…" while the attempt is under way.
func retryIn(s connector.State, now time.Time) string {
	left := s.Retry
	if !s.Time.IsZero() {
		left = s.Time.Add(s.Retry).Sub(now)
	}
	switch {
	case left <= 0:
		return "reconnecting…"
	case left < time.Second:
		return fmt.Sprintf("reconnecting in %.1fs", max(left.Seconds(), 0.1))
	}
	return fmt.Sprintf("reconnecting in %ds", int((left+time.Second-1)/time.Second))
}

func errText(err error) string {
	if err == nil {
		return "stopped"
	}
	return oneLine(err.Error())
}

// oneLine keeps the first line of a message.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// headerInfo is what the header says about the session.
type headerInfo struct {
	service, vhost string
	watches        []string
	filter         string
	matches        int
	scanning       bool
	paused         bool
	scheme         string // "amqp" or "amqps"; "" when browsing a recording
	insecure       bool   // TLS without certificate verification
	readOnly       bool   // read-only mode: mqscope changes nothing on the broker
}

// renderHeader is the top bar: name, session, connection, filter, pause.
func renderHeader(h headerInfo, c *conns, st *Styles, width int) string {
	left := st.Title.Render(" mqscope ")
	if h.service != "" {
		left += st.Muted.Render(h.service+" · ") + st.Bold.Render(h.vhost)
	}
	if len(h.watches) > 0 {
		left += st.Muted.Render(" · " + strings.Join(h.watches, ", "))
	}
	right := c.summary(st)
	if h.scheme != "" {
		right = st.Muted.Render(h.scheme+" ") + right
	}
	if h.insecure {
		right = st.Danger.Render("⚠ TLS INSECURE ") + right
	}
	if h.readOnly {
		right = st.Accent.Render(readOnlyBadge) + right
	}
	if h.paused {
		right = st.Warn.Render("⏸ paused ") + right
	}
	if h.filter != "" {
		f := st.Accent.Render("/"+h.filter) + st.Muted.Render(fmt.Sprintf(" %d match%s", h.matches, plural(h.matches, "", "es")))
		if h.scanning {
			f += st.Muted.Render(" (scanning…)")
		}
		right = f + "  " + right
	}
	// The connection state must stay visible: the session names give way.
	room := width - lipgloss.Width(right) - 2
	if room < 10 {
		return fitLine(right, width)
	}
	if lipgloss.Width(left) > room {
		left = ansi.Truncate(left, room, "…")
	}
	gap := width - lipgloss.Width(left) - lipgloss.Width(right) - 1
	return left + strings.Repeat(" ", max(gap, 1)) + right + " "
}

// statusInfo is what the status bar counts.
type statusInfo struct {
	rates   *rateMeter // nil when browsing a recording: nothing arrives
	count   int
	evicted uint64
	record  recordNote
	line    statusLine
	// stopped says that the list stopped following the newest row, when
	// and how many rows arrived since; "" while following.
	stopped string
	cutNote string        // ends a message cut short: cutNote or cutNoteTyped
	marked  int           // rows marked with m (marks.go)
	lag     time.Duration // how far behind the broker the screen is (lag.go)
}

// Notes that end a message cut short, saying how to read it all: ! where
// it is a command, and first esc where keys type text.
const (
	cutNote      = " … ! shows it all"
	cutNoteTyped = " … esc, ! shows it all"
)

// cutWithNote cuts line to width with note at its end.
func cutWithNote(line, note string, width int, st *Styles) string {
	return ansi.Truncate(line, max(width-textWidth(note), 0), "") + st.BarKey.Render(note)
}

// maxStatusLines bounds the status bar: its counts, and a transient
// message wrapped onto as many of the rest as it needs.
const maxStatusLines = 4

// statusLines is the bottom bar: whether the list follows, the last
// transient message, counts, recording and rates. The message comes
// before the counts, which give way to it; when it is longer than the
// line it goes on lines of its own, wrapped, so that no error is cut.
func statusLines(s statusInfo, st *Styles, width, maxLines int) []string {
	var lead, parts []string
	if s.stopped != "" {
		lead = append(lead, st.BarError.Render(s.stopped))
	}
	var message []string
	if s.line.text != "" {
		style := st.BarValue
		if s.line.isErr {
			style = st.BarError
		}
		text := textsafe.Row(s.line.text)
		if textWidth(text)+textWidth(strings.Join(lead, " · "))+4 <= width {
			lead = append(lead, style.Render(text))
		} else {
			message = styleLines(wrapText(text, max(width-2, 1)), style)
		}
	}
	if lag := lagText(s.lag); lag != "" { // first: a bar cut short keeps it
		parts = append(parts, st.BarError.Render(lag))
	}
	parts = append(parts, st.BarValue.Render(fmt.Sprint(s.count))+st.BarKey.Render(" rows"))
	if s.marked > 0 {
		parts = append(parts, st.BarValue.Render(fmt.Sprint(s.marked))+st.BarKey.Render(" marked"))
	}
	if s.evicted > 0 {
		parts = append(parts, st.BarKey.Render("evicted ")+st.BarValue.Render(fmt.Sprint(s.evicted)))
	}
	if s.record.text != "" {
		style := st.BarKey
		if s.record.lossy {
			style = st.BarError
		}
		parts = append(parts, style.Render(s.record.text))
	}
	if s.rates != nil {
		parts = append(parts, renderRates(s.rates, st))
	}

	sep := st.BarKey.Render(" · ")
	lines := []string{fillBar(st.Bar.Render(" ")+strings.Join(append(lead, parts...), sep), width, st)}
	if n := max(min(maxLines, maxStatusLines)-1, 0); len(message) > n {
		if n == 0 { // no room below: the message takes the first line
			return []string{fillBar(st.Bar.Render(" ")+cutWithNote(message[0], s.cutNote, width-1, st), width, st)}
		}
		message = message[:n]
		message[n-1] = cutWithNote(message[n-1], s.cutNote, width-2, st)
	}
	for _, l := range message {
		lines = append(lines, fillBar(st.Bar.Render("  ")+l, width, st))
	}
	return lines
}

// renderRates says what the rates count, as a sum: rows per second, made
// of the messages first seen on each watched queue, replies, other
// messages, and deliveries of messages already listed.
func renderRates(r *rateMeter, st *Styles) string {
	var terms []string
	for _, q := range r.watched {
		terms = append(terms, st.BarKey.Render(textsafe.Row(q)+" ")+st.BarValue.Render(fmt.Sprintf("%.1f", r.perQueue[q])))
	}
	for _, k := range rateKinds {
		if v := r.kinds[k[0]]; v > 0 {
			terms = append(terms, st.BarKey.Render(k[1]+" ")+st.BarValue.Render(fmt.Sprintf("%.1f", v)))
		}
	}
	out := st.BarValue.Render(fmt.Sprintf("%.1f", r.overall)) + st.BarKey.Render(" rows/s")
	if len(terms) > 0 {
		out += st.BarKey.Render(" = ") + strings.Join(terms, st.BarKey.Render(" + "))
	}
	return out
}

// fillBar cuts or pads a bar to width; the padding keeps the bar colour.
func fillBar(s string, width int, st *Styles) string {
	w := lipgloss.Width(s)
	if w > width {
		return fitLine(s, width)
	}
	return s + st.Bar.Render(strings.Repeat(" ", width-w))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
