package ui

import (
	"context"
	"fmt"
	"strconv"
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

// targetCheck is what compose knows about its target: the queue and
// expiration it was checked for, and what stands in the way ("" when
// nothing does). A check for another target is not shown.
type targetCheck struct {
	queue, expiration string
	problems          string
	fine              string // what was seen when nothing stands in the way
	noConsumer        bool   // the queue exists and nobody consumes it
}

// unconsumed reports that queue was checked with this expiration and
// nobody consumes it: a request sent there expires unread.
func (t targetCheck) unconsumed(queue, expiration string) bool {
	return t.noConsumer && t.queue == queue && t.expiration == expiration
}

// expiryWait is how long a request with this expiration (ms) can wait for a
// reply when nobody consumes its queue.
func expiryWait(expiration string) time.Duration {
	ms, _ := strconv.Atoi(expiration) // checked by requestOptions
	return observe.UnconsumedWait(time.Duration(ms) * time.Millisecond)
}

// expiredError ends a request to a queue with no consumer once its
// expiration has passed: the broker dropped it unread.
type expiredError struct{ queue, expiration string }

func (e *expiredError) Error() string {
	return fmt.Sprintf("no consumer on %q took it: the request expired after %s ms", e.queue, e.expiration)
}

// sendCheckedMsg carries the check of compose's target.
type sendCheckedMsg struct {
	queue, expiration string
	check             observe.SendCheck
}

// recheckMsg fires a moment after the target was edited; the check runs
// only if the target still reads the same, so typing a queue name does not
// ask the broker about every prefix of it.
type recheckMsg struct{ queue, expiration string }

// recheckDelay is how long typing must pause before the target is checked.
const recheckDelay = 400 * time.Millisecond

// checkSendCmd checks the target queue in the background.
func checkSendCmd(c sendChecker, queue, expiration string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		check, err := c.CheckSend(ctx, queue, expiration)
		if err != nil {
			return nil // the send itself will say what is wrong
		}
		return sendCheckedMsg{queue: queue, expiration: expiration, check: check}
	}
}

// composeTarget is the queue and expiration compose would send with.
func (m *Model) composeTarget() (queue, expiration string) {
	return m.compose.queue(), strings.TrimSpace(m.compose.inputs[fieldExpiration].Value())
}

// checkComposeTarget asks about compose's target, when there is one and
// the session can tell.
func (m *Model) checkComposeTarget() tea.Cmd {
	c, ok := m.req.(sendChecker)
	queue, expiration := m.composeTarget()
	if !ok || queue == "" {
		return nil
	}
	return checkSendCmd(c, queue, expiration)
}

// targetEdited forgets the check of the old target and checks the new
// one once typing pauses.
func (m *Model) targetEdited(oldQueue, oldExpiration string) tea.Cmd {
	queue, expiration := m.composeTarget()
	if queue == oldQueue && expiration == oldExpiration {
		return nil
	}
	m.compose.target = targetCheck{}
	return tea.Tick(recheckDelay, func(time.Time) tea.Msg { return recheckMsg{queue, expiration} })
}

// onRecheck checks the target if it is still the one that was typed.
func (m *Model) onRecheck(msg recheckMsg) tea.Cmd {
	queue, expiration := m.composeTarget()
	if m.mode != modeCompose || queue != msg.queue || expiration != msg.expiration {
		return nil
	}
	return m.checkComposeTarget()
}

// onSendChecked shows, under compose's source line, what stands in the way
// of sending to its target: no queue, no consumer (the request will expire),
// a missing permission; or, when nothing does, how many consumers wait.
func (m *Model) onSendChecked(msg sendCheckedMsg) tea.Cmd {
	if queue, expiration := m.composeTarget(); m.mode != modeCompose || queue != msg.queue || expiration != msg.expiration {
		return nil // an answer about a target no longer typed
	}
	t := targetCheck{queue: msg.queue, expiration: msg.expiration,
		noConsumer: msg.check.Unconsumed()}
	if msg.check.OK() {
		t.fine = fmt.Sprintf("✓ %s: %s", textsafe.Row(msg.queue), fmt.Sprintf("%d %s", msg.check.Consumers, plural(msg.check.Consumers, "consumer", "consumers")))
	} else {
		t.problems = "⚠ " + textsafe.Row(strings.Join(msg.check.Problems, "; "))
	}
	m.compose.target = t
	return nil
}
