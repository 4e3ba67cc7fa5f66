package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mqscope/internal/textsafe"
	"mqscope/observe"
)

// boardBroker is what the service board asks of the broker: the session's
// *observe.Broker, a fake in tests.
type boardBroker interface {
	Board(ctx context.Context, vhosts []string, services map[string]string) (observe.Board, error)
	DeadLetterQueues(ctx context.Context, vhost string) (map[string]bool, error)
	DeleteOrphanReplyQueue(ctx context.Context, vhost, queue string) error
	Redrive(ctx context.Context, opts observe.RedriveOptions) (observe.RedriveResult, error)
}

// boardRefresh is how often the open board asks the broker again; the
// management API samples every 5 s, so sooner would show nothing new.
const boardRefresh = 5 * time.Second

// boardTimeout bounds one refresh.
const boardTimeout = 10 * time.Second

// boardState is the service board: the rows of the last refresh, the
// cursor, and the action waiting for its confirmation or running.
type boardState struct {
	board    observe.Board
	dlq      map[string]bool // dead-letter queues (observe.DeadLetterQueues)
	at       time.Time       // when the rows were read; zero before the first answer
	err      string          // why the last refresh failed
	loading  bool            // a refresh is running
	armed    bool            // the next refresh is armed: one chain of refreshes at a time
	cursor   int
	offset   int // first row line on screen
	confirm  *boardAction
	running  *boardAction
	progress atomic.Int64 // messages a running redrive has handled
}

// boardAction is a change to the broker the board offers on a row, which
// runs only after its confirmation.
type boardAction struct {
	redrive      bool // else deleting an orphan reply queue
	vhost, queue string
	messages     int
	plan         observe.RedriveResult // a redrive's dry run: what would go where
	prompt       string
}

// Messages of the board's background work.
type (
	boardRefreshMsg struct{}
	boardLoadedMsg  struct {
		board observe.Board
		dlq   map[string]bool
		err   error
		at    time.Time
	}
	orphanDeletedMsg struct {
		vhost, queue string
		messages     int
		err          error
	}
	redrivePlannedMsg struct {
		vhost, queue string
		plan         observe.RedriveResult
		err          error
	}
	redriveDoneMsg struct {
		queue string
		res   observe.RedriveResult
		err   error
	}
	redriveTickMsg struct{}
)

// onBoardMsg handles the messages of the board's background work; ok is
// false for any other message.
func (m *Model) onBoardMsg(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case boardRefreshMsg:
		return m.onBoardRefresh(), true
	case boardLoadedMsg:
		return m.onBoardLoaded(msg), true
	case orphanDeletedMsg:
		return m.onOrphanDeleted(msg), true
	case redrivePlannedMsg:
		return m.onRedrivePlanned(msg), true
	case redriveTickMsg:
		return m.onRedriveTick(), true
	case redriveDoneMsg:
		return m.onRedriveDone(msg), true
	}
	return nil, false
}

// openBoard shows the board and asks the broker for its rows.
func (m *Model) openBoard() tea.Cmd {
	if m.env.boardBroker == nil || m.env.boardBroker() == nil {
		return m.setStatus("the service board needs a session with the broker: none is open yet", true)
	}
	m.board.cursor, m.board.offset, m.board.confirm = 0, 0, nil
	m.setMode(modeBoard)
	return m.loadBoard()
}

// loadBoard starts a refresh unless one is running.
func (m *Model) loadBoard() tea.Cmd {
	if m.board.loading {
		return nil
	}
	b := m.env.boardBroker()
	if b == nil {
		return nil
	}
	m.board.loading = true
	ctx, vhost, services, now := m.env.ctx, m.boardVHost(), m.env.services, m.env.now
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, boardTimeout)
		defer cancel()
		board, err := b.Board(ctx, []string{vhost}, services)
		var dlq map[string]bool
		if err == nil && board.Missing == "" {
			dlq, _ = b.DeadLetterQueues(ctx, vhost) // without it no row offers redrive
		}
		return boardLoadedMsg{board: board, dlq: dlq, err: err, at: now()}
	}
}

// boardVHost is the vhost the board shows: the session's.
func (m *Model) boardVHost() string {
	if m.env.pickedVHost != "" {
		return m.env.pickedVHost
	}
	return m.env.vhost
}

