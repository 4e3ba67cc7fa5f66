package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// answerWith makes the fake service reply with the recorded reply's fields
// and content set to content.
func answerWith(content string) func(string, neonwire.Value) (*connector.Response, error) {
	return func(_ string, v neonwire.Value) (*connector.Response, error) {
		id := ownMessageID(v.(*neonwire.Dict))
		return &connector.Response{MessageID: id, Latency: 4 * time.Millisecond,
			Value: dict("status_code", int64(200), "content", content, "encoding", nil, "message_id", id)}, nil
	}
}

// TestResendFromAReplyRowSendsItsRequest: r on a reply re-sends the
// request it answers, as the Python library would (routing_key the reply
// queue, then a fresh message_id), says what went where, and shows the new
// reply beside the recorded one in the Pair tab with their diff.
func TestResendFromAReplyRowSendsItsRequest(t *testing.T) {
	m, req := testModel(t, 160, 60, "dark", 2)
	req.answer = answerWith("Changed")
	selectRow(m, 1) // the reply to the first request
	orig, _ := m.selected()
	cmd := press(m, "r")
	if !strings.Contains(m.status.text, "re-sent request seq 1 to neon_api_input in /neon_api as ") {
		t.Fatalf("status %q: want what was sent where", m.status.text)
	}
	m.Update(collect(t, cmd, isType(replyMsg{})))
	if len(req.values) != 1 || req.queues[0] != "neon_api_input" {
		t.Fatalf("sent %d requests to %v, want one to neon_api_input", len(req.values), req.queues)
	}
	sent := req.values[0].(*neonwire.Dict)
	id := ownMessageID(sent)
	wantBody := fmt.Sprintf("{'service': 'api_test_endpoint', 'routing_key': '%s', 'message_id': '%s'}", req.ReplyQueue(), id)
	if got := neonwire.Repr(sent); got != wantBody || len(id) != 32 || id == orig.MessageID {
		t.Fatalf("sent %s, want %s with a fresh id", got, wantBody)
	}
	if req.opts[0].Expiration != defaultExpiration {
		t.Errorf("expiration %q, want the library's %s", req.opts[0].Expiration, defaultExpiration)
	}
	want := "re-sent seq 1 to neon_api_input: reply in 4ms; 1 field differs from the recorded reply: changed content"
	if !strings.HasPrefix(m.status.text, want) {
		t.Fatalf("status %q, want %q", m.status.text, want)
	}
	s := pairTab(m)
	for _, w := range []string{"── re-sent at", "recorded reply", "new reply", "diff of the replies", "~ content: 'Success' → 'Changed'"} {
		if !strings.Contains(s, w) {
			t.Errorf("the Pair tab lacks %q:\n%s", w, s)
		}
	}
	if strings.Contains(s, "~ message_id") {
		t.Errorf("the diff compares message_id, which every re-send changes:\n%s", s)
	}
}

// pairTab is the whole Pair tab of the selected row, without colours.
func pairTab(m *Model) string {
	m.detail.tab = tabPair
	e, pair := m.selected()
	m.detail.lines = nil
	return ansi.Strip(strings.Join(m.detail.layout(e, pair, 150, &m.st), "\n"))
}

// TestResendOfARequestWithAnUnchangedReplySaysSo: the same reply (but its
// message_id) is reported as the same.
func TestResendOfARequestWithAnUnchangedReplySaysSo(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 2)
	req.answer = answerWith("Success")
	selectRow(m, 2)
	m.Update(collect(t, press(m, "r"), isType(replyMsg{})))
	if !strings.HasSuffix(m.status.text, "same as the recorded reply") {
		t.Fatalf("status %q", m.status.text)
	}
	if s := pairTab(m); !strings.Contains(s, "no differences") {
		t.Fatalf("the Pair tab should say there are no differences:\n%s", s)
	}
}

// TestResendOfARowThatIsNoRequestIsRefused: a plain message is not a
// request; nothing is sent and the status says why.
func TestResendOfARowThatIsNoRequestIsRefused(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 2)
	selectRow(m, 4) // the JSON metrics message
	press(m, "r")
	if !m.status.isErr || !strings.Contains(m.status.text, "is not a Neon request") || len(req.values) != 0 {
		t.Fatalf("status %q, %d sent", m.status.text, len(req.values))
	}
}

// TestReadOnlyRefusesResend: r and R give read-only's usual message and
// send nothing; d and e stay allowed.
func TestReadOnlyRefusesResend(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 2)
	m.env.readOnly = testReadOnly
	want := "read-only: re-sending would publish requests; to leave read-only mode, run mqscope without --read-only"
	selectRow(m, 0)
	press(m, "m")
	for _, k := range []string{"r", "R"} {
		m.status.text = ""
		press(m, k)
		if m.status.text != want || !m.status.isErr {
			t.Errorf("%s: status %q, want %q", k, m.status.text, want)
		}
	}
	if len(req.values) != 0 {
		t.Fatalf("%d requests were sent", len(req.values))
	}
	press(m, "e")
	if m.mode != modeExport {
		t.Errorf("e in read-only mode: mode %v, want the export prompt", m.mode)
	}
}

