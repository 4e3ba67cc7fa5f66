package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
)

func TestListFollowsTailUntilScrolledUp(t *testing.T) {
	m, _ := testModel(t, 120, 40, "dark", 10)
	last := m.view.Len() - 1
	if m.list.cursor != last || !m.list.follow {
		t.Fatalf("cursor %d follow %v, want the newest row %d and following", m.list.cursor, m.list.follow, last)
	}
	press(m, "k")
	if m.list.follow || m.list.cursor != last-1 {
		t.Fatalf("after k: cursor %d follow %v, want %d and not following", m.list.cursor, m.list.follow, last-1)
	}
	held := m.list.selSeq
	fillStore(m.env.store, 3)
	m.Update(frameMsg{})
	if m.list.selSeq != held {
		t.Fatalf("new messages moved the selection from seq %d to %d while scrolled up", held, m.list.selSeq)
	}
	press(m, "G")
	if !m.list.follow || m.list.cursor != m.view.Len()-1 {
		t.Fatalf("G: cursor %d of %d follow %v, want the tail", m.list.cursor, m.view.Len(), m.list.follow)
	}
}

func TestMovingDownToTheNewestRowResumesFollowing(t *testing.T) {
	m, _ := testModel(t, 120, 40, "dark", 5)
	press(m, "k", "k", "j")
	if m.list.follow {
		t.Fatal("one row above the tail should not follow")
	}
	press(m, "j")
	if !m.list.follow {
		t.Fatal("reaching the newest row should follow again")
	}
}

func TestTopKeySelectsOldest(t *testing.T) {
	m, _ := testModel(t, 120, 40, "dark", 30)
	press(m, "g")
	if m.list.cursor != 0 || m.list.offset != 0 || m.list.follow {
		t.Fatalf("g: cursor %d offset %d follow %v", m.list.cursor, m.list.offset, m.list.follow)
	}
}

func TestSpacePausesAndResumesTheList(t *testing.T) {
	m, _ := testModel(t, 120, 40, "dark", 5)
	before := m.list.total
	press(m, "space")
	fillStore(m.env.store, 2)
	m.Update(frameMsg{})
	if !m.paused || m.list.total != before {
		t.Fatalf("paused %v, rows %d, want paused at %d rows", m.paused, m.list.total, before)
	}
	if !strings.Contains(screen(m), "paused") {
		t.Fatal("the header should say the list is paused")
	}
	press(m, "space")
	if m.paused || m.list.total != m.env.store.Len() {
		t.Fatalf("resumed: rows %d, store %d", m.list.total, m.env.store.Len())
	}
}

func TestClearEmptiesTheListAndStore(t *testing.T) {
	m, _ := testModel(t, 120, 40, "dark", 5)
	press(m, "x")
	m.Update(frameMsg{})
	if m.env.store.Len() != 0 || m.list.total != 0 || m.list.selSeq != 0 {
		t.Fatalf("after x: store %d rows %d selected %d", m.env.store.Len(), m.list.total, m.list.selSeq)
	}
}

func TestFilterNarrowsListAndHeaderShowsMatchCount(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 4)
	press(m, "/")
	if m.mode != modeFilter {
		t.Fatal("/ should open the filter line")
	}
	typeText(m, "queue:neon_api_input")
	press(m, "enter")
	if m.mode != modeList {
		t.Fatalf("enter should apply a valid filter (error %q)", m.filterErr)
	}
	if m.list.total != 4 {
		t.Fatalf("filter matched %d rows, want the 4 requests", m.list.total)
	}
	if s := screen(m); !strings.Contains(s, "/queue:neon_api_input 4 matches") {
		t.Fatalf("header should show the filter and its count:\n%s", s)
	}
	press(m, "/")
	press(m, "ctrl+a", "ctrl+k", "enter") // empty query: everything again
	if m.view.Filter() != nil || m.list.total != m.env.store.Len() {
		t.Fatalf("an empty filter should show all %d rows, got %d", m.env.store.Len(), m.list.total)
	}
}

func TestBadFilterKeepsFilterOpenWithError(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 2)
	press(m, "/")
	typeText(m, "nosuchfield:x")
	press(m, "enter")
	if m.mode != modeFilter || m.filterErr == "" {
		t.Fatalf("mode %v error %q, want the line kept open with the error", m.mode, m.filterErr)
	}
	if !strings.Contains(screen(m), `unknown field "nosuchfield"`) {
		t.Fatal("the filter error should be on screen")
	}
	press(m, "esc")
	if m.mode != modeList || m.view.Filter() != nil {
		t.Fatal("esc should close the filter line and keep the old (empty) filter")
	}
}

func TestTabCyclesPanesAndArrowsSwitchDetailTabs(t *testing.T) {
	m, _ := testModel(t, 120, 40, "dark", 2)
	press(m, "tab")
	if m.mode != modeDetail {
		t.Fatalf("tab: mode %v, want detail", m.mode)
	}
	press(m, "l", "l")
	if m.detail.tab != tabHex {
		t.Fatalf("two right presses: tab %v, want Hex", m.detail.tab)
	}
	press(m, "h", "h", "h")
	if m.detail.tab != tabPair {
		t.Fatalf("left past the first tab should wrap to Pair, got %v", m.detail.tab)
	}
	press(m, "esc")
	if m.mode != modeList {
		t.Fatal("esc should return to the list")
	}
}

