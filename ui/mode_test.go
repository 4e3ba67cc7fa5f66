package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// viewText is what View puts on the terminal, without colours.
func viewText(m *Model) string { return ansi.Strip(m.View().Content) }

// composeOnScreen reports whether the compose panel is drawn.
func composeOnScreen(m *Model) bool {
	s := viewText(m)
	return strings.Contains(s, "JSON or Python dict") || strings.Contains(s, "compose → ")
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// A paste into the picker's name field used to be dropped: only the filter
// and compose took pastes.
func TestPasteIntoPickerNameFieldLandsInTheField(t *testing.T) {
	m, started := pickerModel(t, pickChoice{})
	m.Update(tea.PasteMsg{Content: "neon_api_connector"})
	if got := m.picker.input.Value(); got != "neon_api_connector" {
		t.Fatalf("picker field %q after the paste, want the pasted name", got)
	}
	if !strings.Contains(viewText(m), "or type: neon_api_connector") {
		t.Fatalf("the pasted name is not on screen:\n%s", viewText(m))
	}
	press(m, "enter") // the typed service; its vhost comes from mqscope.services
	if m.picker == nil || m.picker.choice.service != "neon_api_connector" {
		t.Fatalf("enter after the paste chose %+v, want the pasted service", m.picker)
	}
	m.Update(tea.PasteMsg{Content: "/neon_api"})
	press(m, "enter")
	m.Update(tea.PasteMsg{Content: "neon_api_input"})
	press(m, "enter", "enter") // the watch, then firehose
	if m.picker != nil || started.vhost != "/neon_api" || len(started.watch) != 1 || started.watch[0] != "neon_api_input" {
		t.Fatalf("started %+v, want the pasted vhost and queue", *started)
	}
}

// One esc closes compose: it used to give the keyboard back to the list
// and leave the panel on screen, so a second esc was needed, and the next
// letter typed went nowhere visible.
func TestOneEscClosesComposeAndQIsNotTypedIntoItsBody(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	selectFirstRequest(m)
	press(m, "c")
	if m.mode != modeCompose || !composeOnScreen(m) {
		t.Fatalf("c: mode %v, compose on screen %v", m.mode, composeOnScreen(m))
	}
	body := m.compose.body.Value()
	press(m, "esc")
	if m.mode != modeList {
		t.Fatalf("esc from compose: mode %v, want the list", m.mode)
	}
	if composeOnScreen(m) {
		t.Fatalf("esc from compose left the panel on screen:\n%s", viewText(m))
	}
	if !strings.Contains(viewText(m), "Decoded") {
		t.Fatalf("the detail pane should be back under the list:\n%s", viewText(m))
	}
	if !isQuit(press(m, "q")) {
		t.Fatal("q right after esc should quit, as it does from the list")
	}
	if got := m.compose.body.Value(); got != body || strings.Contains(got, "q") {
		t.Fatalf("compose body %q after esc, q: want it untouched (%q)", got, body)
	}
	if m.filterInput.Value() != "" {
		t.Fatalf("q went into the filter line: %q", m.filterInput.Value())
	}
}

// TestPasteGoesWhereTheModeSays pastes in every mode: the text lands in
// the field of the mode that has one, and nowhere in the others.
func TestPasteGoesWhereTheModeSays(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	fields := func() string {
		return m.filterInput.Value() + "|" + m.compose.body.Value() + "|" + m.compose.inputs[fieldQueue].Value()
	}
	before := fields()
	for _, keys := range [][]string{nil, {"tab"}, {"esc", "?"}} {
		press(m, keys...)
		m.Update(tea.PasteMsg{Content: "pasted"})
		if fields() != before {
			t.Fatalf("paste in mode %v changed a field: %q", m.mode, fields())
		}
	}
	press(m, "esc", "/")
	m.Update(tea.PasteMsg{Content: "queue:x"})
	if m.filterInput.Value() != "queue:x" {
		t.Fatalf("paste in the filter: %q", m.filterInput.Value())
	}
	press(m, "esc", "c", "ctrl+a", "ctrl+k")
	m.compose.body.SetValue("")
	m.Update(tea.PasteMsg{Content: `{"q": 1}`})
	if m.compose.body.Value() != `{"q": 1}` || m.compose.value == nil {
		t.Fatalf("paste in compose: body %q (parsed %v)", m.compose.body.Value(), m.compose.value != nil)
	}
}

// TestFooterFollowsTheMode checks that route's footer is what is drawn in
// every mode.
func TestFooterFollowsTheMode(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	footer := func() string {
		lines := strings.Split(viewText(m), "\n")
		return lines[len(lines)-1]
	}
	cases := []struct {
		keys []string
		mode uiMode
		want string
	}{
		{nil, modeList, "compose"},
		{[]string{"tab"}, modeDetail, "copy wire body"},
		{[]string{"esc", "/"}, modeFilter, "apply"},
		{[]string{"esc", "?"}, modeHelp, "any other key close"},
		{[]string{"esc", "c"}, modeCompose, "send"},
	}
	for _, tc := range cases {
		press(m, tc.keys...)
		if m.mode != tc.mode || !strings.Contains(footer(), tc.want) {
			t.Fatalf("after %v: mode %v footer %q, want %v with %q", tc.keys, m.mode, footer(), tc.mode, tc.want)
		}
	}
	p, _ := pickerModel(t, pickChoice{})
	if !strings.Contains(viewText(p), "enter choose") {
		t.Fatalf("the picker's footer should come from its route:\n%s", viewText(p))
	}
}

// TestHelpAndFilterReturnToThePaneUnder opens the overlays from the detail
// pane: closing them gives the keyboard back to it.
func TestHelpAndFilterReturnToThePaneUnder(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	press(m, "tab", "?", "x")
	if m.mode != modeDetail {
		t.Fatalf("closing the help: mode %v, want detail", m.mode)
	}
	press(m, "/", "esc")
	if m.mode != modeDetail {
		t.Fatalf("closing the filter: mode %v, want detail", m.mode)
	}
}

// TestEveryModeHasARoute guards against a mode added without saying where
// its input goes.
func TestEveryModeHasARoute(t *testing.T) {
	for md := modePicker; md <= modeHelp; md++ {
		r := route(md)
		if r.key == nil || r.paste == nil || len(r.footer(newKeyMap())) == 0 || md.String() == "mode?" {
			t.Errorf("mode %d has no complete route", md)
		}
	}
}
