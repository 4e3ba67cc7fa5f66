// Package ui is mqscope's terminal app: one root Bubble Tea model that
// routes messages to components (list, detail, compose, picker, help) which
// render strings for the size they are given. The live list reads from a
// store.Store: the UI waits on its change signal, pulls at most ~30 times a
// second, and renders only the visible rows.
package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"mqscope/appconfig"
	"mqscope/capture"
	"mqscope/internal/procs"
	"mqscope/observe"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
	"mqscope/store"
	"mqscope/store/record"
	"mqscope/themes"
	"mqscope/verdict"
)

// Options are what main passes from the command line.
type Options struct {
	Config  *appconfig.Config
	Service string
	VHost   string
	Watch   []string // queue names, or exchange:NAME
	Mode    capture.Mode
	Record  string // record observed traffic to this SQLite file
	Theme   string // a theme name, or "" / "auto"
	// Recording is a file made with --record to browse: no broker is used.
	Recording string
	// NoBroker says why a recording is browsed without a broker (no
	// config); with Config set, r and R re-send from the recording.
	NoBroker string
	Version  string
	// ReplyWindow is how long a delivered request may wait for its reply
	// before its verdict is no_reply; 0 means the config's
	// mqscope.reply_window.
	ReplyWindow time.Duration
}

