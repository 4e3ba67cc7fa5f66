package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector"
	"mqscope/internal/textsafe"
)

// render draws compose in width × height cells: the body editor on the
// left, and on the right the target, the fields that will be added, the
// wire preview, the reply and the history.
func (c *composePane) render(vhost string, width, height int, st *Styles, focused bool, now time.Time) string {
	if width < 20 || height < 4 {
		return fitBlock("", width, height)
	}
	inner, rows := width-4, height-2
	title := st.Title.Render("compose") + st.Muted.Render(" → "+vhost+" / ") + st.Bold.Render(textsafe.Row(c.queue()))
	leftW := max(inner*11/20, 20)
	rightW := max(inner-leftW-3, 1)
	left := c.renderEditor(leftW, rows-1, st)
	right := c.renderSide(rightW, rows-1, st, now)
	body := lipgloss.JoinHorizontal(lipgloss.Top, fitBlock(left, leftW, rows-1), st.Subtle.Render(strings.Repeat(" │ \n", rows-2)+" │ "), fitBlock(right, rightW, rows-1))
	return drawPane(fitLine(title, inner)+"\n"+body, width, height, borderSpan(st, focused))
}

// renderEditor is the body editor and, under it, whether the body parses.
func (c *composePane) renderEditor(width, height int, st *Styles) string {
	c.body.SetWidth(width)
	c.body.SetHeight(max(height-2, 1))
	label := c.label(fieldBody, st) + st.Subtle.Render("  JSON or Python dict")
	return label + "\n" + c.body.View() + "\n" + c.validation(width, st)
}

func (c *composePane) validation(width int, st *Styles) string {
	if c.parseErr != nil {
		return st.Danger.Render(ansi.Truncate("✗ "+c.parseErr.Error(), width, "…"))
	}
	return st.OK.Render("✓ valid Neon dict")
}

// label is a field's name, highlighted when it has the keyboard.
func (c *composePane) label(f composeField, st *Styles) string {
	if c.field == f {
		return st.InputFocus.Render("▸ " + fieldLabels[f])
	}
	return st.Label.Render("  " + fieldLabels[f])
}

func (c *composePane) renderSide(width, height int, st *Styles, now time.Time) string {
	var lines []string
	for f := fieldQueue; f < fieldResult; f++ {
		c.inputs[f].SetWidth(max(width-19, 4))
		lines = append(lines, pad(c.label(f, st), 16, false)+" "+c.inputs[f].View())
	}
	wire := c.wire
	if wire == "" {
		wire = "(fix the body to see it)"
	}
	lines = append(lines, st.Label.Render("  wire body")+st.Subtle.Render(fmt.Sprintf(" (%d bytes, base64 of the repr)", len(c.wire))))
	lines = append(lines, st.Muted.Render(ansi.Truncate(wire, width, "…")))
	lines = append(lines, "")
	lines = append(lines, c.renderResult(width, st, now)...)
	if len(c.history) > 0 {
		lines = append(lines, "", c.label(fieldResult, st)+st.Subtle.Render(fmt.Sprintf("  history (%d) · ↑/↓ pick · enter edit · ctrl+r re-sends", len(c.history))))
		first := max(0, min(c.histSel-4, len(c.history)-5))
		for i, h := range c.history[first:min(len(c.history), first+5)] {
			lines = append(lines, historyLine(h, st, c.field == fieldResult && first+i == c.histSel))
		}
	}
	return strings.Join(lines, "\n")
}

// renderResult is the state of the newest request: waiting, its decoded
// reply with the latency, or why it failed.
func (c *composePane) renderResult(width int, st *Styles, now time.Time) []string {
	switch {
	case c.pending != nil:
		return []string{st.Warn.Render(fmt.Sprintf("⏳ waiting for the reply to %s on %s · %s",
			shortID(c.pending.messageID), textsafe.Row(c.pending.queue), fmtElapsed(now.Sub(c.pending.started))))}
	case c.result == nil:
		return []string{st.Subtle.Render("ctrl+s sends · the reply shows here")}
	case c.result.err != nil:
		return []string{st.Danger.Render("✗ " + textsafe.Row(describeRequestError(c.result.err)))}
	}
	r := c.result.resp
	head := st.Reply.Render("↩ reply in "+fmtLatency(r.Latency)) + st.Muted.Render(" · message_id "+textsafe.Row(r.MessageID))
	return append([]string{head}, c.result.replyLines(width, st)...)
}

// describeRequestError turns a request failure into one line with what to do.
func describeRequestError(err error) string {
	var timeout *connector.TimeoutError
	var noRoute *connector.NoRouteError
	switch {
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
