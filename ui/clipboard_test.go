package ui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
	"mqscope/connector/neonwire/neonwiretest"
)

// fakeClipboard stands in for the system clipboard; commands write to it
// from their own goroutines.
type fakeClipboard struct {
	mu   sync.Mutex
	text string
}

func (f *fakeClipboard) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.text
}

// stubClipboard replaces the system clipboard for one test.
func stubClipboard(t *testing.T, err error) *fakeClipboard {
	t.Helper()
	f := &fakeClipboard{}
	old := writeLocalClipboard
	writeLocalClipboard = func(s string) error {
		f.mu.Lock()
		f.text = s
		f.mu.Unlock()
		return err
	}
	t.Cleanup(func() { writeLocalClipboard = old })
	return f
}

// hasOSC52 reports whether cmd batches a tea.SetClipboard of text.
func hasOSC52(t *testing.T, cmd tea.Cmd, text string) bool {
	want := fmt.Sprintf("%v", tea.SetClipboard(text)())
	msg := collect(t, cmd, func(m tea.Msg) bool { return fmt.Sprintf("%T", m) == fmt.Sprintf("%T", tea.SetClipboard("")()) })
	return fmt.Sprintf("%v", msg) == want
}

func TestCopyKeysCopyBodyWireAndMessageIDBothWays(t *testing.T) {
	got := stubClipboard(t, nil)
	m, _ := testModel(t, 160, 45, "dark", 1)
	selectFirstRequest(m)
	e, _ := m.selected()
	cases := []struct{ key, want string }{
		{"y", "{\n  \"service\": \"api_test_endpoint\""},
		{"Y", string(e.Msg.Body)},
		{"i", e.MessageID},
	}
	for _, tc := range cases {
		cmd := press(m, tc.key)
		copied := collect(t, cmd, isType(copiedMsg{})).(copiedMsg)
		last := got.last()
		if !strings.HasPrefix(last, tc.want) {
			t.Fatalf("%s copied %q, want it to start with %q", tc.key, last, tc.want)
		}
		if !hasOSC52(t, press(m, tc.key), last) {
			t.Fatalf("%s should also send the text by OSC52", tc.key)
		}
		m.Update(copied)
		if !strings.Contains(m.status.text, "to the system clipboard and via OSC52") {
			t.Fatalf("status %q should say how it was copied", m.status.text)
		}
	}
}

func TestCopyWithoutSystemClipboardSaysOSC52Only(t *testing.T) {
	stubClipboard(t, errors.New("no clipboard utilities available"))
	m, _ := testModel(t, 160, 45, "dark", 1)
	m.Update(collect(t, press(m, "i"), isType(copiedMsg{})))
	if !strings.Contains(m.status.text, "via OSC52 only") {
		t.Fatalf("status %q", m.status.text)
	}
}

func TestCopyFromComposeReply(t *testing.T) {
	got := stubClipboard(t, nil)
	m, req := testModel(t, 160, 45, "dark", 0)
	req.answer = nil // timeout: nothing to copy
	press(m, "c", "shift+tab")
	if m.compose.field != fieldResult {
		t.Fatalf("shift+tab from the body should reach the reply field, at %v", m.compose.field)
	}
	press(m, "i")
	if !strings.Contains(m.status.text, "no reply to copy") {
		t.Fatalf("status %q", m.status.text)
	}
	m.compose.result = &requestResult{resp: testResponse()}
	collect(t, press(m, "i"), isType(copiedMsg{}))
	if got.last() != testResponse().MessageID {
		t.Fatalf("i copied %q, want the reply's message_id", got.last())
	}
}

// TestOnlyKeysWriteTheClipboard feeds the model everything that is not a
// key press (traffic whose bodies hold OSC52 sequences, frames, ticks,
// connection events, replies, pastes, resizes, mouse wheels, template
// loads) and checks that none asks for a clipboard write; then y does.
func TestOnlyKeysWriteTheClipboard(t *testing.T) {
	stubClipboard(t, nil)
	var writes []string
	old := setTerminalClipboard
	setTerminalClipboard = func(s string) tea.Cmd { writes = append(writes, s); return old(s) }
	t.Cleanup(func() { setTerminalClipboard = old })

	m, _ := testModel(t, 160, 45, "dark", 2)
	sink := m.env.store.Sink(nil)
	resp := testResponse()
	for i := range 300 {
		sink(hostileMsg([]byte(neonwiretest.Escapes)))
		for _, msg := range []tea.Msg{
			storeChangedMsg{}, frameMsg{at: t0}, rateTickMsg{at: t0.Add(time.Duration(i) * time.Second)},
			eventsMsg{stateMsg{state: connector.State{Worker: "w", Kind: connector.StateConnected}}, unmatchedMsg{msg: hostileMsg(nil)}},
			sessionMsg{req: &fakeRequester{}}, replyMsg{id: i, resp: resp}, pendingTickMsg{id: i},
			statusClearMsg{id: i}, templatesLoadedMsg{templates: []template{{Name: "t", Body: "{}"}}}, templatesChangedMsg{saved: "t", templates: []template{{Name: "t", Body: "{}"}}},
			tea.PasteMsg{Content: neonwiretest.Escapes}, tea.WindowSizeMsg{Width: 60 + i%100, Height: 15 + i%30},
			tea.BackgroundColorMsg{Color: white}, tea.MouseWheelMsg{Button: tea.MouseWheelDown},
			copiedMsg{what: "body", size: 3},
		} {
			m.Update(msg)
		}
	}
	if len(writes) != 0 {
		t.Fatalf("%d clipboard writes without a key press, the first of %q", len(writes), writes[0])
	}
	press(m, "y")
	if len(writes) != 1 {
		t.Fatalf("y asked for %d clipboard writes, want 1: the test cannot see writes", len(writes))
	}
}
