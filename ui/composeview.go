package ui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector"
	"mqscope/internal/textsafe"
)

// render draws compose in width × height cells: the title and where the
// body came from, the body editor on the left, and on the right the
// target, the fields that will be added, the wire preview, the reply and
// the history, as many of them as the height allows (the reply first).
func (c *composePane) render(vhost string, width, height int, st *Styles, focused bool, now time.Time) string {
	if width < 20 || height < 4 {
		return fitBlock("", width, height)
	}
	inner, rows := width-4, height-2
	title := st.Title.Render("compose") + st.Muted.Render(" → "+vhost+" / ") + st.Bold.Render(textsafe.Row(c.queue()))
	head := []string{fitLine(title, inner)}
	sourceRoom := maxSourceLines
	if rows < 14 {
		sourceRoom = 1 // a small screen keeps its rows for the body and the reply
	}
	head = append(head, c.sourceLines(inner, st, sourceRoom)...)
	colRows := rows - len(head)
	leftW := max(inner*11/20, 20)
	if inner < 70 {
		leftW = max(inner/2, 20) // the reply needs room as much as the body
	}
	rightW := max(inner-leftW-3, 1)
	left := c.renderEditor(leftW, colRows, st)
	right := c.renderSide(rightW, colRows, st, now)
	sep := st.Subtle.Render(strings.TrimSuffix(strings.Repeat(" │ \n", max(colRows, 1)), "\n"))
	body := lipgloss.JoinHorizontal(lipgloss.Top, fitBlock(left, leftW, colRows), sep, fitBlock(right, rightW, colRows))
	return drawPane(strings.Join(head, "\n")+"\n"+body, width, height, borderSpan(st, focused))
}

// maxSourceLines bounds the note on where the body came from, and the note
// on the target.
const maxSourceLines = 2

// sourceLines is the note on where the body came from, then what a check
// of the target found, each wrapped onto at most room lines.
func (c *composePane) sourceLines(width int, st *Styles, room int) []string {
	if c.naming != nil {
		// The name being typed takes the note's place until enter or esc.
		return []string{fitLine(c.naming.View(), width)}
	}
	lines := noteLines(c.source, c.sourceWarn, width, st, room)
	if t := c.target; t.queue == c.queue() {
		text, warn := t.fine, false
		if t.problems != "" {
			text, warn = t.problems, true
		}
		lines = append(lines, noteLines(text, warn, width, st, room)...)
	}
	return lines
}

// noteLines is one note under compose's title, wrapped onto at most
// maxSourceLines (and room) lines: muted, or marked and coloured as a
// warning.
func noteLines(text string, warn bool, width int, st *Styles, room int) []string {
	if text == "" || room <= 0 {
		return nil
	}
	style := st.Muted
	if warn {
		style = st.Warn
		if !strings.HasPrefix(text, "⚠") {
			text = "⚠ " + text
		}
	}
	lines := wrapText(textsafe.Row(text), width)
	if n := min(maxSourceLines, room); len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1]+" …", width, "…")
	}
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// renderEditor is the body editor and, under it, whether the body parses:
// an error is wrapped onto as many lines as it needs, its line:col first.
func (c *composePane) renderEditor(width, height int, st *Styles) string {
	check := c.validation(width, st)
	if len(check) > max(height-2, 1) {
		check = check[:max(height-2, 1)]
	}
	c.body.SetWidth(width)
	c.body.SetHeight(max(height-1-len(check), 1))
	label := c.label(fieldBody, st) + st.Subtle.Render("  JSON or Python dict")
	return label + "\n" + c.body.View() + "\n" + strings.Join(check, "\n")
}

func (c *composePane) validation(width int, st *Styles) []string {
	if c.parseErr != nil {
		return styleLines(wrapText("✗ "+positionFirst(c.parseErr.Error()), width), st.Danger)
	}
	return []string{st.OK.Render("✓ valid Neon dict")}
}

// positionFirst moves a "line L:C: " position to the front of a parse
// error, so that on a narrow screen the position is the part always seen.
func positionFirst(msg string) string {
	loc := parsePosition.FindStringIndex(msg)
	if loc == nil || loc[0] == 0 {
		return msg
	}
	return msg[loc[0]:loc[1]] + strings.TrimSuffix(msg[:loc[0]], ": ") + ": " + msg[loc[1]:]
}

var parsePosition = regexp.MustCompile(`line \d+:\d+: `)

