package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mqscope/observe"
)

// checkingRequester is a session that can check a target before a send.
type checkingRequester struct {
	fakeRequester
	asked []string
}

func (c *checkingRequester) CheckSend(_ context.Context, queue, expiration string) (observe.SendCheck, error) {
	c.asked = append(c.asked, queue+" "+expiration)
	if queue == "busy_q" {
		return observe.SendCheck{Queue: queue, Exists: true, Consumers: 2}, nil
	}
	return observe.SendCheck{Queue: queue, Exists: true, Problems: []string{`no consumer on "` + queue + `": the request will expire after ` + expiration + ` ms`}}, nil
}

// messagesOf runs cmd and what it batches, and returns the messages.
func messagesOf(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, messagesOf(c)...)
		}
		return out
	case nil:
		return nil
	default:
		return []tea.Msg{msg}
	}
}

func TestComposeSaysBeforeSendingThatNobodyConsumesTheTarget(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	req := &checkingRequester{}
	m.Update(sessionMsg{req: req})
	var checked bool
	for _, msg := range messagesOf(press(m, "c")) {
		if sc, ok := msg.(sendCheckedMsg); ok {
			m.Update(sc)
			checked = true
		}
	}
	q := m.compose.queue()
	if !checked || len(req.asked) != 1 || req.asked[0] != q+" 1000" {
		t.Fatalf("checked %v, asked %q (compose's target %q)", checked, req.asked, q)
	}
	if !strings.Contains(m.compose.target.problems, `⚠ no consumer on "`+q+`": the request will expire after 1000 ms`) {
		t.Fatalf("compose says %q", m.compose.target.problems)
	}
	if view := viewText(m); !strings.Contains(view, "no consumer on") {
		t.Fatalf("the warning is not on screen:\n%s", view)
	}
}

// deliver feeds the messages cmd yields back to the model, and what those
// yield in turn, as the Bubble Tea runtime would (ticks included).
func deliver(m *Model, cmd tea.Cmd) {
	for _, msg := range messagesOf(cmd) {
		_, next := m.Update(msg)
		deliver(m, next)
	}
}

func TestComposeChecksTheTargetAgainWhenItIsEdited(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	req := &checkingRequester{}
	m.Update(sessionMsg{req: req})
	deliver(m, press(m, "c"))
	if m.compose.target.problems == "" {
		t.Fatal("the first target was not flagged")
	}
	press(m, "tab") // the queue field
	for m.compose.queue() != "" {
		press(m, "backspace")
	}
	if m.compose.target.problems != "" {
		t.Fatalf("the old target's warning stays while another is typed: %q", m.compose.target.problems)
	}
	var last tea.Cmd
	for _, r := range "busy_q" {
		_, last = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	asked := len(req.asked)
	deliver(m, last)
	if got := req.asked[asked:]; len(got) != 1 || got[0] != "busy_q 1000" {
		t.Fatalf("after typing, asked %q; want one check of the whole name", got)
	}
	view := viewText(m)
	if strings.Contains(view, "no consumer on") || !strings.Contains(view, "✓ busy_q: 2 consumers") {
		t.Fatalf("compose does not say the new target is served:\n%s", view)
	}
}

func TestComposeGivesUpAtTheExpirationWhenNobodyConsumes(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	req := &checkingRequester{}
	m.Update(sessionMsg{req: req})
	deliver(m, press(m, "c"))
	m.Update(collect(t, press(m, "ctrl+s"), isType(replyMsg{})))
	if len(req.opts) != 1 || req.opts[0].Timeout != 1500*time.Millisecond {
		t.Fatalf("sent with %+v; want the 30s timeout cut to the 1000 ms expiration plus grace", req.opts)
	}
	view := viewText(m)
	if !strings.Contains(view, "✗ no consumer on \"no_such_queue\" took it: the request expired after") ||
		!strings.Contains(view, "✗ expired") || strings.Contains(view, "timed out") {
		t.Fatalf("compose does not say the request expired unread:\n%s", view)
	}
}
