package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"mqscope/observe"
)

const orphanQ = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

// fakeBoard answers the board's questions with fixed rows and records
// what it was asked to change.
type fakeBoard struct {
	mu       sync.Mutex
	deleted  []string
	redrives []observe.RedriveOptions
}

func (f *fakeBoard) Board(_ context.Context, vhosts []string, _ map[string]string) (observe.Board, error) {
	v := vhosts[0]
	return observe.Board{Rows: []observe.BoardRow{
		{VHost: v, Queue: "neon_api_input", Service: "neon_api_connector", Kind: observe.KindService, Problems: []observe.Problem{observe.NoConsumer}},
		{VHost: v, Queue: "neon_llm_chatgpt_input", Service: "llm_chatgpt", Kind: observe.KindService, Consumers: 1, Ready: 40, Unacked: 3,
			PublishRate: 2.5, DeliverRate: 0.4, Problems: []observe.Problem{observe.Backlog, observe.StuckUnacked}},
		{VHost: v, Queue: orphanQ, Kind: observe.KindReply, Ready: 3, IdleSince: "2026-03-14T15:05:26.535+00:00",
			Problems: []observe.Problem{observe.OrphanReplyQueue}},
		{VHost: v, Queue: "neon_api_dead", Kind: observe.KindService, Consumers: 1, Ready: 5, Problems: []observe.Problem{}},
		{VHost: v, Queue: "neon_metrics_input", Service: "neon_metrics", Kind: observe.KindService, Consumers: 2, PublishRate: 1.2, DeliverRate: 1.2, Problems: []observe.Problem{}},
	}}, nil
}

func (f *fakeBoard) DeadLetterQueues(context.Context, string) (map[string]bool, error) {
	return map[string]bool{"neon_api_dead": true}, nil
}

func (f *fakeBoard) DeleteOrphanReplyQueue(_ context.Context, vhost, queue string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, vhost+" "+queue)
	return nil
}

func (f *fakeBoard) Redrive(_ context.Context, opts observe.RedriveOptions) (observe.RedriveResult, error) {
	f.mu.Lock()
	f.redrives = append(f.redrives, opts)
	f.mu.Unlock()
	res := observe.RedriveResult{Seen: 5, Moved: map[string]int{"neon_api_input": 4}, Skipped: map[string]int{}}
	if !opts.DryRun {
		res.Skipped["no x-death header: it was not dead-lettered"] = 1
		for range 5 {
			opts.Progress(true)
		}
	}
	return res, nil
}

// boardModel is the verdict fixture's model with the board open.
func boardModel(t *testing.T, width, height int) (*Model, *fakeBoard) {
	t.Helper()
	m := verdictModel(t, width, height)
	f := &fakeBoard{}
	m.env.boardBroker = func() boardBroker { return f }
	m.Update(collect(t, press(m, "b"), isType(boardLoadedMsg{})))
	return m, f
}

// boardRowOf moves the board's cursor to queue.
func boardRowOf(t *testing.T, m *Model, queue string) {
	t.Helper()
	for i, r := range m.board.board.Rows {
		if r.Queue == queue {
			m.board.cursor = i
			return
		}
	}
	t.Fatalf("no board row %q", queue)
}

func TestBoardShowsRowsProblemsAndSessionStats(t *testing.T) {
	m, _ := boardModel(t, 150, 40)
	if m.mode != modeBoard {
		t.Fatalf("b opened %v, want the board", m.mode)
	}
	s := flat(screen(m))
	for _, want := range []string{"service board /neon_api", "no_consumer", "backlog, stuck_unacked",
		"orphan_reply_queue (idle 5m0s, 3 messages)", "↺ neon_api_dead", "neon_api_connector", "33%", "9.00ms", "20.0ms"} {
		if !strings.Contains(s, want) {
			t.Errorf("board lacks %q:\n%s", want, s)
		}
	}
	press(m, "esc")
	if m.mode != modeList {
		t.Fatalf("esc from the board went to %v", m.mode)
	}
}

func TestBoardDeletesAnOrphanOnlyAfterConfirmation(t *testing.T) {
	m, f := boardModel(t, 80, 24)
	boardRowOf(t, m, "neon_api_input")
	press(m, "D")
	if m.board.confirm != nil || !strings.Contains(m.status.text, "orphan_reply_queue") {
		t.Fatalf("D on a service queue: confirm %+v, status %q", m.board.confirm, m.status.text)
	}
	boardRowOf(t, m, orphanQ)
	press(m, "D")
	if s := flat(screen(m)); !strings.Contains(s, orphanQ) || !strings.Contains(s, "3 messages in it") || !strings.Contains(s, "y deletes") {
		t.Fatalf("the confirmation does not say what goes:\n%s", s)
	}
	press(m, "n")
	if m.board.confirm != nil || len(f.deleted) != 0 {
		t.Fatalf("another key than y deleted it (%v)", f.deleted)
	}
	press(m, "D")
	msg := collect(t, press(m, "y"), isType(orphanDeletedMsg{}))
	m.Update(msg)
	if len(f.deleted) != 1 || f.deleted[0] != "/neon_api "+orphanQ {
		t.Fatalf("deleted %v", f.deleted)
	}
	if !strings.Contains(m.status.text, "deleted orphan reply queue") {
		t.Errorf("status after deleting: %q", m.status.text)
	}
}