// onBoardLoaded takes a refresh's rows, keeps the cursor on the same
// queue, and arms the next refresh while the board is open.
func (m *Model) onBoardLoaded(msg boardLoadedMsg) tea.Cmd {
	m.board.loading = false
	if msg.err != nil {
		m.board.err = oneLine(msg.err.Error())
	} else {
		selected := m.boardSelected()
		m.board.board, m.board.dlq, m.board.at, m.board.err = msg.board, msg.dlq, msg.at, ""
		m.board.cursor = 0
		for i, r := range m.board.board.Rows {
			if selected != nil && r.VHost == selected.VHost && r.Queue == selected.Queue {
				m.board.cursor = i
			}
		}
	}
	if m.panes() != modeBoard || m.board.armed {
		return nil
	}
	m.board.armed = true
	return tea.Tick(boardRefresh, func(time.Time) tea.Msg { return boardRefreshMsg{} })
}

// onBoardRefresh refreshes the board while it is open.
func (m *Model) onBoardRefresh() tea.Cmd {
	m.board.armed = false
	if m.panes() != modeBoard {
		return nil
	}
	return m.loadBoard()
}

// boardSelected is the row under the cursor, nil when there is none.
func (m *Model) boardSelected() *observe.BoardRow {
	rows := m.board.board.Rows
	if m.board.cursor < 0 || m.board.cursor >= len(rows) {
		return nil
	}
	return &rows[m.board.cursor]
}

// boardKey handles a key on the board: a pending confirmation takes it
// first (y confirms, any other key cancels).
func (m *Model) boardKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if a := m.board.confirm; a != nil {
		m.board.confirm = nil
		if key.Matches(msg, k.Confirm) {
			return m.runBoardAction(a)
		}
		return m.setStatus("cancelled: "+textsafe.Row(a.queue)+" left as it is", false)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.openOverlay(modeHelp)
	case key.Matches(msg, k.Back):
		m.setMode(modeList)
	case key.Matches(msg, k.DeleteOrphan):
		return m.askDeleteOrphan()
	case key.Matches(msg, k.Redrive):
		return m.askRedrive()
	case key.Matches(msg, k.Up):
		m.moveBoard(-1)
	case key.Matches(msg, k.Down):
		m.moveBoard(1)
	case key.Matches(msg, k.PageUp):
		m.moveBoard(-10)
	case key.Matches(msg, k.PageDown):
		m.moveBoard(10)
	case key.Matches(msg, k.Top):
		m.moveBoard(-len(m.board.board.Rows))
	case key.Matches(msg, k.Bottom):
		m.moveBoard(len(m.board.board.Rows))
	}
	return nil
}

func (m *Model) moveBoard(delta int) {
	m.board.cursor = min(max(m.board.cursor+delta, 0), max(len(m.board.board.Rows)-1, 0))
}

// askDeleteOrphan asks to confirm deleting the orphan reply queue under
// the cursor, saying what goes with it.
func (m *Model) askDeleteOrphan() tea.Cmd {
	r := m.boardSelected()
	if r == nil || !slices.Contains(r.Problems, observe.OrphanReplyQueue) {
		return m.setStatus("D deletes an orphan reply queue: move to a row flagged orphan_reply_queue", true)
	}
	if err := m.env.readOnly.Refuse(fmt.Sprintf("deleting reply queue %q would change the broker", r.Queue)); err != nil {
		return m.setStatus(err.Error(), true)
	}
	m.board.confirm = &boardAction{vhost: r.VHost, queue: r.Queue, messages: r.Ready,
		prompt: fmt.Sprintf("Delete reply queue %q in %q%s? It is deleted only if it still has no consumer. y deletes, any other key keeps it",
			textsafe.Row(r.Queue), textsafe.Row(r.VHost), withMessages(r.Ready))}
	return nil
}

// withMessages names what goes with a deleted queue: "" when it is empty.
func withMessages(n int) string {
	if n == 0 {
		return " (it is empty)"
	}
	return fmt.Sprintf(" and the %d message%s in it", n, plural(n, "", "s"))
}

// askRedrive looks at what the dead-letter queue under the cursor holds
// (a dry run) and then asks to confirm moving it.
func (m *Model) askRedrive() tea.Cmd {
	r := m.boardSelected()
	if r == nil || !m.board.dlq[r.Queue] {
		return m.setStatus("M redrives a dead-letter queue (marked ↺: a queue of this vhost dead-letters into it): move to one", true)
	}
	if err := m.env.readOnly.Refuse(fmt.Sprintf("redrive would take messages from %q and publish them elsewhere", r.Queue)); err != nil {
		return m.setStatus(err.Error(), true)
	}
	if m.board.running != nil {
		return m.setStatus("a redrive is running: wait for it to finish", true)
	}
	b := m.env.boardBroker()
	if b == nil {
		return m.setStatus("no session with the broker", true)
	}
	ctx, vhost, queue := m.env.ctx, r.VHost, r.Queue
	status := m.setStatus(fmt.Sprintf("looking at the messages of %q to say where each would go…", textsafe.Row(queue)), false)
	return tea.Batch(status, func() tea.Msg {
		plan, err := b.Redrive(ctx, observe.RedriveOptions{VHost: vhost, Queue: queue, DryRun: true})
		return redrivePlannedMsg{vhost: vhost, queue: queue, plan: plan, err: err}
	})
}