// TestResendMarkedCountsEachRequestOnce: marking a request and its reply
// re-sends the request once; R reports replay's summary.
func TestResendMarkedCountsEachRequestOnce(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 3)
	var mu sync.Mutex
	n := 0
	req.answer = func(q string, v neonwire.Value) (*connector.Response, error) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			return answerWith("Changed")(q, v)
		}
		return answerWith("Success")(q, v)
	}
	for _, row := range []int{0, 1, 2, 4} { // request 1, its reply, request 2, request 3
		selectRow(m, row)
		press(m, "m")
	}
	if !strings.Contains(screen(m), "4 marked") {
		t.Fatalf("the status bar should count 4 marks:\n%s", screen(m))
	}
	cmd := press(m, "R")
	if !strings.HasPrefix(m.status.text, "re-sending 3 requests") {
		t.Fatalf("status %q", m.status.text)
	}
	for _, msg := range collectAll(t, cmd, isType(replyMsg{}), 3) {
		m.Update(msg)
	}
	if len(req.values) != 3 {
		t.Fatalf("sent %d requests, want 3 (a request and its reply are one request)", len(req.values))
	}
	if !strings.HasPrefix(m.status.text, "re-send done: 3 sent, 3 replied, 1 differ, 0 no reply · seq ") ||
		!strings.HasSuffix(m.status.text, "changed content") || !m.status.isErr {
		t.Fatalf("summary %q", m.status.text)
	}
	if m.resends.batch != nil {
		t.Fatal("the batch should be over")
	}
}

// TestResendWhileAnotherIsUnderWayJoinsIt: r pressed while R's requests
// wait is sent too, and the summary counts both.
func TestResendWhileAnotherIsUnderWayJoinsIt(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 3)
	req.answer = answerWith("Success")
	selectRow(m, 0)
	press(m, "m")
	first := press(m, "R")
	selectRow(m, 2)
	second := press(m, "r")
	for _, msg := range collectAll(t, tea.Batch(first, second), isType(replyMsg{}), 2) {
		m.Update(msg)
	}
	if len(req.values) != 2 || m.status.text != "re-send done: 2 sent, 2 replied, 0 differ, 0 no reply" {
		t.Fatalf("%d sent, status %q", len(req.values), m.status.text)
	}
}

// TestResendMarkedBoundsRequestsInFlight: no more than
// replay.MaxInFlight requests wait at once; the rest go as replies come.
func TestResendMarkedBoundsRequestsInFlight(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 70)
	req.answer = answerWith("Success")
	for row := 0; row < 140; row += 2 {
		selectRow(m, row)
		press(m, "m")
	}
	cmd := press(m, "R")
	first := collectAll(t, cmd, isType(replyMsg{}), 64)
	if b := m.resends.batch; b == nil || b.inFlight != 64 || len(b.todo) != 6 {
		t.Fatalf("batch %+v: want 64 in flight and 6 waiting", b)
	}
	var more []tea.Cmd
	for _, msg := range first {
		_, c := m.Update(msg)
		more = append(more, c)
	}
	for _, msg := range collectAll(t, tea.Batch(more...), isType(replyMsg{}), 6) {
		m.Update(msg)
	}
	if !strings.HasPrefix(m.status.text, "re-send done: 70 sent, 70 replied, 0 differ, 0 no reply") {
		t.Fatalf("summary %q", m.status.text)
	}
}

// TestResendFromARecordingWithoutABrokerSaysWhy: browsing a recording
// with no config, r says plainly why it cannot re-send.
func TestResendFromARecordingWithoutABrokerSaysWhy(t *testing.T) {
	m, req := testModel(t, 160, 45, "dark", 2)
	m.env.offline, m.env.noBroker = "recording rec.db", "no broker is configured (no Neon config file found)"
	selectRow(m, 0)
	press(m, "r")
	want := "re-send is unavailable: browsing a recording and no broker is configured (no Neon config file found)"
	if m.status.text != want || len(req.values) != 0 {
		t.Fatalf("status %q, want %q", m.status.text, want)
	}
}

// TestResendFromARecordingOpensARequester: with a broker configured, r on
// a recording opens a requester for the request's vhost, once, and sends
// through it.
func TestResendFromARecordingOpensARequester(t *testing.T) {
	m, live := testModel(t, 160, 45, "dark", 2)
	m.env.offline = "recording rec.db"
	m.keys.offline()
	rec := &fakeRequester{answer: answerWith("Success")}
	var opened []string
	m.env.openRequester = func(_ context.Context, vhost string) (requester, error) {
		opened = append(opened, vhost)
		return rec, nil
	}
	selectRow(m, 0)
	cmd := press(m, "r")
	_, cmd = m.Update(collect(t, cmd, isType(requesterOpenedMsg{})))
	m.Update(collect(t, cmd, isType(replyMsg{})))
	if len(rec.values) != 1 || len(live.values) != 0 || len(opened) != 1 || opened[0] != "/neon_api" {
		t.Fatalf("sent %d through the recording's requester (opened for %v), %d elsewhere", len(rec.values), opened, len(live.values))
	}
	if !strings.HasSuffix(m.status.text, "same as the recorded reply") {
		t.Fatalf("status %q", m.status.text)
	}
	// The help offers re-send but not what needs a live watch.
	press(m, "?")
	s := screen(m)
	if !strings.Contains(s, "re-send request") || strings.Contains(s, "change what is watched") {
		t.Fatalf("help while browsing a recording:\n%s", s)
	}
}
