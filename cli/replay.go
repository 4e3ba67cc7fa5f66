package cli

import (
	"context"
	"encoding/json"
	"errors"
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
	"mqscope/internal/valuediff"
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

// maxInFlight bounds the requests a --speed max replay has waiting at once.
const maxInFlight = 64

// recorded is one request of a recording and what it got then.
type recorded struct {
	seq      uint64
	at       time.Time
	vhost    string
	queue    string
	body     *neonwire.Dict // without message_id and routing_key
	reply    neonwire.Value // nil when it got none
	latency  time.Duration
	hadReply bool
}

// replayResult is one line of the report.
type replayResult struct {
	Seq              uint64       `json:"seq"`
	MessageID        string       `json:"message_id"`
	VHost            string       `json:"vhost"`
	Queue            string       `json:"queue"`
	Verdict          string       `json:"verdict"`
	RecordedLatency  *float64     `json:"recorded_latency_ms"`
	Latency          *float64     `json:"latency_ms"`
	Diff             []diffChange `json:"diff"`
	Error            string       `json:"error,omitempty"`
	differs, replied bool
}

type diffChange struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
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
	results, err := replay(ctx, f, reqs)
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
func loadRequests(path string, f replayFlags) ([]recorded, error) {
	filter, err := store.ParseFilter(f.filter)
	if err != nil {
		return nil, usagef("replay: --filter: %v", err)
	}
	st := store.New(store.Options{})
	if err := record.ReadFile(path, func(m capture.Message) error { st.Append(m); return nil }); err != nil {
		return nil, err
	}
	all, _ := st.Since(0)
	var out []recorded
	for i := range all {
		e := &all[i]
		if e.ReplyQueue == "" || e.Origin != 0 || e.Msg.Event != capture.EventPublish || e.Pair != nil && e.Pair.IsReply || !filter.Match(e) {
			continue
		}
		out = append(out, requestOf(st, e, f))
	}
	return out, nil
}

// requestOf is the replayable form of a recorded request.
func requestOf(st *store.Store, e *store.Entry, f replayFlags) recorded {
	r := recorded{seq: e.Seq, at: e.Msg.Time, vhost: e.Msg.VHost, queue: e.Msg.Queue}
	if r.queue == "" {
		r.queue = e.Msg.RoutingKey
	}
	if f.vhost != "" {
		r.vhost = f.vhost
	}
	if f.queue != "" {
		r.queue = f.queue
	}
	d, _ := e.Decoded.Value.(*neonwire.Dict)
	r.body = &neonwire.Dict{Items: append([]neonwire.Item(nil), d.Items...)}
	r.body.Delete("message_id")
	r.body.Delete("routing_key")
	if e.Pair != nil {
		if rep, ok := st.Get(e.Pair.Seq); ok {
			r.reply, r.latency, r.hadReply = rep.Decoded.Value, e.Pair.Latency, true
		}
	}
	return r
}

// printDryRun says what would be sent, one request a line.
func printDryRun(w io.Writer, reqs []recorded) error {
	for _, r := range reqs {
		if _, err := fmt.Fprintf(w, "seq %d → %s %s: %s\n", r.seq, r.vhost, r.queue, neonwire.Repr(r.body)); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d requests would be sent, each with a fresh message_id and mqscope's reply queue\n", len(reqs))
	return err
}

// replay sends the requests at the chosen pace and collects the results
// in recorded order.
func replay(ctx context.Context, f replayFlags, reqs []recorded) ([]replayResult, error) {
	broker, _, err := f.broker()
	if err != nil {
		return nil, err
	}
	if err := broker.ReadOnly.Refuse(fmt.Sprintf("replay would publish %d requests", len(reqs))); err != nil {
		return nil, err
	}
	requesters := map[string]*connector.Requester{}
	defer func() {
		for _, r := range requesters {
			r.Close()
		}
	}()
	results := make([]replayResult, len(reqs))
	progress := newProgress(len(reqs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxInFlight)
	ignore := append([]string{"message_id", "routing_key"}, splitList(f.ignore)...)
	for i := range reqs {
		if err := pace(ctx, f.speed, reqs, i); err != nil {
			break
		}
		req := requesters[reqs[i].vhost]
		if req == nil {
			if req, err = broker.NewRequester(ctx, reqs[i].vhost, connector.RequesterOptions{}); err != nil {
				return nil, err
			}
			requesters[reqs[i].vhost] = req
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			results[i] = sendOne(ctx, req, reqs[i], f.window, ignore)
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
func pace(ctx context.Context, speed string, reqs []recorded, i int) error {
	if speed == "max" || i == 0 {
		return ctx.Err()
	}
	n, _ := strconv.ParseFloat(speed, 64)
	gap := time.Duration(float64(reqs[i].at.Sub(reqs[i-1].at)) / n)
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

// sendOne sends one request as the Python library would (routing_key,
// then a fresh message_id) and compares its reply with the recorded one.
func sendOne(ctx context.Context, req *connector.Requester, r recorded, window time.Duration, ignore []string) replayResult {
	body := &neonwire.Dict{Items: append([]neonwire.Item(nil), r.body.Items...)}
	id := connector.NewMessageID()
	body.Set("routing_key", req.ReplyQueue())
	body.Set("message_id", id)
	res := replayResult{Seq: r.seq, MessageID: id, VHost: r.vhost, Queue: r.queue, Diff: []diffChange{}}
	if r.hadReply {
		res.RecordedLatency = msPtr(r.latency)
	}
	resp, err := req.Request(ctx, r.queue, body, connector.RequestOptions{Timeout: window})
	var nr *connector.NoRouteError
	switch {
	case errors.Is(err, connector.ErrTimeout):
		res.Verdict = "no_reply"
		return res
	case errors.As(err, &nr):
		res.Verdict, res.Error = "unroutable", err.Error()
		return res
	case err != nil:
		res.Verdict, res.Error = "not_sent", err.Error()
		return res
	}
	res.Verdict, res.replied, res.Latency = "replied", true, msPtr(resp.Latency)
	if r.hadReply {
		for _, c := range valuediff.Diff(r.reply, resp.Value, ignore...) {
			res.Diff = append(res.Diff, diffChange{Path: c.Path, Kind: string(c.Kind), Old: reprOrEmpty(c.Old, c.Kind == valuediff.Added), New: reprOrEmpty(c.New, c.Kind == valuediff.Removed)})
		}
	}
	res.differs = len(res.Diff) > 0
	return res
}

func msPtr(d time.Duration) *float64 {
	ms := float64(d.Microseconds()) / 1000
	return &ms
}

func reprOrEmpty(v neonwire.Value, none bool) string {
	if none {
		return ""
	}
	return neonwire.Repr(v)
}

// summarize prints "N sent, R replied, D differ, T no reply" and the
// differing fields of the first few, writes the report, and makes the exit
// status: 0 only when every request was replied and none differs.
func summarize(w io.Writer, results []replayResult, reportPath string) error {
	var sent, replied, differ, noReply int
	for _, r := range results {
		if r.Verdict == "" {
			continue // not sent: interrupted
		}
		sent++
		if r.replied {
			replied++
		}
		if r.differs {
			differ++
		}
		if r.Verdict == "no_reply" {
			noReply++
		}
	}
	fmt.Fprintf(w, "%d sent, %d replied, %d differ, %d no reply\n", sent, replied, differ, noReply)
	shown := 0
	for _, r := range results {
		if (r.differs || !r.replied && r.Verdict != "") && shown < 5 {
			shown++
			fmt.Fprintf(w, "  seq %d → %s (%s)%s\n", r.Seq, r.Queue, r.Verdict, diffSummary(r))
		}
	}
	if reportPath != "" {
		if err := writeReport(reportPath, results); err != nil {
			return err
		}
	}
	if sent < len(results) || replied < sent || differ > 0 {
		return errReported
	}
	return nil
}

func diffSummary(r replayResult) string {
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
func writeReport(path string, results []replayResult) error {
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