// Run runs the TUI until the user quits or ctx ends.
func Run(ctx context.Context, opts Options) error {
	if opts.Theme != "" && opts.Theme != themes.Auto {
		if _, err := themes.ByName(opts.Theme); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st := opts.Config.NewStore()
	e := env{
		ctx: ctx, store: st, events: newEventQueue(), theme: themeName(opts),
		noColor: os.Getenv("NO_COLOR") != "", loc: time.Local, now: time.Now,
	}
	var sessions sessionKeeper
	defer sessions.closeAll()
	if opts.Recording != "" {
		if err := loadRecording(opts.Recording, st); err != nil {
			return err
		}
		e.offline = "recording " + filepath.Base(opts.Recording)
		var opened requesterKeeper
		defer opened.closeAll()
		recordingBroker(opts, &e, &opened)
	} else {
		rec, err := openRecorder(opts, &e)
		if err != nil {
			return err
		}
		if rec != nil {
			defer rec.Close()
			defer procs.Hold()() // the writer's transactions hold a P for long stretches
		}
		e.scheme, e.insecure = transport(opts.Config)
		e.readOnly = opts.Config.ReadOnly
		sink := st.Sink(store.OptionalRecorder(rec))
		e.own = newOwnOrder(sink, time.Now)
		e.verdicts = newFollower(ctx, opts, &sessions, sink)
		e.services = opts.Config.ServiceQueues()
		e.boardBroker = func() boardBroker {
			if b := sessions.broker(); b != nil {
				return b
			}
			return nil // not a non-nil interface holding a nil *Broker
		}
		e.start = func(ch pickChoice, specs []observe.WatchSpec, gen int) tea.Cmd {
			return openSessionCmd(ctx, opts.Config, ch, specs, e.own.sink, e.events, &sessions, gen)
		}
		startOrPick(opts, &e)
	}
	m := newModel(e)
	if m.picker != nil {
		// With every answer on the command line the picker settles at once
		// and the first command opens the session.
		m.env.initial = m.picker.start()
		if m.picker.step == stepDone {
			m.env.initial = m.finishPicker()
		}
	}
	_, err := tea.NewProgram(m, tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// newFollower follows the verdicts of what the TUI captures and sends, as
// tail does: the same reply window rules, and the Refused hook asking the
// broker of the running session; and, for what compose and r send to a
// queue no firehose watches, whether it had a consumer at the expiration. Verdict rows go where every row goes:
// the store and the recording.
func newFollower(ctx context.Context, opts Options, sessions *sessionKeeper, sink func(capture.Message)) *verdict.Follower {
	window := opts.ReplyWindow
	if window == 0 {
		window = opts.Config.ReplyWindow
	}
	refused := func(vhost, queue string) (string, bool) {
		b := sessions.broker()
		if b == nil {
			return "", false
		}
		return b.RefusedHook(ctx)(vhost, queue)
	}
	unconsumed := func(vhost, queue string) bool {
		b := sessions.broker()
		return b != nil && b.UnconsumedHook(ctx)(vhost, queue)
	}
	return verdict.NewFollower(verdict.NewTracker(verdict.Options{ReplyWindow: window, Refused: refused, Unconsumed: unconsumed}), sink)
}

// startOrPick sets up the picker for whatever the flags leave open. When
// they leave nothing open the picker settles at once, without drawing.
func startOrPick(opts Options, e *env) {
	service := opts.Service
	if service == "" && len(opts.Config.ServiceNames()) == 1 {
		service = opts.Config.ServiceNames()[0]
	}
	mode := opts.Mode
	if mode == "" && opts.Service != "" && opts.VHost != "" && len(opts.Watch) > 0 {
		mode = capture.ModeFirehose
	}
	preset := pickChoice{service: service, vhost: opts.VHost, watch: opts.Watch, mode: mode}
	e.newPicker = func(preset pickChoice) *picker {
		return newPicker(opts.Config, preset, discoverCmd(e.ctx, opts.Config), checkCmd(e.ctx, opts.Config))
	}
	e.picker = e.newPicker(preset)
}

// transport is how the config connects: the URI scheme, and whether TLS
// certificate verification is off.
func transport(cfg *appconfig.Config) (scheme string, insecure bool) {
	return cfg.Scheme(), cfg.TLS != nil && cfg.TLS.Insecure
}

func themeName(opts Options) string {
	if opts.Theme != "" {
		return opts.Theme
	}
	if opts.Config != nil {
		return opts.Config.Theme
	}
	return ""
}

// openRecorder creates the --record file, if asked for.
func openRecorder(opts Options, e *env) (*record.Writer, error) {
	if opts.Record == "" {
		return nil, nil
	}
	w, err := record.Create(opts.Record, record.Options{Version: opts.Version})
	if err != nil {
		return nil, err
	}
	name := filepath.Base(opts.Record)
	e.record = func() recordNote { return recordStatus(name, w.Stats()) }
	return w, nil
}

// loadRecording reads a recording into the store before the UI starts.
func loadRecording(path string, st *store.Store) error {
	sink := st.Sink(nil)
	return record.ReadFile(path, func(m capture.Message) error { sink(m); return nil })
}

// recordingBroker lets r and R re-send from a recording to the broker the
// config names, or says why they cannot.
func recordingBroker(opts Options, e *env, opened *requesterKeeper) {
	if opts.Config == nil {
		e.noBroker = opts.NoBroker
		if e.noBroker == "" {
			e.noBroker = "no broker is configured"
		}
		return
	}
	e.readOnly = opts.Config.ReadOnly
	e.openRequester = func(ctx context.Context, vhost string) (requester, error) {
		b, err := opts.Config.NewBroker(opts.Service)
		if err != nil {
			return nil, err
		}
		r, err := b.OpenRequester(ctx, vhost, connector.RequesterOptions{})
		if err != nil {
			return nil, err
		}
		opened.add(r)
		return r, nil
	}
}

// requesterKeeper closes the requesters opened to re-send from a
// recording, deleting their reply queues, on the way out.
type requesterKeeper struct {
	mu   sync.Mutex
	reqs []*observe.Requester
}

func (k *requesterKeeper) add(r *observe.Requester) {
	k.mu.Lock()
	k.reqs = append(k.reqs, r)
	k.mu.Unlock()
}

func (k *requesterKeeper) closeAll() {
	k.mu.Lock()
	reqs := k.reqs
	k.reqs = nil
	k.mu.Unlock()
	for _, r := range reqs {
		r.Close()
	}
}

// sessionKeeper remembers every session opened so that all are closed on
// the way out (deleting reply queues and private taps), and so that a new
// choice of what to watch replaces the session instead of adding one.
// Sessions are numbered by the choice that opened them (gen).
type sessionKeeper struct {
	mu       sync.Mutex
	sessions []*observe.Session
	latest   int // the newest choice: a session of an older one is closed at once
	// current is the broker of the newest session, which the verdicts'
	// Refused hook and the board ask; nil before one opened.
	current *observe.Broker
}

// setBroker remembers the broker of the session of choice gen, unless a
// newer choice was made since.
func (k *sessionKeeper) setBroker(b *observe.Broker, gen int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if gen >= k.latest {
		k.current = b
	}
}

// broker is the broker of the newest session, nil before one opened.
func (k *sessionKeeper) broker() *observe.Broker {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.current
}

// keep adds s, opened for choice gen; a session of a choice already
// replaced is closed instead, and keep reports false.
func (k *sessionKeeper) keep(s *observe.Session, gen int) bool {
	k.mu.Lock()
	if gen < k.latest {
		k.mu.Unlock()
		s.Close()
		return false
	}
	k.sessions = append(k.sessions, s)
	k.mu.Unlock()
	return true
}

// replace closes every session older than choice gen before it opens.
func (k *sessionKeeper) replace(gen int) {
	k.mu.Lock()
	k.latest = max(k.latest, gen)
	old := k.sessions
	k.sessions = nil
	k.mu.Unlock()
	closeSessions(old)
}

func (k *sessionKeeper) closeAll() {
	k.mu.Lock()
	old := k.sessions
	k.sessions = nil
	k.mu.Unlock()
	closeSessions(old)
}

func closeSessions(sessions []*observe.Session) {
	for _, s := range sessions {
		s.Close()
	}
}

// recordNote is what the status bar says about the recording.
type recordNote struct {
	text  string
	lossy bool // messages were not recorded: drawn in the danger colour
}

// recordStatus is the status bar's note on the recording: how much is on
// disk and, when the writer could not keep up or failed, how much is not.
// Recording never holds up the live view, so this is where a slow disk
// shows.
func recordStatus(name string, s record.Stats) recordNote {
	n := recordNote{text: fmt.Sprintf("rec %s: %d written", name, s.Written), lossy: s.Dropped > 0}
	if n.lossy {
		n.text += fmt.Sprintf(", %d not recorded", s.Dropped)
	}
	if s.LastErr != nil {
		n.text += ": " + oneLine(s.LastErr.Error())
	}
	return n
}
