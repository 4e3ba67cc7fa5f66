package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mqscope/capture"
	"mqscope/connector"
)

func TestRatesCountEachMessageOnceOverallAndPerWatchedQueue(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 0)
	press(m, "x") // a store with nothing the fill below repeats
	m.Update(rateTickMsg{at: t0})
	fillStore(m.env.store, 4) // 4 requests to neon_api_input, 12 messages in all
	m.Update(frameMsg{})
	m.Update(rateTickMsg{at: t0.Add(2 * time.Second)})
	if m.rates.overall != 6 || m.rates.perQueue["neon_api_input"] != 2 {
		t.Fatalf("overall %.1f/s, neon_api_input %.1f/s; want 6 and 2", m.rates.overall, m.rates.perQueue["neon_api_input"])
	}
	// The parts add up to the whole, and each says what it counts.
	if s := screen(m); !strings.Contains(s, "6.0 rows/s = neon_api_input 2.0 + replies 2.0 + other 2.0") {
		t.Fatalf("the status bar should show the rate as the sum of its parts:\n%s", s)
	}
}

// TestRatesSplitDeliveriesFromNewMessages counts the firehose's deliver of
// a message apart from its publish, so that the rows per second add up.
func TestRatesSplitDeliveriesFromNewMessages(t *testing.T) {
	m, _ := testModel(t, 200, 40, "dark", 0)
	m.Update(rateTickMsg{at: t0})
	sink := m.env.store.Sink(nil)
	for i := range 4 {
		pub := neonMsg(t0, "neon_api_input", dict("service", "api_test_endpoint", "message_id", fmt.Sprintf("%032x", i)))
		del := pub
		del.Event = capture.EventDeliver
		sink(pub)
		sink(del)
	}
	m.Update(frameMsg{})
	m.Update(rateTickMsg{at: t0.Add(2 * time.Second)})
	if s := screen(m); !strings.Contains(s, "4.0 rows/s = neon_api_input 2.0 + deliver 2.0") {
		t.Fatalf("want publishes and delivers apart, adding up:\n%s", s)
	}
}

func TestRatesAverageSparseTrafficOverTheWindow(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 0)
	m.Update(rateTickMsg{at: t0})
	// One request every three seconds for the whole window: a one-second
	// window would show 0 or 1 per second, never the rate.
	sink := m.env.store.Sink(nil)
	for sec := 1; sec <= rateWindow; sec++ {
		if sec%3 == 0 {
			id := fmt.Sprintf("%032x", sec)
			sink(neonMsg(t0, "neon_api_input", dict("service", "api_test_endpoint", "message_id", id)))
			m.Update(frameMsg{})
		}
		m.Update(rateTickMsg{at: t0.Add(time.Duration(sec) * time.Second)})
	}
	if got := m.rates.perQueue["neon_api_input"]; got < 0.29 || got > 0.31 {
		t.Fatalf("neon_api_input %.3f/s, want 0.3 (3 requests in 10 s)", got)
	}
	if got := m.rates.overall; got < 0.29 || got > 0.31 {
		t.Fatalf("overall %.3f/s, want 0.3", got)
	}
}

func TestStateEventsReachTheHeaderInOrder(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 0)
	q := m.env.events
	q.push(stateMsg{state: connector.State{Worker: "w", Kind: connector.StateReconnecting, Retry: time.Second}})
	q.push(stateMsg{state: connector.State{Worker: "w", Kind: connector.StateConnected}})
	msg := collect(t, q.wait(m.env.ctx), isType(eventsMsg{}))
	if n := len(msg.(eventsMsg)); n != 2 {
		t.Fatalf("drained %d events, want both", n)
	}
	m.Update(msg)
	if s := screen(m); !strings.Contains(s, "● connected") || strings.Contains(s, "reconnecting") {
		t.Fatalf("the latest state should win:\n%s", s)
	}
}

func TestStoreChangeSchedulesOneFrame(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 0)
	_, cmd := m.Update(storeChangedMsg{})
	if _, ok := collect(t, cmd, isType(frameMsg{})).(frameMsg); !ok {
		t.Fatal("a change should lead to a frame tick")
	}
	_, cmd = m.Update(frameMsg{})
	fillStore(m.env.store, 1)
	if _, ok := collect(t, cmd, isType(storeChangedMsg{})).(storeChangedMsg); !ok {
		t.Fatal("after a frame the model should wait for the next change")
	}
}

func TestRatesCountVerdictRowsSoThePartsAddUpToTheRows(t *testing.T) {
	m, _ := testModel(t, 200, 40, "dark", 0)
	m.Update(rateTickMsg{at: t0})
	sink := m.env.store.Sink(nil)
	for i := range 4 {
		sink(neonMsg(t0, "neon_api_input", dict("service", "api_test_endpoint", "message_id", fmt.Sprintf("%032x", i))))
		sink(capture.Message{Time: t0, Event: capture.EventVerdict, Queue: "neon_api_input", Body: []byte("replied")})
	}
	m.Update(frameMsg{})
	m.Update(rateTickMsg{at: t0.Add(2 * time.Second)})
	if s := screen(m); !strings.Contains(s, "4.0 rows/s = neon_api_input 2.0 + verdicts 2.0") {
		t.Fatalf("want verdict rows counted apart, adding up:\n%s", s)
	}
}

func TestFramesSlowDownDuringABurst(t *testing.T) {
	if frameEvery(10) != frameInterval || frameEvery(burstFrameRows+1) != burstFrameInterval {
		t.Fatalf("frameEvery: %v for a trickle, %v for a burst", frameEvery(10), frameEvery(burstFrameRows+1))
	}
	m, _ := testModel(t, 120, 30, "dark", 0)
	sink := m.env.store.Sink(nil)
	for i := range burstFrameRows + 5 {
		sink(neonMsg(t0, "neon_api_input", dict("service", "x", "message_id", fmt.Sprintf("%032x", i))))
	}
	m.Update(frameMsg{at: t0})
	if m.frames.every != burstFrameInterval {
		t.Fatalf("after %d rows in one frame the next comes in %v", burstFrameRows+5, m.frames.every)
	}
	m.Update(frameMsg{at: t0})
	if m.frames.every != frameInterval {
		t.Fatalf("after a quiet frame the next comes in %v", m.frames.every)
	}
}

// TestTheStoreSignalAloneDoesNotRedraw: Bubble Tea asks for the view after
// every message; the store's change signal changes nothing on screen, so
// the last frame is given again, and the frame it leads to draws anew.
func TestTheStoreSignalAloneDoesNotRedraw(t *testing.T) {
	m, _ := testModel(t, 120, 30, "dark", 1)
	before := m.View().Content
	m.env.readOnly = testReadOnly // read only when drawing
	m.Update(storeChangedMsg{})
	if m.View().Content != before {
		t.Fatal("the store's change signal drew a new frame")
	}
	m.Update(frameMsg{at: t0})
	if !strings.Contains(ansi.Strip(m.View().Content), "READ-ONLY") {
		t.Fatal("the frame did not draw anew")
	}
}
