package ui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
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
