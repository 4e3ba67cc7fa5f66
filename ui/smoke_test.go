package ui

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"mqscope/store"
)

// TestProgramShowsLiveMessagesAndQuits runs the real Bubble Tea program:
// a message appended to the store while it runs reaches the screen
// through the change signal and frame tick, and q ends the program.
func TestProgramShowsLiveMessagesAndQuits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := store.New(store.Options{})
	fillStore(s, 2)
	m := newModel(env{
		ctx: ctx, store: s, events: newEventQueue(), service: "neon_api_connector", vhost: "/neon_api",
		names: []string{"neon_api_input"}, theme: "dark", loc: time.UTC, now: time.Now,
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor := func(text string) {
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("neon_api_input")
	s.Sink(nil)(neonMsg(time.Now(), "smoke_live_queue", dict("hello", "world")))
	waitFor("smoke_live_queue")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	final, ok := tm.FinalModel(t).(*Model)
	if !ok || final.list.total != s.Len() {
		t.Fatalf("final model %T saw %d of the %d messages", final, final.list.total, s.Len())
	}
}
