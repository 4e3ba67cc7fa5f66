package ui

import (
	"context"
	"time"

	"mqscope/observe"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/internal/textsafe"
	"mqscope/store"
	"mqscope/themes"
	"mqscope/verdict"
)

// sessionMsg is the outcome of connecting: the request side to send
// through, or why there is none.
type sessionMsg struct {
	req requester
	err error
	gen int // the choice of what to watch it was opened for
}

// env is what the model runs on. Run builds it from Options; tests build
// it by hand with a fixed clock and no broker.
type env struct {
	ctx     context.Context
	store   *store.Store
	events  *eventQueue
	service string
	vhost   string
	watches []string // labels shown in the header
	names   []string // watched queue/exchange names, for the rates
	queues  []string // the watched queues (not exchanges): compose's default target
	// own orders the session's own rows before the firehose's copies of
	// them; compose announces each request to it. nil in tests that do
	// not need it.
	own     *ownOrder
	record  func() recordNote // the recording's status-bar note; nil when not recording
	offline string            // set when browsing a recording: no broker
	theme   string            // theme asked for: a name, or "" / "auto"
	noColor bool              // NO_COLOR is set
	loc     *time.Location
	now     func() time.Time
	initial tea.Cmd // the first work: opening the session, or the picker's first discovery
	picker  *picker // non-nil when the start-up picker runs first
	// start opens the session the picker settled on, as choice number gen,
	// closing the one before it.
	start func(ch pickChoice, specs []observe.WatchSpec, gen int) tea.Cmd
	// newPicker makes a picker for w (change what is watched); nil when
	// there is no config to pick from.
	newPicker   func(preset pickChoice) *picker
	pickedVHost string   // the vhost as chosen (vhost is its shown form)
	targets     []string // the watch targets as chosen (queue names, exchange:NAME)

	scheme string // "amqp" or "amqps" for a live session; "" when offline
	// insecure is set when the config turns TLS certificate checks off: the
	// header flags it in the danger colour for as long as mqscope runs.
	insecure bool
	// readOnly is set in read-only mode: the header says so, and compose
	// refuses to send (readonly.go).
	readOnly *observe.ReadOnly
	// verdicts decides what happened to each request seen or sent and adds
	// the verdict rows to the store and the recording; nil when browsing a
	// recording (its verdict rows are in it) and in tests that do not
	// need it.
	verdicts *verdict.Follower
	// boardBroker is the broker of the running session, for the service
	// board; nil (or returning nil) when there is none.
	boardBroker func() boardBroker
	// services maps each queue the config's services consume to the
	// service, for the board.
	services map[string]string

	// openRequester opens a requester to re-send from a recording (r, R);
	// nil when browsing without a broker configured, and noBroker says why.
	openRequester openRequesterFunc
	noBroker      string
}

// Model is the root model: it routes messages to the components and lays
// them out. Components hold state and render strings for the size given.
type Model struct {
	env  env
	keys keyMap
	st   Styles
	help help.Model

	autoTheme     bool // follow the terminal background until a theme is picked
	bgKnown       bool // the terminal has told its background colour
	width, height int

	// mode decides who gets keys and pastes, the footer and the panes on
	// screen (mode.go); under is the mode an overlay (filter, help) covers
	// and returns to.
	mode, under uiMode

	view     *store.View
	verdicts verdictMarks // the verdict of each request, for the list's marker
	list     messageList
	detail   detailPane
	// timelines keeps the Pair tab's timeline of the selected request.
	timelines timelineCache
	board     boardState
	compose   composePane

	helpScroll  int // the first line of the full help shown (j/k/pgdn scroll it)
	filterInput textinput.Model
	filterErr   string

	paused bool
	follow followState
	// lastStatus is the newest status message, kept after it leaves the
	// bar: ! shows it in full.
	lastStatus statusLine
	session    int // the choice of what to watch the running session is for
	// lastReplyQueue is the reply queue of the newest session, which
	// compose's routing_key defaults to.
	lastReplyQueue string
	status         statusLine
	conns          conns
	rates          rateMeter
	req            requester
	picker         *picker

	marks   marks       // rows marked with m (marks.go)
	resends resendState // requests re-sent with r and R (resend.go)
	diff    diffView    // the diff of two messages, d (diffview.go)
	export  exportPrompt

	frames frameState
}

// frameState paces the frames and keeps the last one drawn: Bubble Tea
// asks for the view after every message, and most messages during a burst
// (the store's change signal) change nothing on screen.
type frameState struct {
	every time.Duration // the interval to the next frame
	total uint64        // the store's total at the last frame
	stale bool          // something on screen may have changed since last
	last  *tea.View
}

