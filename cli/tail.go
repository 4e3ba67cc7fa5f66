package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/internal/procs"
	"mqscope/observe"
	"mqscope/store"
	"mqscope/store/record"
	"mqscope/verdict"
)

// tailFlags are the flags of `mqscope tail`.
type tailFlags struct {
	brokerFlags
	vhost, queue, exchange, bindingKey, mode, record string
	count                                            int
	replyWindow                                      time.Duration
	wait                                             bool
}

func (t *tailFlags) parse(args []string) error {
	fs := newFlagSet("tail", "--vhost V (--queue Q | --exchange X) [--mode firehose|tap|peek|consume] [--count N] [--wait] [--record FILE.db]")
	t.register(fs)
	fs.StringVar(&t.vhost, "vhost", "", "virtual host to watch")
	fs.StringVar(&t.queue, "queue", "", "queue to watch (firehose without --queue: the whole vhost)")
	fs.StringVar(&t.exchange, "exchange", "", "exchange to tap")
	fs.StringVar(&t.bindingKey, "binding-key", "", "tap binding key (default #)")
	fs.StringVar(&t.mode, "mode", "", "firehose (default for a queue), tap (default for an exchange), peek, or consume (destructive)")
	fs.IntVar(&t.count, "count", 0, "exit after N messages (0: until Ctrl-C)")
	fs.StringVar(&t.record, "record", "", "also record every message to this SQLite file")
	fs.DurationVar(&t.replyWindow, "reply-window", 0, "how long a delivered request may wait for its reply before its verdict is no_reply (default mqscope.reply_window, else 30s)")
	fs.BoolVar(&t.wait, "wait", false, "peek, consume: wait for a queue that does not exist yet instead of failing")
	if err := parse(fs, args); err != nil {
		return err
	}
	if t.replyWindow < 0 {
		return usagef("tail: --reply-window must be positive, such as 30s")
	}
	if err := need(fs, "vhost"); err != nil {
		return err
	}
	if t.count < 0 {
		return usagef("tail: --count must be 0 (until Ctrl-C) or more, got %d", t.count)
	}
	if err := checkNames("tail", "queue", t.queue); err != nil {
		return err
	}
	if err := checkNames("tail", "exchange", t.exchange); err != nil {
		return err
	}
	if t.queue != "" && t.exchange != "" && t.mode != string(capture.ModeFirehose) {
		return usagef("tail: give --queue or --exchange, not both")
	}
	if t.mode == "" {
		t.mode = string(capture.ModeFirehose)
		if t.exchange != "" {
			t.mode = string(capture.ModeTap)
		}
	}
	return nil
}

func (t *tailFlags) spec() (observe.WatchSpec, error) {
	mode, err := observe.ParseMode(t.mode)
	if err != nil {
		return observe.WatchSpec{}, usagef("tail: %v", err)
	}
	return observe.WatchSpec{VHost: t.vhost, Queue: t.queue, Exchange: t.exchange, BindingKey: t.bindingKey, Mode: mode, Limit: t.count, WaitForQueue: t.wait}, nil
}

func runTail(ctx context.Context, args []string, stdout io.Writer) error {
	var t tailFlags
	if err := t.parse(args); err != nil {
		return err
	}
	spec, err := t.spec()
	if err != nil {
		return err
	}
	broker, cfg, err := t.broker()
	if err != nil {
		return err
	}
	if err := broker.ReadOnly.RefuseMode(spec.Mode); err != nil {
		return err
	}
	st := cfg.NewStore()
	rec, err := openRecorder(t.record)
	if err != nil {
		return err
	}
	defer closeRecorder(rec)
	if rec != nil {
		defer procs.Hold()() // the writer's transactions hold a P for long stretches
	}
	if w := spec.Warning(); w != "" {
		fmt.Fprintln(os.Stderr, "mqscope: warning: "+w)
	}
	failed := make(chan error, 1)
	watch, err := broker.Watch(ctx, spec, st.Sink(store.OptionalRecorder(rec)), func(s connector.State) { reportState(s, failed) })
	if err != nil {
		return err
	}
	defer watch.Close()
	if broker.ReadOnly != nil && spec.Mode == capture.ModeFirehose {
		fmt.Fprintf(os.Stderr, "mqscope: read-only: the firehose uses the tracer of vhost %q because it is already on; mqscope does not switch it\n", spec.VHost)
	}
	window := t.replyWindow
	if window == 0 {
		window = cfg.ReplyWindow
	}
	out := liveOutput{stdout: stdout, stderr: os.Stderr, rec: rec,
		verdicts: verdict.NewFollower(verdict.NewTracker(verdict.Options{ReplyWindow: window, Refused: broker.RefusedHook(ctx)}),
			st.Sink(store.OptionalRecorder(rec)))}
	return printLive(ctx, st, out, t.count, failed)
}

