package ui

import (
	"context"
	"strings"
	"testing"

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
	if !strings.Contains(m.compose.source, `⚠ no consumer on "`+q+`": the request will expire after 1000 ms`) || !m.compose.sourceWarn {
		t.Fatalf("compose says %q", m.compose.source)
	}
	if view := viewText(m); !strings.Contains(view, "no consumer on") {
		t.Fatalf("the warning is not on screen:\n%s", view)
	}
}
