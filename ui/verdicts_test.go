package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"mqscope/capture"
	"mqscope/store"
	"mqscope/verdict"
)

// Reply queues of the verdict fixture.
const (
	rqOK    = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
	rqError = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2"
	rqLost  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3"
)

// verdictModel is a model over three requests (replied, error_reply, and
// one never delivered) with a follower that has decided them all.
func verdictModel(t *testing.T, width, height int) *Model {
	t.Helper()
	m, _ := testModel(t, width, height, "dark", 0)
	m.env.store.Clear()
	m.verdicts.reset()
	sink := m.env.store.Sink(nil)
	m.env.verdicts = verdict.NewFollower(verdict.NewTracker(verdict.Options{ReplyWindow: 5 * time.Second}), sink)
	req := func(at time.Duration, rq, id string) {
		sink(neonMsg(t0.Add(at), "neon_api_input", dict("service", "api_test_endpoint", "routing_key", rq, "message_id", id)))
	}
	deliver := func(at time.Duration, rq, id string) {
		d := neonMsg(t0.Add(at), "neon_api_input", dict("service", "api_test_endpoint", "routing_key", rq, "message_id", id))
		d.Event, d.Headers = capture.EventDeliver, map[string]any{"x-trace-connection": "127.0.0.1:41234 -> 127.0.0.1:5672"}
		sink(d)
	}
	req(0, rqOK, "id-ok")
	deliver(time.Millisecond, rqOK, "id-ok")
	sink(neonMsg(t0.Add(9*time.Millisecond), rqOK, dict("status_code", int64(200), "content", "Success", "message_id", "id-ok")))
	req(100*time.Millisecond, rqError, "id-error")
	deliver(101*time.Millisecond, rqError, "id-error")
	sink(neonMsg(t0.Add(120*time.Millisecond), rqError, dict("status_code", int64(404), "error", "User does not exist", "message_id", "id-error")))
	req(200*time.Millisecond, rqLost, "id-lost")
	m.env.verdicts.Pull(m.env.store, t0.Add(time.Minute))
	m.Update(frameMsg{at: t0})
	return m
}

// rowWith selects the first row whose text holds s.
func rowWith(t *testing.T, m *Model, s string) {
	t.Helper()
	press(m, "g")
	for range m.list.total {
		if e, _ := m.selected(); e != nil && strings.Contains(ansiRow(m, e), s) {
			return
		}
		press(m, "j")
	}
	t.Fatalf("no row holds %q:\n%s", s, screen(m))
}

// ansiRow is a row's plain text as the list draws it.
func ansiRow(m *Model, e *store.Entry) string {
	cols, sum := listColumns(200, len(timeOfDay))
	return m.list.plainRow(e, cols, sum, m.rowCtx())
}

func TestVerdictMarkersOnRequestRowsAndReadableVerdictRows(t *testing.T) {
	m := verdictModel(t, 150, 40)
	rows := m.view.Range(0, m.view.Len())
	marks := map[string]string{}
	var verdictRows []string
	for i := range rows {
		e := &rows[i]
		text := ansiRow(m, e)
		if isRequestRow(e) {
			marks[e.MessageID] = cellText(e, verdictColumn, m.rowCtx())
		}
		if e.Msg.Event == capture.EventVerdict {
			verdictRows = append(verdictRows, text)
		}
	}
	want := map[string]string{"id-ok": "✓", "id-error": "✗", "id-lost": "∅"}
	for id, g := range want {
		if marks[id] != g {
			t.Errorf("marker of %s = %q, want %q (all: %q)", id, marks[id], g, marks)
		}
	}
	if len(verdictRows) != 3 {
		t.Fatalf("%d verdict rows, want 3: %q", len(verdictRows), verdictRows)
	}
	for i, want := range []string{"V ✓", "V ✗", "V ∅"} {
		if !strings.Contains(verdictRows[i], want) {
			t.Errorf("verdict row %d %q lacks %q", i, verdictRows[i], want)
		}
	}
	if !strings.Contains(verdictRows[0], "replied: replied in 9 ms") || !strings.Contains(verdictRows[0], "⇄ 9.00ms") {
		t.Errorf("replied row does not say its code, detail and latency: %q", verdictRows[0])
	}
	if !strings.Contains(verdictRows[2], "expired: routed to") {
		t.Errorf("the undelivered request is not expired: %q", verdictRows[2])
	}
}

// TestVerdictMarkerKeptAtEveryWidth: at 60 columns the list drops columns
// but keeps the event and verdict markers.
func TestVerdictMarkerKeptAtEveryWidth(t *testing.T) {
	for _, w := range []int{60, 80, 150} {
		cols, _ := listColumns(w, len(timeOfDay))
		var titles []string
		for _, c := range cols {
			titles = append(titles, c.title)
		}
		if !strings.Contains(strings.Join(titles, ","), ","+verdictColumn+",") {
			t.Errorf("width %d: columns %q lack the verdict marker", w, titles)
		}
	}
	m := verdictModel(t, 60, 15)
	press(m, "g")
	if s := screen(m); !strings.Contains(s, "P ✓ ") || !strings.Contains(s, "P ✗ ") {
		t.Errorf("markers missing at 60x15:\n%s", s)
	}
}

