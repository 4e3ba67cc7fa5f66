package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/capture"
	"mqscope/internal/textsafe"
	"mqscope/store"
)

// Text that reorders or hides the rest of a row when drawn raw: a bidi
// override, isolates, marks, zero-width characters and a stack of
// combining marks.
const (
	bidi      = "\u202Egnp.exe\u202C"
	isolates  = "\u2066x\u2069\u200e\u200f\u061c"
	zeroWidth = "neon\u200b_api\u200d\ufeff\u2060"
	zalgo     = "z\u0301\u0302\u0303\u0304\u0305\u0306\u0307"
	hiding    = bidi + " " + isolates + " " + zeroWidth + " " + zalgo
)

// firstRawUnsafe is the first character of screen text (colours stripped)
// that textsafe says must not reach the terminal raw, or "".
func firstRawUnsafe(s string) string {
	for i := 0; i < len(s); {
		r, size, escape := textsafe.EscapeAt(s, i)
		if escape && r != '\n' {
			return s[max(i-8, 0):min(i+size+8, len(s))]
		}
		i += size
	}
	return ""
}

// TestListRowsDrawHidingTextEscaped puts bidi controls, zero-width
// characters and combining runs in a routing key, a queue name and a text
// body, and checks what View draws: none of them raw, each escaped
// visibly in its row.
func TestListRowsDrawHidingTextEscaped(t *testing.T) {
	m, _ := testModel(t, 200, 40, "dark", 0)
	sink := m.env.store.Sink(nil)
	sink(capture.Message{Time: t0, VHost: "/neon_api", Exchange: "amq.topic", RoutingKey: "rk." + hiding,
		Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: []byte("routed")})
	sink(capture.Message{Time: t0, VHost: "/neon_api", Queue: "q." + hiding, RoutingKey: "q",
		Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: []byte("text body " + hiding)})
	m.Update(frameMsg{at: t0})
	raw := m.View().Content
	screen := ansi.Strip(raw)
	if bad := firstRawUnsafe(screen); bad != "" {
		t.Fatalf("raw hiding text on screen near %q:\n%s", bad, screen)
	}
	// The where column is cut to its width (a queue's without the vhost,
	// which the header names).
	for _, want := range []string{`amq.topic → rk.\u202egnp.ex…`, `P   q.\u202egnp.exe\u202c \u206…`, `text body \u202egnp.exe\u202c \u2066x\u2069`} {
		if !strings.Contains(screen, want) {
			t.Errorf("the row should show %s escaped:\n%s", want, screen)
		}
	}
	// The row: the body's summary, with two marks kept on z and the rest
	// of the run escaped.
	if !strings.Contains(screen, `neon\u200b_api\u200d\ufeff\u2060 z`+"\u0301\u0302"+`\u0303\u0304`) {
		t.Errorf("zero-width characters and the combining run should be escaped in the summary:\n%s", screen)
	}
	for _, line := range strings.Split(raw, "\n") {
		if w := ansi.StringWidth(line); w != 200 {
			t.Fatalf("a row is %d cells wide, want 200: %q", w, ansi.Strip(line))
		}
	}
}

// TestDetailDrawsHidingTextEscaped checks the detail pane's Decoded,
// Wire and Properties tabs for the same text.
func TestDetailDrawsHidingTextEscaped(t *testing.T) {
	m, _ := testModel(t, 200, 50, "dark", 0)
	msg := capture.Message{Time: t0, VHost: "/neon_api", Queue: "q." + hiding, RoutingKey: "rk." + hiding,
		Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: []byte("text\n" + hiding + "\x1b[2J\x07"),
		Headers: map[string]any{"h" + bidi: zeroWidth}}
	m.env.store.Sink(nil)(msg)
	m.Update(frameMsg{at: t0})
	for tab := range tabCount {
		screen := ansi.Strip(m.View().Content)
		if bad := firstRawUnsafe(screen); bad != "" {
			t.Fatalf("tab %s: raw hiding text on screen near %q:\n%s", tabNames[m.detail.tab], bad, screen)
		}
		if tab == tabDecoded && !strings.Contains(screen, `\x1b[2J\x07`) {
			t.Fatalf("the text body's controls should show escaped:\n%s", screen)
		}
		press(m, "l")
	}
}

// TestClipboardTextHasNoRawControls tests the function every copy goes
// through, on what y copies from a text body.
func TestClipboardTextHasNoRawControls(t *testing.T) {
	body := "ding\x07 \x1b[31mred\x1b[0m \x1b[201~rm -rf ~\r\nnext\ttab " + bidi
	e := store.Entry{Msg: capture.Message{Body: []byte(body)}}
	e.Decoded.Encoding, e.Decoded.Value = "text", body
	what, raw, ok := copyText(&e, copyBody)
	if !ok || what != "text body" {
		t.Fatalf("copyText: %q %v", what, ok)
	}
	got := clipboardText(raw)
	if strings.ContainsAny(got, "\x1b\x07\r") {
		t.Fatalf("clipboard text holds a raw control: %q", got)
	}
	want := `ding\x07 \x1b[31mred\x1b[0m \x1b[201~rm -rf ~` + "\nnext\ttab " + bidi
	if got != want {
		t.Fatalf("clipboard text\n got %q\nwant %q", got, want)
	}
}

// TestYOnTextBodyPutsNoRawESCOrBELOnTheClipboard presses y on a text
// body holding ESC and BEL: neither the system clipboard nor OSC52 gets
// them raw.
func TestYOnTextBodyPutsNoRawESCOrBELOnTheClipboard(t *testing.T) {
	got := stubClipboard(t, nil)
	var osc52 []string
	old := setTerminalClipboard
	setTerminalClipboard = func(s string) tea.Cmd { osc52 = append(osc52, s); return old(s) }
	t.Cleanup(func() { setTerminalClipboard = old })

	m, _ := testModel(t, 160, 45, "dark", 0)
	m.env.store.Sink(nil)(capture.Message{Time: t0, VHost: "/v", Queue: "logs", Event: capture.EventPublish,
		Mode: capture.ModeFirehose, Body: []byte("bell\x07 and \x1b]52;c;cHduZWQ=\x07 and \x1b[2J")})
	m.Update(frameMsg{at: t0})
	press(m, "G")
	if e, _ := m.selected(); e == nil || e.Decoded.Encoding != "text" {
		t.Fatalf("selected %+v, want the text body", e)
	}
	copied := collect(t, press(m, "y"), isType(copiedMsg{})).(copiedMsg)
	for where, text := range map[string]string{"system clipboard": got.last(), "OSC52": strings.Join(osc52, "")} {
		if text == "" || strings.ContainsAny(text, "\x1b\x07") || !utf8.ValidString(text) {
			t.Fatalf("%s got %q: want the text without raw ESC or BEL", where, text)
		}
	}
	if want := `bell\x07 and \x1b]52;c;cHduZWQ=\x07 and \x1b[2J`; got.last() != want || copied.size != len(want) {
		t.Fatalf("copied %q (%d bytes), want %q", got.last(), copied.size, want)
	}
}