// styleLines renders each line in style.
func styleLines(lines []string, style lipgloss.Style) []string {
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// label is a field's name, highlighted when it has the keyboard.
func (c *composePane) label(f composeField, st *Styles) string {
	if c.field == f {
		return st.InputFocus.Render("▸ " + fieldLabels[f])
	}
	return st.Label.Render("  " + fieldLabels[f])
}

// minResultLines is what the reply always gets, however short the pane.
const minResultLines = 3

// compactSide is the height below which the right column shows only the
// target, the field with the keyboard and the reply: tab still reaches
// every field, one at a time.
const compactSide = 12

// renderSide is the right column in height rows. The target queue and the
// reply come first; the other fields, the wire preview and the history
// follow while they fit (the field with the keyboard always does), and
// the reply takes whatever is left.
func (c *composePane) renderSide(width, height int, st *Styles, now time.Time) string {
	result := c.renderResult(width, st, now)
	budget := height - 1 - min(len(result), minResultLines)
	fields := []string{c.fieldLine(fieldQueue, width, st)}
	shown := map[composeField]bool{}
	if c.field > fieldQueue && c.field < fieldResult {
		shown[c.field] = true
		budget--
	}
	for f := fieldID; f < fieldResult && height >= compactSide; f++ {
		if !shown[f] && budget > 0 {
			shown[f] = true
			budget--
		}
	}
	for f := fieldID; f < fieldResult; f++ {
		if shown[f] {
			fields = append(fields, c.fieldLine(f, width, st))
		}
	}
	var wire, history []string
	if budget >= 3 && height >= compactSide {
		wire = c.wireLines(width, st)
		budget -= len(wire)
	}
	if h := c.historyLines(st); len(h) > 0 && budget >= len(h)+min(len(result), 8) {
		history = h
		budget -= len(h)
	}
	lines := append(fields, wire...)
	visible := result[:min(len(result), minResultLines+max(budget, 0))]
	if len(visible) < len(result) && c.pending == nil && c.result != nil && c.result.err != nil {
		// The status bar has the same error, and ! shows it whole.
		visible[len(visible)-1] = st.Muted.Render(strings.TrimSpace(cutNoteTyped))
	}
	lines = append(lines, visible...)
	return strings.Join(append(lines, history...), "\n")
}

// fieldLabelWidth is the width of the longest field label, its marker
// included.
const fieldLabelWidth = 15

// fieldLine is one labelled field.
// A field without the keyboard shows its value from the start, cut with
// an ellipsis: the text input would show wherever its cursor last left it.
func (c *composePane) fieldLine(f composeField, width int, st *Styles) string {
	w := max(width-fieldLabelWidth-3, 4)
	label := pad(c.label(f, st), fieldLabelWidth, false) + " "
	if c.field != f {
		return label + st.Input.Render(pad(textsafe.Row(c.inputs[f].Value()), w+1, false))
	}
	c.inputs[f].SetWidth(w)
	return label + c.inputs[f].View()
}

// wireLines is the exact wire body, with a blank line after it.
func (c *composePane) wireLines(width int, st *Styles) []string {
	wire := c.wire
	if wire == "" {
		wire = "(fix the body to see it)"
	}
	return []string{
		st.Label.Render("  wire body") + st.Subtle.Render(fmt.Sprintf(" (%d bytes, base64 of the repr)", len(c.wire))),
		st.Muted.Render(ansi.Truncate(wire, width, "…")),
		"",
	}
}

// historyLines is the history of sent requests, a blank line first.
func (c *composePane) historyLines(st *Styles) []string {
	if len(c.history) == 0 {
		return nil
	}
	lines := []string{"", c.label(fieldResult, st) + st.Subtle.Render(fmt.Sprintf("  history (%d) · ↑/↓ pick · enter edit · ctrl+r re-sends", len(c.history)))}
	first := max(0, min(c.histSel-4, len(c.history)-5))
	for i, h := range c.history[first:min(len(c.history), first+5)] {
		lines = append(lines, historyLine(h, st, c.field == fieldResult && first+i == c.histSel))
	}
	return lines
}

// renderResult is the state of the newest request: waiting, its decoded
// reply with the latency, or why it failed, wrapped onto as many lines as
// it needs.
func (c *composePane) renderResult(width int, st *Styles, now time.Time) []string {
	switch {
	case c.pending != nil:
		return styleLines(wrapText(fmt.Sprintf("⏳ waiting for the reply to %s on %s · %s",
			shortID(c.pending.messageID), textsafe.Row(c.pending.queue), fmtElapsed(now.Sub(c.pending.started))), width), st.Warn)
	case c.result == nil:
		return styleLines(wrapText("ctrl+s sends · the reply shows here", width), st.Subtle)
	case c.result.err != nil:
		return styleLines(wrapText("✗ "+textsafe.Row(describeRequestError(c.result.err)), width), st.Danger)
	}
	r := c.result.resp
	head := "↩ reply in " + fmtLatency(r.Latency)
	id := " · message_id " + textsafe.Row(r.MessageID)
	if textWidth(head+id) > width {
		id = " · " + shortID(r.MessageID) // one line, so the reply gets the rest
	}
	lines := wrapText(st.Reply.Render(head)+st.Muted.Render(id), width)
	return append(lines, c.result.replyLines(width, st)...)
}

// describeRequestError turns a request failure into one line with what to do.
func describeRequestError(err error) string {
	var timeout *connector.TimeoutError
	var noRoute *connector.NoRouteError
	switch {
	case errors.As(err, new(*expiredError)):
		return err.Error() + " — start the service, or give a longer expiration"
	case errors.As(err, &timeout):
		return "timed out: " + err.Error() + " — is the service running? (a longer timeout or expiration may help)"
	case errors.As(err, &noRoute):
		return "unroutable: " + err.Error() + " — check the queue name"
	case errors.Is(err, connector.ErrConnectionLost):
		return err.Error() + " — the service may have had it; send again once connected"
	case errors.Is(err, connector.ErrNotConnected):
		return err.Error() + " — send again once connected"
	}
	return err.Error()
}

func historyLine(h sentRequest, st *Styles, picked bool) string {
	outcome := h.outcome
	var style lipgloss.Style
	switch {
	case outcome == "":
		outcome, style = "waiting", st.Warn
	case strings.HasPrefix(outcome, "↩"):
		style = st.Reply
	default:
		style = st.Danger
	}
	mark := "  "
	if picked {
		mark = "› "
	}
	return st.Muted.Render(mark+h.at.Format("15:04:05")+" "+textsafe.Row(h.queue)+" "+shortID(h.messageID)+" ") + style.Render(outcome)
}

// fmtElapsed is a waiting time to a tenth of a second.
func fmtElapsed(d time.Duration) string {
	return fmt.Sprintf("%.1fs", d.Seconds())
}
