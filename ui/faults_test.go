package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"mqscope/capture"

	"mqscope/connector"
)

// errForced is the reason RabbitMQ gives when an operator closes a connection.
var errForced = errors.New("connection closed by broker: CONNECTION_FORCED - Closed via management plugin")

func TestReconnectingCountsDownToTheNextAttempt(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 1)
	now := m.env.now()
	worker := "firehose /neon_api neon_api_input"
	m.Update(eventsMsg{stateMsg{state: connector.State{Worker: worker, Kind: connector.StateReconnecting, Err: errForced,
		Retry: 2500 * time.Millisecond, Time: now.Add(-time.Second)}}})
	s := screen(m)
	if !strings.Contains(s, "↻ "+worker+" reconnecting in 2s: connection closed by broker: CONNECTION_FORCED") {
		t.Fatalf("the alert should count down to the next attempt and say why:\n%s", s)
	}
	if !strings.Contains(s, "↻ firehose reconnecting") {
		t.Fatalf("the header should say reconnecting:\n%s", s)
	}
	for at, want := range map[time.Duration]string{
		1200 * time.Millisecond: "reconnecting in 0.3s:",
		1600 * time.Millisecond: "reconnecting…:",
	} {
		m.env.now = func() time.Time { return now.Add(at) }
		if s := screen(m); !strings.Contains(s, worker+" "+want) {
			t.Fatalf("%s after the drop the alert should say %q:\n%s", at, want, s)
		}
	}
}

func TestReconnectedIsSaidOnceEveryWorkerIsBack(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 1)
	t1 := t0.Add(time.Minute)
	for _, w := range []string{"requests /neon_api", "firehose /neon_api"} {
		m.Update(eventsMsg{stateMsg{state: connector.State{Worker: w, Kind: connector.StateReconnecting, Err: errForced, Retry: time.Second, Time: t1}}})
	}
	m.Update(eventsMsg{stateMsg{state: connector.State{Worker: "requests /neon_api", Kind: connector.StateConnected, Time: t1.Add(time.Second)}}})
	if s := screen(m); strings.Contains(s, "reconnected") || !strings.Contains(s, "↻ firehose /neon_api reconnecting") {
		t.Fatalf("one worker is still down:\n%s", s)
	}
	m.Update(eventsMsg{stateMsg{state: connector.State{Worker: "firehose /neon_api", Kind: connector.StateConnected, Time: t1.Add(1400 * time.Millisecond)}}})
	s := screen(m)
	if !strings.Contains(s, "● reconnected after 1.4s") || !strings.Contains(s, "● connected") || strings.Contains(s, "↻") {
		t.Fatalf("all back: the status bar should say after how long, and the alert go:\n%s", s)
	}
}

func TestConnectionStatesNeverBreakTheScreen(t *testing.T) {
	odd := []connector.State{
		{Kind: connector.StateReconnecting},
		{Worker: "w", Kind: connector.StateFailed},
		{Worker: "w\nwith\tcontrols\x1b[31m", Kind: connector.StateReconnecting, Err: errors.New("line one\nline two\x1b[2J"), Retry: -time.Second},
		{Worker: "long", Kind: connector.StateReconnecting, Err: errors.New(strings.Repeat("very long reason ", 40)), Retry: 1000 * time.Hour},
		{Worker: "odd", Kind: "sideways", Err: errForced},
		{Worker: "closed", Kind: connector.StateClosed},
	}
	for _, size := range [][2]int{{160, 40}, {60, 15}, {20, 5}, {1, 1}} {
		m, _ := testModel(t, size[0], size[1], "dark", 1)
		for _, s := range odd {
			m.Update(eventsMsg{stateMsg{state: s}})
			checkFrame(t, m, "odd state")
		}
	}
}

func TestGapRowStandsOutAcrossTheList(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 1)
	from := t0.Add(5 * time.Second)
	g := capture.Gap{Watch: "firehose /neon_api", From: from, To: from.Add(7 * time.Second), Reason: "private queue lost"}
	m.env.store.Append(g.Marker("/neon_api", "", "", capture.ModeFirehose))
	m.Update(frameMsg{at: t0})
	press(m, "k") // off the marker, so it is drawn in its own colour
	want := "── gap: firehose /neon_api not watching from 15:09:31 to 15:09:38 (private queue lost) ──"
	var row string
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, "── gap:") {
			row = l
		}
	}
	if !strings.HasPrefix(row, want) || !strings.HasSuffix(strings.TrimRight(row, " "), "───") {
		t.Fatalf("the gap should be one marked row across the list, got %q", row)
	}
	checkFrame(t, m, "gap row")
	m.rates.observe(m.env.store)
	if n := m.rates.counts["neon_api_input"]; n != 1 {
		t.Fatalf("rates counted %d messages on neon_api_input, want 1: a gap is no message", n)
	}
}