// newModel builds the root model over e.
func newModel(e env) *Model {
	m := &Model{env: e, keys: newKeyMap(), conns: newConns(), mode: modeList, under: modeList,
		frames: frameState{every: frameInterval, stale: true}}
	if e.picker != nil {
		m.picker, m.mode = e.picker, modePicker
	}
	m.autoTheme = e.theme == "" || e.theme == themes.Auto
	m.setPalette(initialPalette(e))
	m.view = e.store.NewView(nil)
	m.verdicts = newVerdictMarks(e.store)
	m.list = newMessageList()
	m.compose = newComposePane(&m.st)
	m.detail.extra = m.resendLines
	m.filterInput = textinput.New()
	m.filterInput.Prompt = "/"
	// The placeholder must not read as typed text: the cursor sits on its
	// first character, so it starts with a word no filter starts with.
	m.filterInput.Placeholder = `e.g.  queue:neon_api_input -event:deliver "not found"   (enter applies, esc cancels)`
	m.rates = newRateMeter(e.names)
	m.conns.offline = e.offline
	if e.offline != "" {
		m.keys.offline()
	}
	return m
}

// initialPalette honours NO_COLOR, then an explicit theme, then dark until
// the terminal reports its background.
func initialPalette(e env) themes.Palette {
	if e.noColor {
		p, _ := themes.ByName(themes.Mono)
		return p
	}
	if p, err := themes.ByName(e.theme); err == nil {
		return p
	}
	return themes.Default(true)
}

// setPalette rebuilds every style from p.
func (m *Model) setPalette(p themes.Palette) {
	m.st = NewStyles(p)
	m.help = newHelp(m.st)
	m.compose.applyStyles(&m.st)
}

// Init starts the store subscription, the event queue, the rate clock, the
// background-colour query and the session.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{
		waitForChange(m.env.ctx, m.env.store.Changed()),
		m.env.events.wait(m.env.ctx),
		rateTickCmd(),
		m.env.initial,
	}
	if m.autoTheme && !m.env.noColor {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if m.env.verdicts != nil {
		cmds = append(cmds, m.onVerdictTick())
	}
	return tea.Batch(cmds...)
}

// Update routes each message to one handler.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case storeChangedMsg, verdictTickMsg:
		// Nothing on screen changes until the frame they lead to.
	default:
		m.frames.stale = true
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		m.onBackground(msg.IsDark())
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.PasteMsg:
		return m, m.onPaste(msg)
	case tea.MouseWheelMsg:
		m.onWheel(msg.Mouse())
	case storeChangedMsg:
		return m, frameTickCmd(m.frames.every)
	case frameMsg:
		return m, m.onFrame()
	case verdictTickMsg:
		return m, m.onVerdictTick()
	case rateTickMsg:
		return m, m.onRateTick(msg)
	case eventsMsg:
		return m, m.onEvents(msg)
	case sessionMsg:
		m.onSession(msg)
	case replyMsg:
		return m, m.onReply(msg)
	case pendingTickMsg:
		return m, m.onPendingTick(msg)
	case copiedMsg:
		return m, m.onCopied(msg)
	case statusClearMsg:
		m.onStatusClear(msg)
	case templatesLoadedMsg:
		return m, m.onTemplatesLoaded(msg)
	case recheckMsg:
		return m, m.onRecheck(msg)
	case requesterOpenedMsg:
		return m, m.onRequesterOpened(msg)
	case exportedMsg:
		return m, m.onExported(msg)
	case sendCheckedMsg:
		return m, m.onSendChecked(msg)
	case templatesChangedMsg:
		return m, m.onTemplatesChanged(msg)
	default:
		if cmd, ok := m.onBoardMsg(msg); ok {
			return m, cmd
		}
		return m, m.onPickerMsg(msg)
	}
	return m, nil
}

// View draws the whole screen.
func (m *Model) View() tea.View {
	if !m.frames.stale && m.frames.last != nil {
		return *m.frames.last // Bubble Tea asks after every message
	}
	v := m.draw()
	m.frames.last, m.frames.stale = &v, false
	return v
}

// draw lays out the whole screen.
func (m *Model) draw() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "mqscope"
	// The auto theme waits for the terminal's answer: painting first
	// would make the terminal report the painted colour.
	if !m.autoTheme || m.bgKnown {
		v.BackgroundColor = m.st.Screen
	}
	return v
}

func (m *Model) resize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.filterInput.SetWidth(max(m.width-2, 1))
	m.list.setHeight(m.view, m.layout().list-1)
}

func (m *Model) onBackground(dark bool) {
	m.bgKnown = true
	if m.autoTheme && !m.env.noColor {
		m.setPalette(themes.Default(dark))
	}
}

// onRateTick closes the rates' second and arms the next tick.
func (m *Model) onRateTick(msg rateTickMsg) tea.Cmd {
	m.rates.tick(msg.at)
	return rateTickCmd()
}

// onFrame pulls what changed since the last frame and re-arms the wait.
func (m *Model) onFrame() tea.Cmd {
	total := m.env.store.Stats().Total
	m.frames.every = frameEvery(total - m.frames.total)
	m.frames.total = total
	if m.env.offline == "" {
		m.rates.observe(m.env.store)
	}
	if !m.paused {
		m.list.sync(m.view)
	}
	m.verdicts.sync()
	return waitForChange(m.env.ctx, m.env.store.Changed())
}

