package ui

import (
	"strings"
	"testing"

	"mqscope/observe"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var testReadOnly = &observe.ReadOnly{Leave: "run mqscope without --read-only"}

func TestHeaderShowsReadOnly(t *testing.T) {
	m, _ := testModel(t, 120, 30, "dark", 2)
	if strings.Contains(headerLine(m), "READ-ONLY") {
		t.Fatal("the header says READ-ONLY without read-only mode")
	}
	m.env.readOnly = testReadOnly
	// The narrowest screen: the session names give way, the badge does not.
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 15})
	if plain := ansi.Strip(headerLine(m)); !strings.Contains(plain, "READ-ONLY ● connected") {
		t.Errorf("header = %q, want READ-ONLY next to the connection state", plain)
	}
}

// TestReadOnlyComposeSendsNothing: c, ctrl+s and ctrl+r say read-only and
// how to leave it, and no request is made.
func TestReadOnlyComposeSendsNothing(t *testing.T) {
	m, req := testModel(t, 120, 30, "dark", 2)
	m.env.readOnly = testReadOnly
	want := "read-only: compose would publish requests; to leave read-only mode, run mqscope without --read-only"
	press(m, "c")
	if m.mode == modeCompose || !m.status.isErr || m.status.text != want {
		t.Fatalf("c: mode %v, status %q; want compose refused with %q", m.mode, m.status.text, want)
	}
	// Compose already open when read-only mode applies: send and re-send
	// are refused all the same.
	m.env.readOnly = nil
	press(m, "c")
	m.env.readOnly = testReadOnly
	for _, k := range []string{"ctrl+s", "ctrl+r"} {
		m.status.text = ""
		press(m, k)
		if m.status.text != want {
			t.Errorf("%s: status %q, want %q", k, m.status.text, want)
		}
	}
	if len(req.queues) != 0 {
		t.Fatalf("%d requests were sent", len(req.queues))
	}
}

// TestReadOnlyPickerOffersNeitherConsumeNorPeek: the mode step offers
// only what read-only allows and says why; a mode asked for on the
// command line is refused with the reason.
func TestReadOnlyPickerOffersNeitherConsumeNorPeek(t *testing.T) {
	cfg := testConfig()
	cfg.ReadOnly = testReadOnly
	m, _ := testModel(t, 100, 30, "dark", 0)
	m.openPicker(newPicker(cfg, pickChoice{service: "mq_handler", vhost: "/v", watch: []string{"q"}}, nil, nil))
	var started []pickChoice
	m.env.start = func(ch pickChoice, _ []observe.WatchSpec, _ int) tea.Cmd { started = append(started, ch); return nil }
	m.picker.start()
	if s := viewText(m); strings.Contains(s, "consume") && !strings.Contains(s, "peek and consume are not offered") || strings.Contains(s, "get + requeue") {
		t.Fatalf("the read-only mode step:\n%s", s)
	}
	press(m, "down", "enter") // nothing below firehose: still firehose
	if m.picker != nil || len(started) != 1 || started[0].mode != "firehose" {
		t.Fatalf("sessions started: %+v, want one, with firehose", started)
	}
	m.openPicker(newPicker(cfg, pickChoice{service: "mq_handler", vhost: "/v", watch: []string{"q"}, mode: "peek"}, nil, nil))
	m.picker.start()
	if m.picker == nil || m.picker.step != stepMode || !strings.HasPrefix(m.picker.note, "read-only: peek takes messages") {
		t.Fatalf("a preset peek: picker %+v, want it refused with the reason", m.picker)
	}
}

func TestReadOnlyFooterOffersOnlyWhatWorks(t *testing.T) {
	m, _ := testModel(t, 200, 30, "dark", 2)
	if !strings.Contains(ansi.Strip(m.renderFooter()), "c compose") {
		t.Fatalf("the footer does not offer compose: %q", ansi.Strip(m.renderFooter()))
	}
	m.env.readOnly = testReadOnly
	if footer := ansi.Strip(m.renderFooter()); strings.Contains(footer, "compose") || !strings.Contains(footer, "/ filter") {
		t.Fatalf("read-only footer = %q: want compose left out, the rest kept", footer)
	}
}