func TestHelpOpensScrollsAndAnyOtherKeyClosesIt(t *testing.T) {
	m, _ := testModel(t, 120, 40, "dark", 2)
	press(m, "?")
	s := screen(m)
	for _, want := range []string{"mqscope keys", "copy body (JSON)", "ctrl+s", "next theme", "re-send request", "service board"} {
		if !strings.Contains(s, want) {
			t.Fatalf("full help lacks %q:\n%s", want, s)
		}
	}
	press(m, "x")
	if m.mode != modeList {
		t.Fatal("a key should close the help")
	}
	// A screen too short for all of it: j scrolls to the last line, the
	// legend of the verdict markers, and then any other key closes.
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "?")
	if s := screen(m); !strings.Contains(s, "j/k/pgdn scroll") || strings.Contains(s, "verdict marker") {
		t.Fatalf("a help longer than the screen should say it scrolls:\n%s", s)
	}
	for range 60 {
		press(m, "j")
	}
	if s := screen(m); m.mode != modeHelp || !strings.Contains(s, "verdict marker") {
		t.Fatalf("j should scroll the help to its end:\n%s", s)
	}
	press(m, "esc")
	if m.mode != modeList || m.helpScroll != 0 {
		t.Fatal("esc should close the help and forget its scroll")
	}
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		m, _ := testModel(t, 120, 40, "dark", 1)
		if msg := collect(t, press(m, k), isType(tea.QuitMsg{})); msg == nil {
			t.Fatalf("%s should quit", k)
		}
	}
}

func TestThemeKeyCyclesAndStopsFollowingBackground(t *testing.T) {
	m, _ := testModel(t, 120, 40, "", 1)
	m.Update(tea.BackgroundColorMsg{Color: white})
	if m.st.Palette.Name != "light" {
		t.Fatalf("auto theme on a white background: %q, want light", m.st.Palette.Name)
	}
	press(m, "t")
	if m.st.Palette.Name != "high-contrast" {
		t.Fatalf("t after light: %q, want high-contrast", m.st.Palette.Name)
	}
	m.Update(tea.BackgroundColorMsg{Color: black})
	if m.st.Palette.Name != "high-contrast" {
		t.Fatal("a chosen theme must not change with the background")
	}
}

func TestExplicitThemeIgnoresBackgroundAndNoColorWins(t *testing.T) {
	m, _ := testModel(t, 120, 40, "colorblind", 1)
	m.Update(tea.BackgroundColorMsg{Color: white})
	if m.st.Palette.Name != "colorblind" {
		t.Fatalf("theme %q, want the one asked for", m.st.Palette.Name)
	}
	e := m.env
	e.noColor = true
	if p := initialPalette(e); !p.IsMono() {
		t.Fatalf("NO_COLOR: palette %q, want mono", p.Name)
	}
}

func TestConnectionFailureShowsOneClearLine(t *testing.T) {
	m, _ := testModel(t, 140, 40, "dark", 1)
	m.Update(sessionMsg{err: errors.New(`login refused for user "neon" (service "neon_api") on 127.0.0.1:5672: check the password in the config`)})
	s := screen(m)
	if !strings.Contains(s, "✖ cannot start: login refused") || !strings.Contains(s, "not connected") {
		t.Fatalf("the failure should be on screen with the state:\n%s", s)
	}
	m.Update(sessionMsg{})
	m.Update(eventsMsg{stateMsg{state: connector.State{Worker: "firehose /neon_api neon_api_input", Kind: connector.StateFailed,
		Err: errors.New(`user "neon" has no permission to read queue "amq.rabbitmq.trace"`)}}})
	if s := screen(m); !strings.Contains(s, "✖ firehose /neon_api neon_api_input failed: user \"neon\" has no permission") ||
		!strings.Contains(s, "(w starts it again)") {
		t.Fatalf("a failed watch should be named with its reason and how to start it again:\n%s", s)
	}
}

func TestUnroutableRowStandsOut(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 1)
	if s := screen(m); !strings.Contains(s, "✗ no route") {
		t.Fatalf("the unroutable message should be marked:\n%s", s)
	}
}

func TestPairMarkersShowLatency(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 1)
	s := screen(m)
	if !strings.Contains(s, "⇄ 12.3ms") || !strings.Contains(s, "↩ 12.3ms") {
		t.Fatalf("request and reply should carry the latency:\n%s", s)
	}
}

func TestMouseWheelScrollsTheList(t *testing.T) {
	m, _ := testModel(t, 120, 40, "dark", 10)
	at := m.list.cursor
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp, Y: 3})
	if m.list.cursor != at-3 || m.list.follow {
		t.Fatalf("wheel up: cursor %d, want %d and not following", m.list.cursor, at-3)
	}
}

func TestLongConnectionErrorWrapsSoTheAdviceShows(t *testing.T) {
	m, _ := testModel(t, 60, 20, "dark", 1)
	m.Update(sessionMsg{err: errors.New(`vhost "/neon_api" does not exist on 127.0.0.1:5672: create it (rabbitmqctl add_vhost /neon_api) or pick another`)})
	s := screen(m)
	if !strings.Contains(s, "or pick another") {
		t.Fatalf("the end of the message (what to do) should be on screen:\n%s", s)
	}
	checkFrame(t, m, "wrapped alert")
}
