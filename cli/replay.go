package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/internal/replay"
	"mqscope/observe"
	"mqscope/store"
	"mqscope/store/record"
)

// replayFlags are the flags of `mqscope replay`.
type replayFlags struct {
	brokerFlags
	filter, vhost, queue, speed, report, ignore string
	window                                      time.Duration
	dryRun                                      bool
}

// runReplay re-sends the requests of a recording and compares the replies.
func runReplay(ctx context.Context, args []string, stdout io.Writer) error {
	f, path, err := parseReplay(args)
	if err != nil {
		return err
	}
	reqs, err := loadRequests(path, f)
	if err != nil {
		return err
	}
	if len(reqs) == 0 {
		return fmt.Errorf("no request in %s matches (a request is a publish whose body names a routing_key)", path)
	}
	if f.dryRun {
		return printDryRun(stdout, reqs)
	}
	results, err := replayAll(ctx, f, reqs)
	if err != nil {
		return err
	}
	return summarize(stdout, results, f.report)
}

func parseReplay(args []string) (replayFlags, string, error) {
	fs := newFlagSet("replay", "F.db [--filter F] [--vhost V] [--queue Q] [--speed 1|N|max] [--window 30s] [--ignore a,b.c] [--report OUT.jsonl] [--dry-run]")
	var f replayFlags
	f.register(fs)
	fs.StringVar(&f.filter, "filter", "", "only the requests this filter selects (the UI's / language)")
	fs.StringVar(&f.vhost, "vhost", "", "send to this vhost instead of the recorded one")
	fs.StringVar(&f.queue, "queue", "", "send to this queue instead of the recorded one")
	fs.StringVar(&f.speed, "speed", "1", "the recorded pace times N (1, 2, 0.5…), or max: as fast as replies allow")
	fs.DurationVar(&f.window, "window", 30*time.Second, "how long each request waits for its reply")
	fs.StringVar(&f.ignore, "ignore", "", "comma-separated reply fields left out of the comparison (paths such as context.timing)")
	fs.StringVar(&f.report, "report", "", "write one JSON line per request to this file")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would be sent, send nothing")
	if err := parse(fs, args); err != nil {
		return f, "", err
	}
	if fs.NArg() != 1 {
		return f, "", usagef("replay: give one recording file (made with --record)")
	}
	if f.speed != "max" {
		if n, err := strconv.ParseFloat(f.speed, 64); err != nil || n <= 0 {
			return f, "", usagef("replay: --speed must be a positive number such as 1 or 10, or max")
		}
	}
	if f.window <= 0 {
		return f, "", usagef("replay: --window must be positive, such as 30s")
	}
	return f, fs.Arg(0), nil
}

// loadRequests reads the recording through a store, so that each request
// is counted once (not once per publish and deliver row) and has its
// recorded reply, and keeps those the filter selects.
func loadRequests(path string, f replayFlags) ([]replay.Request, error) {
	filter, err := store.ParseFilter(f.filter)
	if err != nil {
		return nil, usagef("replay: --filter: %v", err)
	}
	st := store.New(store.Options{})
	if err := record.ReadFile(path, func(m capture.Message) error { st.Append(m); return nil }); err != nil {
		return nil, err
	}
	all, _ := st.Since(0)
	var out []replay.Request
	for i := range all {
		e := &all[i]
		if !replay.IsRequest(e) || !filter.Match(e) {
			continue
		}
		if r, ok := replay.FromEntry(st, e); ok {
			out = append(out, retarget(r, f))
		}
	}
	return out, nil
}

// retarget sends r to --vhost and --queue when they are given.
func retarget(r replay.Request, f replayFlags) replay.Request {
	if f.vhost != "" {
		r.VHost = f.vhost
	}
	if f.queue != "" {
		r.Queue = f.queue
	}
	return r
}