// onRedrivePlanned asks to confirm the redrive the dry run found.
func (m *Model) onRedrivePlanned(msg redrivePlannedMsg) tea.Cmd {
	if msg.err != nil {
		return m.setStatus("redrive: "+oneLine(msg.err.Error()), true)
	}
	moving := msg.plan.MovedTotal()
	if moving == 0 {
		return m.setStatus(fmt.Sprintf("nothing to redrive in %q: %d message%s, none with an x-death naming where it came from",
			textsafe.Row(msg.queue), msg.plan.Seen, plural(msg.plan.Seen, "", "s")), false)
	}
	var where []string
	for _, q := range msg.plan.Targets() {
		where = append(where, fmt.Sprintf("%d to %q", msg.plan.Moved[q], textsafe.Row(q)))
	}
	prompt := fmt.Sprintf("Redrive %d message%s from %q: %s", moving, plural(moving, "", "s"), textsafe.Row(msg.queue), strings.Join(where, ", "))
	if stay := msg.plan.Seen - moving; stay > 0 {
		prompt += fmt.Sprintf("; %d stay%s (no x-death)", stay, plural(stay, "s", ""))
	}
	prompt += "? Each is acknowledged only after the broker confirms its publish. y redrives, any other key cancels"
	m.board.confirm = &boardAction{redrive: true, vhost: msg.vhost, queue: msg.queue, messages: moving, plan: msg.plan, prompt: prompt}
	return nil
}

// runBoardAction does a confirmed action in the background.
func (m *Model) runBoardAction(a *boardAction) tea.Cmd {
	b := m.env.boardBroker()
	if b == nil {
		return m.setStatus("no session with the broker", true)
	}
	ctx := m.env.ctx
	if !a.redrive {
		status := m.setStatus(fmt.Sprintf("deleting reply queue %q…", textsafe.Row(a.queue)), false)
		return tea.Batch(status, func() tea.Msg {
			err := b.DeleteOrphanReplyQueue(ctx, a.vhost, a.queue)
			return orphanDeletedMsg{vhost: a.vhost, queue: a.queue, messages: a.messages, err: err}
		})
	}
	m.board.running = a
	m.board.progress.Store(0)
	progress := &m.board.progress
	status := m.setStatus(fmt.Sprintf("redriving %d message%s from %q…", a.messages, plural(a.messages, "", "s"), textsafe.Row(a.queue)), false)
	return tea.Batch(status, redriveTick(), func() tea.Msg {
		res, err := b.Redrive(ctx, observe.RedriveOptions{VHost: a.vhost, Queue: a.queue,
			Progress: func(bool) { progress.Add(1) }})
		return redriveDoneMsg{queue: a.queue, res: res, err: err}
	})
}

func redriveTick() tea.Cmd {
	return tea.Tick(250*time.Millisecond, func(time.Time) tea.Msg { return redriveTickMsg{} })
}

// onRedriveTick shows a running redrive's progress.
func (m *Model) onRedriveTick() tea.Cmd {
	a := m.board.running
	if a == nil {
		return nil
	}
	status := m.setStatus(fmt.Sprintf("redriving from %q: %d of about %d handled…", textsafe.Row(a.queue), m.board.progress.Load(), a.plan.Seen), false)
	return tea.Batch(status, redriveTick())
}

// onRedriveDone says what moved where, and refreshes the board.
func (m *Model) onRedriveDone(msg redriveDoneMsg) tea.Cmd {
	m.board.running = nil
	text := textsafe.Row(msg.res.Summary(msg.queue))
	for why, n := range msg.res.Skipped {
		text += fmt.Sprintf("; %d left: %s", n, textsafe.Row(why))
	}
	if msg.err != nil {
		return tea.Batch(m.setStatus(text+"; stopped: "+oneLine(msg.err.Error()), true), m.loadBoard())
	}
	return tea.Batch(m.setStatus(text, len(msg.res.Skipped) > 0), m.loadBoard())
}

// onOrphanDeleted says whether the orphan went, and refreshes the board.
func (m *Model) onOrphanDeleted(msg orphanDeletedMsg) tea.Cmd {
	if msg.err != nil {
		return m.setStatus(oneLine(msg.err.Error()), true)
	}
	return tea.Batch(m.setStatus(fmt.Sprintf("deleted orphan reply queue %q in %q with its %d message%s",
		textsafe.Row(msg.queue), textsafe.Row(msg.vhost), msg.messages, plural(msg.messages, "", "s")), false), m.loadBoard())
}
