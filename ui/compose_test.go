package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// selectFirstRequest moves the selection to the oldest message, a request.
func selectFirstRequest(m *Model) { press(m, "g") }

func TestComposePrefillsFromSelectedMessage(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 2)
	selectFirstRequest(m)
	press(m, "c")
	c := &m.compose
	if m.mode != modeCompose {
		t.Fatal("c should open compose with the keyboard")
	}
	if c.queue() != "neon_api_input" {
		t.Fatalf("queue %q, want the selected message's queue", c.queue())
	}
	body := c.body.Value()
	if !strings.Contains(body, `"service": "api_test_endpoint"`) || strings.Contains(body, "message_id") || strings.Contains(body, "routing_key") {
		t.Fatalf("body should be the decoded dict without message_id/routing_key:\n%s", body)
	}
	if id := c.inputs[fieldID].Value(); len(id) != 32 {
		t.Fatalf("message_id field %q, want a fresh uuid4 hex", id)
	}
	if rk := c.inputs[fieldRoutingKey].Value(); rk != req.ReplyQueue() {
		t.Fatalf("routing_key %q, want the session's reply queue", rk)
	}
	if c.inputs[fieldExpiration].Value() != "1000" {
		t.Fatal("expiration should default to 1000 ms")
	}
}

func TestComposeWithNothingSelectedTargetsFirstWatchedQueue(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "x", "c")
	if m.compose.queue() != "neon_api_input" || strings.TrimSpace(m.compose.body.Value()) != "{}" {
		t.Fatalf("queue %q body %q, want the first watched queue and {}", m.compose.queue(), m.compose.body.Value())
	}
}

func TestComposeValidatesAsYouTypeWithPosition(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "x", "c")
	m.compose.body.SetValue("")
	typeText(m, "{'a': Tru")
	if m.compose.parseErr == nil || !strings.Contains(m.compose.parseErr.Error(), "line 1:") {
		t.Fatalf("parse error %v, want one with line:col", m.compose.parseErr)
	}
	if !strings.Contains(screen(m), "✗ ") {
		t.Fatal("the error should be shown under the editor")
	}
	typeText(m, "e}")
	if m.compose.parseErr != nil {
		t.Fatalf("{'a': True} should parse, got %v", m.compose.parseErr)
	}
	if !strings.HasPrefix(m.compose.wire, "Insn") {
		t.Fatalf("wire preview %q, want a Neon body (base64 of a JSON string)", m.compose.wire)
	}
}

func TestComposeRejectsNonDictBody(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "x", "c")
	m.compose.body.SetValue("[1, 2]")
	m.compose.revalidate()
	if m.compose.parseErr == nil || !strings.Contains(m.compose.parseErr.Error(), "must be a dict, not list") {
		t.Fatalf("got %v", m.compose.parseErr)
	}
}

func TestCtrlSSendsThroughSessionAndShowsCorrelatedReply(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 1)
	req.answer = func(queue string, v neonwire.Value) (*connector.Response, error) {
		id := neonwire.MessageID(v)
		return &connector.Response{MessageID: id, Latency: 4200 * time.Microsecond,
			Value: dict("status_code", int64(200), "content", "pong", "message_id", id)}, nil
	}
	selectFirstRequest(m)
	press(m, "c")
	sentID := m.compose.inputs[fieldID].Value()
	cmd := press(m, "ctrl+s")
	if m.compose.pending == nil || !strings.Contains(screen(m), "waiting for the reply") {
		t.Fatal("the pending request should show while waiting")
	}
	if m.compose.inputs[fieldID].Value() == sentID {
		t.Fatal("after sending, the message_id field should hold a fresh id")
	}
	reply := collect(t, cmd, isType(replyMsg{})).(replyMsg)
	if len(req.values) != 1 || req.queues[0] != "neon_api_input" {
		t.Fatalf("requests %v to %v, want one to neon_api_input", req.values, req.queues)
	}
	sent := req.values[0].(*neonwire.Dict)
	if got, _ := sent.Get("message_id"); got != sentID {
		t.Fatalf("sent message_id %v, want the field's %s", got, sentID)
	}
	if got, _ := sent.Get("routing_key"); got != req.ReplyQueue() {
		t.Fatalf("sent routing_key %v, want the reply queue", got)
	}
	if req.opts[0].Expiration != "1000" || req.opts[0].Timeout != 30*time.Second {
		t.Fatalf("options %+v, want expiration 1000 and timeout 30s", req.opts[0])
	}
	m.Update(reply)
	s := screen(m)
	if !strings.Contains(s, "↩ reply in 4.20ms") || !strings.Contains(s, `"content": "pong"`) {
		t.Fatalf("the reply should show decoded with its latency:\n%s", s)
	}
	if !strings.Contains(s, "history (1)") {
		t.Fatal("the sent request should be in the history")
	}
}

