package ui

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/observe"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/connector/neonwire/neonwiretest"
)

// injected are sequences of neonwiretest.Escapes that styling never
// writes: finding one in a frame means a body or a name drove the terminal.
var injected = []string{"\x1b[2J", "\x1b[H", "\x1b]0;pwned", "\x1b]52;", "\u009b31m", "\x00"}

// hostileMsg is body b as the firehose would deliver it, on a queue whose
// name carries terminal escapes too: names come off the network as well.
func hostileMsg(b []byte) capture.Message {
	queue := "hostile" + neonwiretest.Escapes
	return capture.Message{
		Time: t0, VHost: "/neon_api", Queue: queue, RoutingKey: queue,
		Event: capture.EventPublish, Mode: capture.ModeFirehose,
		Properties: capture.Properties{AppID: neonwiretest.Escapes},
		Headers:    map[string]any{"note": neonwiretest.Escapes, neonwiretest.Escapes: "a header named to drive the terminal"},
		Body:       b,
	}
}

// checkNoInjection fails when a frame holds a sequence a body injected.
func checkNoInjection(t *testing.T, frame, what string) {
	t.Helper()
	for _, seq := range injected {
		if strings.Contains(frame, seq) {
			t.Fatalf("%s: the frame holds %q from the message: it would drive the terminal", what, seq)
		}
	}
}

// TestHostileBodiesInListAndEveryTab shows each hostile body selected in
// the list and in every detail tab, at a roomy and at the smallest full
// size. A frame must fit, show nothing the body could use to drive the
// terminal, and lay out a bounded part of a huge body, saying how much
// is left, while y still copies all of it.
func TestHostileBodiesInListAndEveryTab(t *testing.T) {
	got := stubClipboard(t, nil)
	for _, b := range neonwiretest.Bodies() {
		t.Run(b.Name, func(t *testing.T) {
			m, _ := testModel(t, 120, 40, "dark", 1)
			m.env.store.Sink(nil)(hostileMsg(b.Data))
			m.Update(frameMsg{})
			e, _ := m.selected()
			if e == nil || e.Size != len(b.Data) {
				t.Fatal("the hostile message is not the selected one")
			}
			checkSummary(t, m.list.summary(e))
			for tab := range tabCount {
				m.detail.tab = tab
				for _, size := range [][2]int{{120, 40}, {minWidth, minHeight}} {
					m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
					what := fmt.Sprintf("%s tab at %dx%d", tabNames[tab], size[0], size[1])
					checkFrame(t, m, what)
					checkNoInjection(t, m.render(), what)
					checkLaidOutBounded(t, m.detail.lines, b.Big && laysOutBody(tab, b), what)
				}
			}
			checkDecodeErrorShown(t, m, b)
			checkCopyIsWhole(t, m, got, b)
		})
	}
}

// laysOutBody reports whether tab shows b's body itself, rather than a
// note about it (binary on the Decoded and Wire tabs) or other fields.
func laysOutBody(tab detailTab, b neonwiretest.Body) bool {
	switch tab {
	case tabHex:
		return true
	case tabDecoded, tabWire:
		return b.Encoding != neonwire.EncBinary
	}
	return false
}

// checkSummary checks a list row's body summary: one line of bounded
// length, however large the body.
func checkSummary(t *testing.T, s string) {
	t.Helper()
	if strings.ContainsAny(s, "\n\r") || len(s) > maxSummary {
		t.Fatalf("summary of %d bytes (%.60q): want one line of at most %d", len(s), s, maxSummary)
	}
}

// checkLaidOutBounded checks the detail pane's laid-out lines: a bounded
// number of bounded total size, ending with a note of what is left when
// the body is too large to lay out whole.
func checkLaidOutBounded(t *testing.T, lines []string, big bool, what string) {
	t.Helper()
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	// Colours add bytes around each token; the bound is what matters.
	if len(lines) > maxDetailLines+2 || size > 16*maxDetailBytes {
		t.Fatalf("%s: laid out %d lines, %d bytes: the pane must cap what it lays out", what, len(lines), size)
	}
	if big && !strings.Contains(lines[len(lines)-1], "copies the whole") {
		t.Fatalf("%s: a huge body laid out in part must end saying how to get the rest, ends %q", what, lines[len(lines)-1])
	}
}

// checkDecodeErrorShown checks that a body that failed to decode says why
// on the Decoded tab.
func checkDecodeErrorShown(t *testing.T, m *Model, b neonwiretest.Body) {
	t.Helper()
	if b.Err == "" {
		return
	}
	m.detail.tab = tabDecoded
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
	if !strings.Contains(screen(m), b.Err) {
		t.Fatalf("the Decoded tab does not say %q:\n%s", b.Err, screen(m))
	}
}

// checkCopyIsWhole checks that y copies the whole body, not the part the
// pane shows.
func checkCopyIsWhole(t *testing.T, m *Model, got *fakeClipboard, b neonwiretest.Body) {
	t.Helper()
	e, _ := m.selected()
	_, body, ok := copyText(e, copyBody)
	if !ok {
		return // binary: y says there is no decoded body
	}
	want := clipboardText(body) // all of it, with its controls escaped
	collect(t, press(m, "y"), isType(copiedMsg{}))
	if got.last() != want {
		t.Fatalf("y copied %d bytes, want the whole body's %d", len(got.last()), len(want))
	}
}