// reportState prints connection changes on stderr and passes a failure on.
func reportState(s connector.State, failed chan<- error) {
	switch s.Kind {
	case connector.StateFailed:
		select {
		case failed <- fmt.Errorf("%s: %v", s.Worker, s.Err):
		default:
		}
	case connector.StateReconnecting:
		next := "reconnecting"
		if observe.Waiting(s.Err) {
			next = "looking again"
		}
		fmt.Fprintf(os.Stderr, "mqscope: %s: %v; %s in %s\n", s.Worker, s.Err, next, s.Retry.Round(time.Millisecond))
	case connector.StateConnected:
		if s.Err != nil {
			// Watching, with a caveat about what it can see.
			fmt.Fprintf(os.Stderr, "mqscope: %s: connected; warning: %v\n", s.Worker, s.Err)
			return
		}
		fmt.Fprintf(os.Stderr, "mqscope: %s: connected\n", s.Worker)
	}
}

// liveOutput is where printLive writes: JSON lines to stdout, warnings to
// stderr, and the recording (nil when there is none) whose first drop it
// reports.
type liveOutput struct {
	stdout, stderr io.Writer
	rec            *record.Writer
	// verdicts decides what happened to each request and puts the verdict
	// rows in the store and the recording; nil when not followed.
	verdicts *verdict.Follower
}

// verdictTick is how often deadlines are checked: a verdict comes at most
// this long after its deadline (expiration or reply window).
const verdictTick = 200 * time.Millisecond

// printLive prints every entry appended to st as a JSON line until count
// have been printed, ctx ends or a watch fails. It waits on the store's
// change signal and prints everything new, printStep entries at a time
// into the room of the last read. The first time the
// recording cannot keep up it says so on stderr, once: recording never
// holds up printing, so without the warning the loss would show only at
// exit.
func printLive(ctx context.Context, st *store.Store, out liveOutput, count int, failed <-chan error) error {
	w := bufio.NewWriterSize(out.stdout, 64<<10)
	defer w.Flush()
	var dropping <-chan struct{}
	if out.rec != nil {
		dropping = out.rec.Dropping()
	}
	var cursor uint64
	var entries []store.Entry // the last read, whose room the next one reuses
	printed := 0
	tick := time.NewTicker(verdictTick)
	defer tick.Stop()
	for {
		entries, cursor = st.SinceN(entries, cursor, printStep)
		for _, e := range entries {
			if err := store.WriteJSONLine(w, e); err != nil {
				return err
			}
			out.verdicts.Observe(&e)
			if e.Msg.Event == capture.EventGap || e.Msg.Event == capture.EventVerdict {
				continue // markers of what may be missing or what happened, not messages to count
			}
			if printed++; count > 0 && printed >= count {
				return nil
			}
		}
		// With more waiting already, only what else is ready is handled
		// (a verdict tick, a failure) before the next step, so that a
		// backlog longer than a step does not hold them up.
		var goOn <-chan struct{}
		if len(entries) == printStep && ctx.Err() == nil {
			goOn = closedChan
		} else if err := w.Flush(); err != nil {
			return err
		}
		select {
		case <-goOn:
		case <-st.Changed():
			gather(ctx)
		case now := <-tick.C:
			out.verdicts.Tick(now)
		case <-ctx.Done():
			return nil
		case err := <-failed:
			return err
		case <-dropping:
			dropping = nil // warn once; closeRecorder gives the total
			fmt.Fprintln(out.stderr, "mqscope: warning: "+dropWarning(out.rec.Stats()))
		}
	}
}

// printStep bounds the entries printLive reads at a time, and so the room
// it keeps for them (about 500 B an entry) after catching up on a backlog.
const printStep = 4096

// closedChan is always ready: printLive selects on it when more is waiting.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// gatherDelay is how long printLive lets new entries gather after being
// woken: at full rate one pull and one write of a few dozen lines instead
// of a wake-up, a pull and a write system call per message, which cost
// more CPU than printing the lines. It is the most a line waits for it.
const gatherDelay = 2 * time.Millisecond

// gather waits gatherDelay, or until ctx ends.
func gather(ctx context.Context) {
	t := time.NewTimer(gatherDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// dropWarning is the warning printed when the recording first falls
// behind.
func dropWarning(s record.Stats) string {
	return fmt.Sprintf("recording: %d messages could not be recorded so far%s; printing goes on, the total is given at exit",
		s.Dropped, dropCause(s.LastErr))
}

// dropCause says why messages were not recorded: the write error, or a
// disk too slow for the traffic when writes did not fail.
func dropCause(err error) string {
	if err != nil {
		return " (" + err.Error() + ")"
	}
	return " (the disk did not keep up)"
}

// openRecorder creates the recording when a path is given.
func openRecorder(path string) (*record.Writer, error) {
	if path == "" {
		return nil, nil
	}
	return record.Create(path, record.Options{Version: versionString()})
}

// closeRecorder flushes the recording and says what it could not keep.
func closeRecorder(w *record.Writer) {
	if w == nil {
		return
	}
	err := w.Close()
	if st := w.Stats(); st.Dropped > 0 {
		fmt.Fprintf(os.Stderr, "mqscope: recording: %d of %d messages could not be recorded%s\n", st.Dropped, st.Dropped+st.Written, dropCause(st.LastErr))
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "mqscope: recording: "+err.Error())
	}
}
