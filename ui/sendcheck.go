package ui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"mqscope/internal/textsafe"
	"mqscope/observe"
)

// sendChecker is a requester that can say, before a send, what stands in
// its way: the live session can, a recording cannot.
type sendChecker interface {
	CheckSend(ctx context.Context, queue, expiration string) (observe.SendCheck, error)
}

// sendCheckedMsg carries the check of compose's target.
type sendCheckedMsg struct {
	queue string
	check observe.SendCheck
}

// checkSendCmd checks the target queue in the background.
func checkSendCmd(c sendChecker, queue, expiration string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		check, err := c.CheckSend(ctx, queue, expiration)
		if err != nil {
			return nil // the send itself will say what is wrong
		}
		return sendCheckedMsg{queue: queue, check: check}
	}
}

// checkComposeTarget asks about compose's target, when there is one and
// the session can tell.
func (m *Model) checkComposeTarget() tea.Cmd {
	c, ok := m.req.(sendChecker)
	queue := m.compose.queue()
	if !ok || queue == "" {
		return nil
	}
	return checkSendCmd(c, queue, strings.TrimSpace(m.compose.inputs[fieldExpiration].Value()))
}

// onSendChecked shows, under compose's source line, what stands in the way
// of sending to its target: no queue, no consumer (the request will expire),
// a missing permission.
func (m *Model) onSendChecked(msg sendCheckedMsg) tea.Cmd {
	if m.mode != modeCompose || m.compose.queue() != msg.queue || msg.check.OK() {
		return nil
	}
	warn := "⚠ " + textsafe.Row(strings.Join(msg.check.Problems, "; "))
	if m.compose.source != "" {
		warn = m.compose.source + " · " + warn
	}
	m.compose.source, m.compose.sourceWarn = warn, true
	return nil
}