// printDryRun says what would be sent, one request a line.
func printDryRun(w io.Writer, reqs []replay.Request) error {
	for _, r := range reqs {
		if _, err := fmt.Fprintf(w, "seq %d → %s %s: %s\n", r.Seq, r.VHost, r.Queue, neonwire.Repr(r.Body)); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d requests would be sent, each with a fresh message_id and mqscope's reply queue\n", len(reqs))
	return err
}

// replayAll sends the requests at the chosen pace and collects the results
// in recorded order.
func replayAll(ctx context.Context, f replayFlags, reqs []replay.Request) ([]replay.Result, error) {
	broker, _, err := f.broker()
	if err != nil {
		return nil, err
	}
	if err := broker.ReadOnly.Refuse(fmt.Sprintf("replay would publish %d requests", len(reqs))); err != nil {
		return nil, err
	}
	requesters := map[string]*observe.Requester{}
	defer func() {
		for _, r := range requesters {
			r.Close()
		}
	}()
	results := make([]replay.Result, len(reqs))
	progress := newProgress(len(reqs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, replay.MaxInFlight)
	ignore := splitList(f.ignore)
	for i := range reqs {
		if err := pace(ctx, f.speed, reqs, i); err != nil {
			break
		}
		req := requesters[reqs[i].VHost]
		if req == nil {
			// OpenRequester notes the reply queue, so that the queue of a
			// replay killed with SIGKILL is deleted by the next mqscope.
			if req, err = broker.OpenRequester(ctx, reqs[i].VHost, connector.RequesterOptions{}); err != nil {
				return nil, err
			}
			requesters[reqs[i].VHost] = req
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			results[i] = sendOne(ctx, req.Requester, reqs[i], f.window, ignore)
			progress.done(results[i])
		})
		if f.speed != "max" {
			wg.Wait() // at a recorded pace, one at a time, in order
		}
	}
	wg.Wait()
	progress.finish()
	return results, ctx.Err()
}

// pace waits until request i is due: its recorded gap after the one
// before, divided by the speed.
func pace(ctx context.Context, speed string, reqs []replay.Request, i int) error {
	if speed == "max" || i == 0 {
		return ctx.Err()
	}
	n, _ := strconv.ParseFloat(speed, 64)
	gap := time.Duration(float64(reqs[i].At.Sub(reqs[i-1].At)) / n)
	if gap <= 0 {
		return ctx.Err()
	}
	select {
	case <-time.After(gap):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sendOne sends one request as the Python library would and compares its
// reply with the recorded one.
func sendOne(ctx context.Context, req *connector.Requester, r replay.Request, window time.Duration, ignore []string) replay.Result {
	body, id := replay.Prepare(r, req.ReplyQueue())
	resp, err := req.Request(ctx, r.Queue, body, connector.RequestOptions{Timeout: window})
	return replay.Compare(r, id, resp, err, ignore...)
}

// summarize prints "N sent, R replied, D differ, T no reply" and the
// differing fields of the first few, writes the report, and makes the exit
// status: 0 only when every request was replied and none differs.
func summarize(w io.Writer, results []replay.Result, reportPath string) error {
	var t replay.Tally
	for _, r := range results {
		t.Add(r)
	}
	fmt.Fprintln(w, t)
	shown := 0
	for _, r := range results {
		if (r.Differs() || !r.Replied() && r.Verdict != "") && shown < 5 {
			shown++
			fmt.Fprintf(w, "  seq %d → %s (%s)%s\n", r.Seq, r.Queue, r.Verdict, diffSummary(r))
		}
	}
	if reportPath != "" {
		if err := writeReport(reportPath, results); err != nil {
			return err
		}
	}
	if t.Sent < len(results) || !t.Good() {
		return errReported
	}
	return nil
}

func diffSummary(r replay.Result) string {
	if r.Error != "" {
		return ": " + r.Error
	}
	var paths []string
	for _, d := range r.Diff {
		paths = append(paths, d.Kind+" "+d.Path)
	}
	if len(paths) == 0 {
		return ""
	}
	return ": " + strings.Join(paths, ", ")
}

// writeReport writes one JSON line per request.
func writeReport(path string, results []replay.Result) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("replay --report: %w", err)
	}
	enc := json.NewEncoder(f)
	for _, r := range results {
		if r.Verdict != "" {
			if err := enc.Encode(r); err != nil {
				f.Close()
				return err
			}
		}
	}
	return f.Close()
}