func (m *Model) onEvents(msgs eventsMsg) tea.Cmd {
	cmds := []tea.Cmd{m.env.events.wait(m.env.ctx)}
	for _, msg := range msgs {
		switch msg := msg.(type) {
		case stateMsg:
			if msg.gen != m.session {
				continue // a replaced session closing down
			}
			if lasted, back := m.conns.update(msg.state); back {
				cmds = append(cmds, m.setStatus("● reconnected after "+lasted.Round(100*time.Millisecond).String(), false))
			}
		case unmatchedMsg:
			if msg.gen != m.session {
				continue
			}
			cmds = append(cmds, m.setStatus("a reply matched no request in flight (message_id "+shortID(msgIDOf(msg.msg))+"): shown in the list", false))
		}
	}
	m.resize(m.width, m.height) // the alert line may have come or gone
	return tea.Batch(cmds...)
}

func (m *Model) onSession(msg sessionMsg) {
	if msg.gen != m.session {
		return // a session replaced before it opened
	}
	m.conns.opening = false
	m.conns.openErr = msg.err
	if msg.err == nil && msg.req != nil {
		m.req = msg.req
		m.compose.setDefaultRoutingKey(m.req.ReplyQueue(), m.lastReplyQueue)
		m.lastReplyQueue = m.req.ReplyQueue()
	}
	m.resize(m.width, m.height)
}

// onReply records a request's outcome and says it in the status bar.
func (m *Model) onReply(msg replyMsg) tea.Cmd {
	if id := m.compose.finish(msg); id != "" && m.env.own != nil {
		m.env.own.finish(id)
	}
	if cmd, ok := m.onResendReply(msg); ok {
		return cmd
	}
	if msg.err != nil {
		return m.setStatus("request failed: "+describeRequestError(msg.err), true)
	}
	if msg.resp != nil {
		return m.setStatus("reply to "+shortID(msg.resp.MessageID)+" in "+fmtLatency(msg.resp.Latency), false)
	}
	return nil
}

func (m *Model) onPendingTick(msg pendingTickMsg) tea.Cmd {
	if p := m.compose.pending; p != nil && p.id == msg.id {
		return pendingTickCmd(msg.id)
	}
	return nil
}

// onCopied says in the status bar what a copy put on the clipboard.
func (m *Model) onCopied(msg copiedMsg) tea.Cmd {
	return m.setStatus(copiedText(msg), false)
}

// setStatus shows a transient message and schedules its removal.
func (m *Model) setStatus(text string, isErr bool) tea.Cmd {
	m.status = statusLine{id: m.status.id + 1, text: text, isErr: isErr}
	m.lastStatus = m.status
	m.resize(m.width, m.height) // a long message takes more of the status bar
	id := m.status.id
	return tea.Tick(statusTTL, func(time.Time) tea.Msg { return statusClearMsg{id: id} })
}

func (m *Model) onStatusClear(msg statusClearMsg) {
	if msg.id == m.status.id {
		m.status.text = ""
		m.resize(m.width, m.height)
	}
}

// layout shares the current screen between the panes.
func (m *Model) layout() layout {
	return computeLayout(m.width, m.height, len(m.alertLines()), len(m.statusLines()), m.composeOpen())
}

// maxAlertLines bounds the connection-problem text: enough for the
// message and what to do, never the whole screen.
const maxAlertLines = 3

// alertLines are the rows under the header: the filter being typed, or
// the connection problem word-wrapped so that the advice at its end shows.
func (m *Model) alertLines() []string {
	if m.mode == modeFilter {
		lines := []string{m.filterInput.View()}
		if m.filterErr != "" && m.width > 0 {
			// The whole error: it says what to change.
			lines = append(lines, styleLines(wrapText("✗ "+textsafe.Row(m.filterErr), m.width), m.st.Danger)...)
		}
		return lines
	}
	if m.mode == modeExport {
		return m.exportLines()
	}
	// Broker errors quote names anyone may declare.
	problem := textsafe.Row(m.conns.problem(m.env.now()))
	if problem == "" || m.width <= 0 || m.mode == modeMessage {
		return nil // the message view shows it whole
	}
	if m.conns.openErr != nil && m.env.newPicker != nil {
		problem += " · w picks again"
	}
	lines := wrapText(problem, m.width)
	if len(lines) > maxAlertLines {
		lines = lines[:maxAlertLines]
		note := m.cutNote()
		lines[maxAlertLines-1] = ansi.Truncate(lines[maxAlertLines-1], max(m.width-textWidth(note), 0), "") + note
	}
	for i, l := range lines {
		lines[i] = m.st.Alert.Render(l)
	}
	return lines
}

// selected returns the selected entry and the other side of its pair.
func (m *Model) selected() (e, pair *store.Entry) {
	if m.list.selSeq == 0 {
		return nil, nil
	}
	got, ok := m.env.store.Get(m.list.selSeq)
	if !ok {
		return nil, nil
	}
	if got.Pair != nil {
		if other, ok := m.env.store.Get(got.Pair.Seq); ok {
			return &got, &other
		}
	}
	return &got, nil
}