func TestTimeoutAndNoRouteAreShownInPlace(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&connector.TimeoutError{Queue: "neon_api_input", VHost: "/neon_api", After: time.Second}, "✗ timed out"},
		{&connector.NoRouteError{Queue: "nope", VHost: "/neon_api"}, "✗ unroutable: no queue \"nope\""},
	}
	for _, tc := range cases {
		m, req := testModel(t, 200, 45, "dark", 0)
		req.answer = func(string, neonwire.Value) (*connector.Response, error) { return nil, tc.err }
		press(m, "c")
		m.Update(collect(t, press(m, "ctrl+s"), isType(replyMsg{})))
		if s := screen(m); !strings.Contains(s, tc.want) {
			t.Fatalf("want %q in compose:\n%s", tc.want, s)
		}
	}
}

func TestLateReplyToOlderRequestDoesNotReplaceNewer(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "c", "ctrl+s", "ctrl+s")
	if m.compose.pending == nil || m.compose.pending.id != 2 {
		t.Fatal("the second send should be the pending one")
	}
	m.Update(replyMsg{id: 1, err: errors.New("late")})
	if m.compose.result != nil || m.compose.pending == nil {
		t.Fatal("an answer to request 1 must not replace request 2")
	}
	if m.compose.history[1].outcome != "✗ failed" {
		t.Fatalf("the old request's history line should record its outcome, got %q", m.compose.history[1].outcome)
	}
}

func TestResendUsesNewMessageID(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 0)
	press(m, "c")
	collect(t, press(m, "ctrl+s"), isType(replyMsg{}))
	collect(t, press(m, "ctrl+r"), isType(replyMsg{}))
	if len(req.values) != 2 {
		t.Fatalf("%d requests, want 2", len(req.values))
	}
	a := neonwire.MessageID(req.values[0])
	b := neonwire.MessageID(req.values[1])
	if a == b || a == "" || b == "" {
		t.Fatalf("re-send reused message_id %q", a)
	}
}

func TestSendWithoutSessionSaysWhy(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	m.req = nil
	press(m, "c", "ctrl+s")
	if !m.status.isErr || !strings.Contains(m.status.text, "not connected") {
		t.Fatalf("status %q, want a clear not-connected error", m.status.text)
	}
}

func TestBadTimeoutIsRefusedWithHint(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "c")
	m.compose.inputs[fieldTimeout].SetValue("soon")
	press(m, "ctrl+s")
	if !strings.Contains(m.status.text, `timeout "soon": give a duration`) {
		t.Fatalf("status %q", m.status.text)
	}
}

func TestHistoryPickLoadsAnOlderRequestWithNewID(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "c")
	m.compose.body.SetValue(`{"n": 1}`)
	m.compose.revalidate()
	press(m, "ctrl+s")
	m.compose.body.SetValue(`{"n": 2}`)
	m.compose.revalidate()
	press(m, "ctrl+s")
	firstID := m.compose.history[1].messageID
	press(m, "shift+tab", "down", "enter") // reply field, older entry, edit
	if m.compose.field != fieldBody || m.compose.body.Value() != `{"n": 1}` {
		t.Fatalf("field %v body %q, want the first request back in the editor", m.compose.field, m.compose.body.Value())
	}
	if id := m.compose.inputs[fieldID].Value(); id == firstID || len(id) != 32 {
		t.Fatalf("message_id %q, want a fresh one", id)
	}
}

func TestPrefillKeepsPythonTypesThatJSONWouldLose(t *testing.T) {
	v, err := neonwire.ParseLiteral("{'query': 'hi', 'history': [('user', 'hello')], 'message_id': 'x', 'routing_key': 'y'}")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := prefillBody(v), "{'query': 'hi', 'history': [('user', 'hello')]}"; got != want {
		t.Fatalf("prefill = %s, want the Python literal %s", got, want)
	}
	v, _ = neonwire.ParseLiteral("{'service': 'api_test_endpoint', 'n': 1, 'message_id': 'x'}")
	if got, want := prefillBody(v), "{\n  \"service\": \"api_test_endpoint\",\n  \"n\": 1\n}"; got != want {
		t.Fatalf("prefill = %q, want indented JSON %q", got, want)
	}
}
