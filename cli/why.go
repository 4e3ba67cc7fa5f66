package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/observe"
	"mqscope/store"
	"mqscope/store/record"
	"mqscope/verdict"
)

// errReported makes a command exit 1 after its output has said what went
// wrong (a request with no good reply, messages left in place).
var errReported = errors.New("")

// runWhy prints the timeline and verdict of one request, from a recording
// or from what a firehose watch of the vhost sees (up to the reply window).
func runWhy(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("why", "MESSAGE_ID (--record F.db | --vhost V) [--reply-window 30s]")
	var b brokerFlags
	b.register(fs)
	rec := fs.String("record", "", "read the request from this recording")
	vhost := fs.String("vhost", "", "watch this vhost (firehose) for the request")
	window := fs.Duration("reply-window", 0, "how long a delivered request may wait for its reply (default mqscope.reply_window, else 30s)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (*rec == "") == (*vhost == "") {
		return usagef("why: give one MESSAGE_ID and either --record F.db or --vhost V")
	}
	id := fs.Arg(0)
	var (
		tl  verdict.Timeline
		err error
	)
	if *rec != "" {
		tl, err = whyFromRecording(*rec, id, *window)
	} else {
		tl, err = whyLive(ctx, &b, *vhost, id, *window)
	}
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, tl.String())
	if tl.Verdict == nil || tl.Verdict.Code != verdict.Replied {
		return errReported
	}
	return nil
}

// whyFromRecording replays a recording through a store and a tracker whose
// clock is the recording's own, then closes every deadline.
func whyFromRecording(path, id string, window time.Duration) (verdict.Timeline, error) {
	if window == 0 {
		window = verdict.DefaultReplyWindow
	}
	st := store.New(store.Options{})
	tr := verdict.NewTracker(verdict.Options{ReplyWindow: window})
	var decided []verdict.Verdict
	var last time.Time
	var cursor uint64
	err := record.ReadFile(path, func(m capture.Message) error {
		if v, ok := verdict.Of(&m); ok { // decided live, when it was recorded
			decided = append(decided, v)
			return nil
		}
		st.Append(m)
		var entries []store.Entry
		entries, cursor = st.Since(cursor)
		for i := range entries {
			decided = append(decided, tr.Tick(entries[i].Msg.Time)...)
			decided = append(decided, tr.Observe(&entries[i])...)
			last = entries[i].Msg.Time
		}
		return nil
	})
	if err != nil {
		return verdict.Timeline{}, err
	}
	decided = append(decided, tr.Tick(last.Add(window+time.Hour))...)
	all, _ := st.Since(0)
	req, ok := verdict.Find(all, id)
	if !ok {
		return verdict.Timeline{}, fmt.Errorf("no request with message_id %s in %s", id, path)
	}
	return verdict.TimelineOf(all, req, verdictFor(decided, id)), nil
}

// verdictFor is the last verdict about id: a late reply overrules a no_reply.
func verdictFor(vs []verdict.Verdict, id string) *verdict.Verdict {
	var v *verdict.Verdict
	for i := range vs {
		if vs[i].MessageID == id {
			v = &vs[i]
		}
	}
	return v
}

// whyLive watches the vhost with the firehose until the request is seen
// and decided, or the reply window (plus a margin) has passed.
func whyLive(ctx context.Context, b *brokerFlags, vhost, id string, window time.Duration) (verdict.Timeline, error) {
	broker, cfg, err := b.broker()
	if err != nil {
		return verdict.Timeline{}, err
	}
	if window == 0 {
		window = cfg.ReplyWindow
	}
	// A request sent now is decided within its window; one that never
	// shows is not waited for longer than that.
	ctx, cancel := context.WithTimeout(ctx, window+10*time.Second)
	defer cancel()
	st := cfg.NewStore()
	failed := make(chan error, 1)
	w, err := broker.Watch(ctx, observe.WatchSpec{VHost: vhost, Mode: capture.ModeFirehose}, st.Sink(nil), func(s connector.State) { reportState(s, failed) })
	if err != nil {
		return verdict.Timeline{}, err
	}
	defer w.Close()
	fmt.Fprintf(os.Stderr, "mqscope: watching %s for the request %s (up to %s after it is seen)\n", vhost, id, window)
	return followRequest(ctx, st, verdict.NewTracker(verdict.Options{ReplyWindow: window, Refused: broker.RefusedHook(ctx)}), id, failed)
}

// followRequest feeds the tracker from the store until id is decided.
func followRequest(ctx context.Context, st *store.Store, tr *verdict.Tracker, id string, failed <-chan error) (verdict.Timeline, error) {
	tick := time.NewTicker(verdictTick)
	defer tick.Stop()
	var cursor uint64
	var decided []verdict.Verdict
	for {
		var entries []store.Entry
		entries, cursor = st.Since(cursor)
		for i := range entries {
			decided = append(decided, tr.Observe(&entries[i])...)
		}
		if v := verdictFor(decided, id); v != nil {
			all, _ := st.Since(0)
			req, _ := verdict.Find(all, id)
			return verdict.TimelineOf(all, req, v), nil
		}
		select {
		case <-st.Changed():
		case now := <-tick.C:
			decided = append(decided, tr.Tick(now)...)
		case err := <-failed:
			return verdict.Timeline{}, err
		case <-ctx.Done():
			all, _ := st.Since(0)
			if req, ok := verdict.Find(all, id); ok {
				return verdict.TimelineOf(all, req, nil), nil
			}
			return verdict.Timeline{}, fmt.Errorf("the request %s was not seen", id)
		}
	}
}