func TestVerdictRowJumpsAndComposesFromItsRequest(t *testing.T) {
	m := verdictModel(t, 150, 40)
	rowWith(t, m, "error_reply:")
	press(m, "p")
	if e, _ := m.selected(); e == nil || e.MessageID != "id-error" || !isRequestRow(e) {
		t.Fatalf("p on a verdict row selected %+v, want the request id-error", e)
	}
	rowWith(t, m, "error_reply:")
	press(m, "c")
	if q := m.compose.queue(); q != "neon_api_input" {
		t.Errorf("compose from a verdict row targets %q, want neon_api_input", q)
	}
	if s := screen(m); !strings.Contains(s, "of the selected verdict") || !strings.Contains(s, "id-error on neon_api_input") {
		t.Errorf("compose does not start from the verdict's request:\n%s\nbody %s", s, m.compose.body.Value())
	}
}

func TestVerdictFilters(t *testing.T) {
	m := verdictModel(t, 150, 40)
	press(m, "/")
	typeText(m, "verdict:expired")
	press(m, "enter")
	if m.list.total != 1 {
		t.Fatalf("verdict:expired shows %d rows, want 1:\n%s", m.list.total, screen(m))
	}
	m.applyFilter("event:verdict")
	if m.list.total != 3 {
		t.Fatalf("event:verdict shows %d rows, want 3", m.list.total)
	}
}

// TestPairTabTimeline: a request, its reply and its verdict row all show
// the request's timeline: published, delivered to which connection, the
// reply and the verdict.
func TestPairTabTimeline(t *testing.T) {
	m := verdictModel(t, 150, 40)
	press(m, "l", "l", "l", "l")
	for _, row := range []string{"id-ok", "status_code\":200", "replied:"} {
		rowWith(t, m, row)
		s := screen(m)
		for _, want := range []string{"timeline id-ok", `published to "neon_api_input" in "/neon_api"`,
			`request delivered from "neon_api_input" to connection "127.0.0.1:41234 -> 127.0.0.1:5672"`,
			`reply published to "` + rqOK + `" after 9 ms`, "verdict replied: replied in 9 ms"} {
			if !strings.Contains(s, want) {
				t.Errorf("Pair tab of the row %q lacks %q:\n%s", row, want, s)
			}
		}
	}
}

// TestFollowerLeavesTheListItsWakeUp: the follower reads by its own
// cursor; its rows wake the list, which is the only reader of Changed.
func TestFollowerLeavesTheListItsWakeUp(t *testing.T) {
	m := verdictModel(t, 80, 24)
	for len(m.env.store.Changed()) > 0 {
		<-m.env.store.Changed()
	}
	m.env.store.Sink(nil)(neonMsg(t0.Add(time.Second), "neon_api_input", dict("routing_key", rqLost, "message_id", "id-4")))
	<-m.env.store.Changed()
	m.env.verdicts.Pull(m.env.store, t0.Add(2*time.Minute))
	select {
	case <-m.env.store.Changed():
	default:
		t.Fatal("the follower's verdict row did not signal the list")
	}
}

// TestTimelineIsCachedPerRequest: frames do not scan the store again
// while nothing changes.
func TestTimelineIsCachedPerRequest(t *testing.T) {
	m := verdictModel(t, 80, 24)
	press(m, "l", "l", "l", "l")
	rowWith(t, m, "id-ok")
	m.render()
	v := m.timelines.version
	m.render()
	m.render()
	if m.timelines.version != v {
		t.Fatalf("the timeline was put together again on an unchanged frame (%d → %d)", v, m.timelines.version)
	}
	rowWith(t, m, "id-error")
	m.render()
	if m.timelines.version == v {
		t.Fatal("another request kept the old timeline")
	}
}

// TestGoldenVerdicts pins the markers and the Pair tab's timeline at
// 60×15, 80×24 and 150×40. Refresh with:
// go test ./ui -run TestGoldenVerdicts -update
func TestGoldenVerdicts(t *testing.T) {
	screens := map[string]func(m *Model){
		"list":     func(m *Model) { press(m, "g") },
		"timeline": func(m *Model) { press(m, "l", "l", "l", "l"); rowWith(t, m, "id-error") },
	}
	for name, setup := range screens {
		for _, sz := range goldenSizes {
			t.Run(fmt.Sprintf("%s/%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				m := verdictModel(t, sz[0], sz[1])
				setup(m)
				checkFrame(t, m, name)
				golden.RequireEqual(t, screen(m))
			})
		}
	}
}

// TestVerdictTickPullsAndRearms: the model's own tick runs the follower,
// whose verdict row reaches the list, and arms the next pull.
func TestVerdictTickPullsAndRearms(t *testing.T) {
	m := verdictModel(t, 80, 24)
	bad := neonMsg(t0.Add(time.Second), "no_such_queue", dict("routing_key", rqLost, "message_id", "id-unroutable"))
	bad.Unroutable, bad.RoutedQueues = true, nil
	m.env.store.Sink(nil)(bad)
	msg := collect(t, m.onVerdictTick(), isType(verdictTickMsg{}))
	if _, next := m.Update(msg); next == nil {
		t.Fatal("the verdict tick was not armed again")
	}
	m.Update(frameMsg{at: t0})
	m.applyFilter("verdict:unroutable")
	if m.list.total != 1 {
		t.Fatalf("the tick's pull added %d unroutable verdict rows, want 1", m.list.total)
	}
	if v, ok := m.verdicts.of(&m.view.Range(0, 1)[0]); !ok || v.MessageID != "id-unroutable" {
		t.Fatalf("verdict row %+v", v)
	}
}

func TestAVerdictRowIsMarkedVWhateverTheModeOfItsRequest(t *testing.T) {
	for _, mode := range []capture.Mode{capture.ModeFirehose, capture.ModeSent, capture.ModeReply} {
		m := capture.Message{Event: capture.EventVerdict, Mode: mode}
		if got := eventMarker(&m); got != "V" {
			t.Errorf("a verdict row of a %s request is marked %q, want V", mode, got)
		}
	}
}