func TestBoardRefusesChangesInReadOnlyMode(t *testing.T) {
	m, f := boardModel(t, 80, 24)
	m.env.readOnly = &observe.ReadOnly{Leave: "run mqscope without --read-only"}
	for _, k := range []struct{ queue, key string }{{orphanQ, "D"}, {"neon_api_dead", "M"}} {
		boardRowOf(t, m, k.queue)
		press(m, k.key)
		if m.board.confirm != nil || !strings.HasPrefix(m.status.text, "read-only: ") || !strings.Contains(m.status.text, "without --read-only") {
			t.Errorf("%s on %s in read-only mode: confirm %+v, status %q", k.key, k.queue, m.board.confirm, m.status.text)
		}
	}
	if len(f.deleted) != 0 || len(f.redrives) != 0 {
		t.Fatalf("read-only mode changed the broker: %v %v", f.deleted, f.redrives)
	}
}

func TestBoardRedrivesAfterSayingWhatGoesWhere(t *testing.T) {
	m, f := boardModel(t, 150, 40)
	boardRowOf(t, m, "neon_metrics_input")
	press(m, "M")
	if m.board.confirm != nil || len(f.redrives) != 0 {
		t.Fatal("M on a queue nothing dead-letters into offered a redrive")
	}
	boardRowOf(t, m, "neon_api_dead")
	m.Update(collect(t, press(m, "M"), isType(redrivePlannedMsg{})))
	if len(f.redrives) != 1 || !f.redrives[0].DryRun {
		t.Fatalf("the plan was not a dry run: %+v", f.redrives)
	}
	s := flat(screen(m))
	if !strings.Contains(s, `Redrive 4 messages from "neon_api_dead": 4 to "neon_api_input"; 1 stays (no x-death)`) {
		t.Fatalf("the confirmation does not say how many go where:\n%s", s)
	}
	m.Update(collect(t, press(m, "y"), isType(redriveDoneMsg{})))
	if len(f.redrives) != 2 || f.redrives[1].DryRun || f.redrives[1].Queue != "neon_api_dead" {
		t.Fatalf("redrive after y: %+v", f.redrives)
	}
	if !strings.Contains(m.status.text, `moved 4 of 5 from "neon_api_dead": 4 to "neon_api_input"; 1 left: no x-death`) {
		t.Errorf("status after the redrive: %q", m.status.text)
	}
}

// TestBoardSmallScreenKeepsProblems: at 60×15 every problem of every row
// is on screen, wrapped rather than cut.
func TestBoardSmallScreenKeepsProblems(t *testing.T) {
	m, _ := boardModel(t, 60, 15)
	s := flat(screen(m))
	for _, want := range []string{"no_consumer", "backlog, stuck_unacked", "orphan_reply_queue (idle 5m0s, 3 messages)"} {
		if !strings.Contains(s, want) {
			t.Errorf("60x15 board lacks %q:\n%s", want, s)
		}
	}
	for range 10 {
		press(m, "j")
		checkFrame(t, m, "board")
	}
}

// TestGoldenBoard pins the board at 60×15, 80×24 and 150×40. Refresh with:
// go test ./ui -run TestGoldenBoard -update
func TestGoldenBoard(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m, _ := boardModel(t, sz[0], sz[1])
			checkFrame(t, m, "board")
			golden.RequireEqual(t, screen(m))
		})
	}
	t.Run("confirm/80x24", func(t *testing.T) {
		m, _ := boardModel(t, 80, 24)
		boardRowOf(t, m, orphanQ)
		press(m, "D")
		golden.RequireEqual(t, screen(m))
	})
}

// flat is s with every run of white space one space, so that a check does
// not depend on where text wraps.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestBoardNeedsABroker: browsing a recording, or before a session
// opened, b says why there is no board instead of opening an empty one.
func TestBoardNeedsABroker(t *testing.T) {
	m := verdictModel(t, 80, 24)
	press(m, "b")
	if m.mode != modeList || !strings.Contains(m.status.text, "needs a session with the broker") {
		t.Fatalf("b without a broker: mode %v, status %q", m.mode, m.status.text)
	}
	m.env.offline = "recording x.db"
	press(m, "b")
	if m.mode != modeList || !strings.Contains(m.status.text, "browsing a recording") {
		t.Fatalf("b on a recording: mode %v, status %q", m.mode, m.status.text)
	}
}