// TestHugeReplyInComposeIsBounded shows a 16 MiB reply in the compose pane,
// which draws it on every frame.
func TestHugeReplyInComposeIsBounded(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	press(m, "c")
	for _, b := range neonwiretest.Bodies() {
		if !b.Big || b.Encoding != neonwire.EncNeon {
			continue
		}
		v, err := neonwire.DecodeNeon(b.Data)
		if err != nil {
			t.Fatal(err)
		}
		m.compose.result = &requestResult{resp: &connector.Response{MessageID: "m", Value: v}}
		lines := m.compose.renderResult(160, &m.st, t0)
		checkLaidOutBounded(t, lines, true, "compose reply")
		checkFrame(t, m, "compose with a huge reply")
	}
}

// TestTinyAndRandomSizesWithHostileTraffic draws every pane at every size
// from 1×1 to 10×4, then at random sizes while hostile messages arrive:
// no size may panic, draw outside the frame or let a body drive the
// terminal.
func TestTinyAndRandomSizesWithHostileTraffic(t *testing.T) {
	m, _ := testModel(t, 80, 24, "dark", 2)
	states := []struct {
		name string
		set  func()
	}{
		{"list", func() {}},
		{"detail", func() { press(m, "tab") }},
		{"hex", func() { press(m, "l", "l") }},
		{"compose", func() { press(m, "esc", "c") }},
		{"filter", func() { press(m, "esc", "esc", "/") }},
		{"help", func() { press(m, "esc", "?") }},
	}
	for _, s := range states {
		s.set()
		for w := 1; w <= 10; w++ {
			for h := 1; h <= 4; h++ {
				m.Update(tea.WindowSizeMsg{Width: w, Height: h})
				checkFrame(t, m, fmt.Sprintf("%s at %dx%d", s.name, w, h))
			}
		}
	}
	press(m, "esc", "esc")
	// The small hostile bodies: the 16 MiB ones have their own test, and
	// decoding them again and again would only make this one slow.
	var bodies []neonwiretest.Body
	for _, b := range neonwiretest.Bodies() {
		if !b.Big {
			bodies = append(bodies, b)
		}
	}
	sink := m.env.store.Sink(nil)
	rng := rand.New(rand.NewPCG(5, 1))
	for i := range 250 {
		if i%20 == 0 {
			sink(hostileMsg(bodies[(i/20)%len(bodies)].Data))
			m.Update(frameMsg{})
		}
		if i%50 == 0 {
			press(m, "l") // another tab
		}
		m.Update(tea.WindowSizeMsg{Width: rng.IntN(240), Height: rng.IntN(80)})
		checkFrame(t, m, fmt.Sprintf("random size %d (%dx%d)", i, m.width, m.height))
		checkNoInjection(t, m.render(), fmt.Sprintf("random size %d", i))
	}
}

// TestEscapesInIDsAndNamesNeverReachTheScreen pairs a request and a reply
// whose message_id, reply queue and names are terminal escapes, and draws
// both in every tab, plus the status line of an unmatched reply: ids and
// names come off the network just as bodies do.
func TestEscapesInIDsAndNamesNeverReachTheScreen(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 0)
	evil := neonwiretest.Escapes
	sink := m.env.store.Sink(nil)
	sink(neonMsg(t0, "neon_api_input", dict("service", "x", "routing_key", "reply"+evil, "message_id", evil)))
	reply := neonMsg(t0.Add(time.Millisecond), "reply"+evil, dict("status_code", int64(200), "message_id", evil))
	sink(reply)
	m.Update(frameMsg{})
	if e, _ := m.selected(); e == nil || e.Pair == nil {
		t.Fatal("the escaped request and reply were not paired: the test shows less than it should")
	}
	for _, row := range []string{"g", "G"} {
		press(m, row)
		for tab := range tabCount {
			m.detail.tab = tab
			checkNoInjection(t, m.render(), fmt.Sprintf("row %s, %s tab", row, tabNames[tab]))
		}
	}
	m.Update(eventsMsg{unmatchedMsg{msg: reply}})
	checkNoInjection(t, m.render(), "status of an unmatched reply")
}

// TestEscapesInDiscoveredNamesNeverReachTheScreen has the management API
// list a vhost and a queue named with terminal escapes (anyone allowed to
// declare a queue can name one so), picks them, and draws the picker, the
// header and the per-queue rates in the status bar.
func TestEscapesInDiscoveredNamesNeverReachTheScreen(t *testing.T) {
	evil := "q" + neonwiretest.Escapes
	m, _ := testModel(t, 200, 50, "dark", 0)
	discover := func(service, vhost string) tea.Cmd {
		return func() tea.Msg {
			return discoveredMsg{items: []pickItem{{label: evil, value: evil, hint: "queue " + evil}}}
		}
	}
	m.openPicker(newPicker(testConfig(), pickChoice{service: "mq_handler"}, discover, nil))
	m.env.start = func(pickChoice, []observe.WatchSpec, int) tea.Cmd { return nil }
	m.Update(collect(t, m.picker.start(), isType(discoveredMsg{})))
	checkNoInjection(t, m.render(), "picker listing vhosts")
	m.Update(collect(t, press(m, "enter"), isType(discoveredMsg{}))) // the evil vhost; its queues
	checkNoInjection(t, m.render(), "picker listing queues")
	press(m, "space", "enter")
	checkNoInjection(t, m.render(), "picker asking the mode")
	press(m, "enter") // firehose
	if m.picker != nil || len(m.env.names) != 1 || m.env.names[0] != evil {
		t.Fatalf("the evil names were not picked (%q): the test shows less than it should", m.env.names)
	}
	m.env.store.Sink(nil)(hostileMsg([]byte("x")))
	m.rates.perQueue = map[string]float64{evil: 2}
	m.Update(frameMsg{})
	checkNoInjection(t, m.render(), "header and status bar")
}
