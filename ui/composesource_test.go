package ui

import (
	"strings"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/store"
)

// selectRow selects the row at position i (0 is the oldest).
func selectRow(m *Model, i int) {
	press(m, "g")
	for range i {
		press(m, "j")
	}
}

// TestComposeFromAReplyStartsFromItsRequest selects a reply, as following
// the list usually does, and opens compose: it must hold the request's
// queue and body, never the reply's, and say so.
func TestComposeFromAReplyStartsFromItsRequest(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 2)
	selectRow(m, 1) // the reply to the first request
	if e, _ := m.selected(); e == nil || e.Pair == nil || !e.Pair.IsReply {
		t.Fatalf("row 1 should be a reply: %+v", e)
	}
	press(m, "c")
	body := m.compose.body.Value()
	if m.compose.queue() != "neon_api_input" || !strings.Contains(body, `"service": "api_test_endpoint"`) || strings.Contains(body, "status_code") {
		t.Fatalf("queue %q body %s: want the request's queue and body", m.compose.queue(), body)
	}
	if s := screen(m); !strings.Contains(s, "body from the request the selected reply answers (1a1a1a1a on neon_api_input at 15:09:26.535)") {
		t.Fatalf("compose should say where its body came from:\n%s", s)
	}
}

// TestComposeFromAReplyWithoutItsRequestLeavesTheTargetEmpty: when the
// request is not in the list, compose cannot know where it went, so it
// opens with no target and says why, and ctrl+s refuses.
func TestComposeFromAReplyWithoutItsRequestLeavesTheTargetEmpty(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 0)
	press(m, "x")
	reply := neonMsg(t0, "a1b2c3d4e5f60718293a4b5c6d7e8f90", dict("success", false, "error", "User does not exist", "code", int64(404), "message_id", strings.Repeat("77", 16)))
	m.env.store.Append(reply)
	m.Update(frameMsg{})
	press(m, "c")
	if m.compose.queue() != "" || strings.TrimSpace(m.compose.body.Value()) != "{}" {
		t.Fatalf("queue %q body %q, want no target and an empty body", m.compose.queue(), m.compose.body.Value())
	}
	if s := screen(m); !strings.Contains(s, "⚠ the selected row is a reply and its request is not in the list") {
		t.Fatalf("compose should say why it has no target:\n%s", s)
	}
	press(m, "ctrl+s")
	if len(req.values) != 0 || !m.status.isErr {
		t.Fatalf("nothing should be sent (sent %d, status %q)", len(req.values), m.status.text)
	}
}

// TestComposeFromADeliverOrASentRowStartsFromTheMessage: a deliver is the
// same message as its publish, and a sent row is a request compose sent.
func TestComposeFromADeliverOrASentRowStartsFromTheMessage(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "x")
	id := strings.Repeat("5e", 16)
	sent := neonMsg(t0, "neon_users_input", dict("operation", "read", "user_spec", "bob", "message_id", id, "routing_key", "5f0c2d7e9a1b4c3d8e6f7a8b9c0d1e2f"))
	sent.Mode = capture.ModeSent
	pub := sent
	pub.Mode, pub.Time = capture.ModeFirehose, t0.Add(time.Millisecond)
	del := pub
	del.Event = capture.EventDeliver
	for _, msg := range []capture.Message{sent, pub, del} {
		m.env.store.Append(msg)
	}
	m.Update(frameMsg{})
	for row, want := range map[int]string{
		0: "body from the selected sent request (5e5e5e5e on neon_users_input at 15:09:26.535)",
		2: "body from the sent request of which the selected deliver is a copy (5e5e5e5e on neon_users_input at 15:09:26.535)",
	} {
		selectRow(m, row)
		press(m, "c")
		if m.compose.queue() != "neon_users_input" || !strings.Contains(m.compose.body.Value(), `"user_spec": "bob"`) {
			t.Fatalf("row %d: queue %q body %s", row, m.compose.queue(), m.compose.body.Value())
		}
		if m.compose.source != want {
			t.Fatalf("row %d: source %q, want %q", row, m.compose.source, want)
		}
		press(m, "esc")
	}
}

// TestFilterWhileFollowingKeepsTheSelectionOnAVisibleRow applies a filter
// while following and opens compose: it starts from the newest match,
// which is on screen and selected.
func TestFilterWhileFollowingKeepsTheSelectionOnAVisibleRow(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 6)
	press(m, "/")
	typeText(m, "api_test_endpoint event:publish")
	press(m, "enter")
	e, _ := m.selected()
	if e == nil || e.MessageID != strings.Repeat("1f", 16) {
		t.Fatalf("selected %+v, want the newest match", e)
	}
	if i := m.list.cursor - m.list.offset; i < 0 || i >= m.list.height {
		t.Fatalf("the selected row %d is off screen (offset %d, height %d)", m.list.cursor, m.list.offset, m.list.height)
	}
	press(m, "c")
	if !strings.Contains(m.compose.body.Value(), "api_test_endpoint") || m.compose.source != "body from the selected request (1f1f1f1f on neon_api_input at 15:09:27.785)" {
		t.Fatalf("body %q source %q", m.compose.body.Value(), m.compose.source)
	}
}

// TestComposeWithNoMatchSaysSoAndRefusesAnEmptyBody: a filter that matches
// nothing yet leaves no row to start from; compose says so, and ctrl+s
// does not send {}.
func TestComposeWithNoMatchSaysSoAndRefusesAnEmptyBody(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 2)
	press(m, "/")
	typeText(m, "nothing_matches_this")
	press(m, "enter", "c")
	if s := screen(m); !strings.Contains(s, "no row selected: an empty body for neon_api_input, the first watched queue") {
		t.Fatalf("compose should say its body is empty because no row is selected:\n%s", s)
	}
	press(m, "ctrl+s")
	if len(req.values) != 0 || !strings.Contains(m.status.text, "{} is empty") {
		t.Fatalf("an empty body was sent (%d) or not refused clearly: %q", len(req.values), m.status.text)
	}
}

// TestRowKindsAreToldApart checks the words compose uses for rows.
func TestRowKindsAreToldApart(t *testing.T) {
	reply := &store.Entry{Pair: &store.Pair{IsReply: true}}
	request := &store.Entry{ReplyQueue: "q"}
	deliver := &store.Entry{Msg: capture.Message{Event: capture.EventDeliver}}
	for e, want := range map[*store.Entry]string{reply: "reply", request: "request", deliver: "deliver", {}: "message"} {
		if got := rowKind(e); got != want {
			t.Errorf("rowKind = %q, want %q", got, want)
		}
	}
	if !isReplyRow(&store.Entry{Msg: capture.Message{Queue: "0123456789abcdef0123456789abcdef"}}) {
		t.Error("a message on a Neon reply queue is a reply")
	}
}
