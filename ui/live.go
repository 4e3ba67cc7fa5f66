package ui

import (
	"context"
	"sync"
	"time"

	"mqscope/capture"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
	"mqscope/store"
)

// storeChangedMsg says the store signalled new or evicted messages.
type storeChangedMsg struct{}

// frameMsg is the frame tick that follows a change: time to pull.
type frameMsg struct{ at time.Time }

// rateTickMsg updates the rates once a second, traffic or not.
type rateTickMsg struct{ at time.Time }

// eventsMsg carries the rare events (connection states, unmatched replies)
// queued since the last drain, in order.
type eventsMsg []tea.Msg

// stateMsg is a connection state change of one worker of session gen.
type stateMsg struct {
	state connector.State
	gen   int
}

// unmatchedMsg is a reply on the queue of session gen that matched no
// request.
type unmatchedMsg struct {
	msg capture.Message
	gen int
}

// frameInterval caps redraws at about 30 per second whatever the broker
// rate: many appends between two frames become one pull.
const frameInterval = 33 * time.Millisecond

// During a burst (more than burstFrameRows appended since the last frame,
// about 6,000 a second) frames come every burstFrameInterval: nobody reads
// rows scrolling by that fast, and drawing took a third of the CPU the UI
// spent per message, which it then could not spend taking messages.
const (
	burstFrameRows     = 200
	burstFrameInterval = 100 * time.Millisecond
)

// frameEvery is the interval to the next frame after one that found
// appended rows more.
func frameEvery(appended uint64) time.Duration {
	if appended > burstFrameRows {
		return burstFrameInterval
	}
	return frameInterval
}

// waitForChange blocks on the store's capacity-1 signal channel.
func waitForChange(ctx context.Context, changed <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-changed:
			return storeChangedMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

func frameTickCmd(every time.Duration) tea.Cmd {
	return tea.Tick(every, func(t time.Time) tea.Msg { return frameMsg{at: t} })
}

func rateTickCmd() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return rateTickMsg{at: t} })
}

// eventQueue carries rare events from connector goroutines to the UI. Push
// never blocks and never drops (the queue grows instead); events are rare,
// so it stays small.
type eventQueue struct {
	mu     sync.Mutex
	items  []tea.Msg
	signal chan struct{}
}

func newEventQueue() *eventQueue {
	return &eventQueue{signal: make(chan struct{}, 1)}
}

func (q *eventQueue) push(m tea.Msg) {
	q.mu.Lock()
	q.items = append(q.items, m)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// wait returns the events queued so far, waiting for the first.
func (q *eventQueue) wait(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-q.signal:
		case <-ctx.Done():
			return nil
		}
		q.mu.Lock()
		items := q.items
		q.items = nil
		q.mu.Unlock()
		return eventsMsg(items)
	}
}

// rateMeter measures rows per second and splits them by what they are, so
// that the parts add up to the whole: first sightings on each watched
// queue (or exchange), replies, other first sightings, and deliveries
// (later sightings of a message already listed: the firehose's deliver
// after its publish, the firehose's copy of a request sent from compose).
// Rates are averaged over the last rateWindow one-second buckets: Neon
// traffic is often a message every few seconds per queue, which a single
// one-second window shows as a flicker between 0 and 1.
type rateMeter struct {
	cursor      uint64        // last seq counted
	read        []store.Entry // the last read, whose room the next one reuses
	windowStart time.Time
	counts      map[string]int // the open bucket, by watched name or rate kind
	watched     []string
	buckets     []rateBucket // closed buckets, oldest first, at most rateWindow

	overall  float64
	perQueue map[string]float64 // by watched name
	kinds    map[string]float64 // by rate kind (rateReplies, rateOther, rateDeliver)
}

// The rate kinds besides the watched names. They start with NUL so that no
// watched name can be one of them.
const (
	rateReplies = "\x00replies"
	rateOther   = "\x00other"
	rateDeliver = "\x00deliver"
	rateVerdict = "\x00verdicts"
)

// rateKinds are the kinds in the order the status bar shows them, with
// their labels.
var rateKinds = [...][2]string{{rateReplies, "replies"}, {rateOther, "other"}, {rateDeliver, "deliver"}, {rateVerdict, "verdicts"}}

// rateBucket is one closed measuring interval.
type rateBucket struct {
	seconds float64
	counts  map[string]int
}

// rateWindow is how many buckets the rates average over.
const rateWindow = 10

// sampleLimit bounds how many new entries one frame inspects; the rest of
// a larger burst is counted as "other" without being looked at.
const sampleLimit = 4096

func newRateMeter(watched []string) rateMeter {
	return rateMeter{watched: watched, counts: map[string]int{}, perQueue: map[string]float64{}, kinds: map[string]float64{}}
}

// observe counts the rows appended since the last call: verdict rows as a
// kind of their own, so that the parts add up to the rows the list gains.
// Gap markers are not counted.
func (r *rateMeter) observe(s *store.Store) {
	entries, next := s.SinceNWithoutValues(r.read, r.cursor, sampleLimit)
	r.read, r.cursor = entries, next
	if len(entries) == sampleLimit {
		total := s.Stats().Total
		r.counts[rateOther] += int(total - min(next, total))
		r.cursor = total // skip the rest of a burst
	}
	for i := range entries {
		if e := &entries[i]; e.Msg.Event != capture.EventGap {
			r.counts[r.kindOf(e)]++
		}
	}
}

// kindOf is what e counts as: the watched name it was first seen on, or a
// rate kind.
func (r *rateMeter) kindOf(e *store.Entry) string {
	if e.Msg.Event == capture.EventVerdict {
		return rateVerdict
	}
	if e.Origin != 0 {
		return rateDeliver
	}
	for _, w := range r.watched {
		if e.Msg.Queue == w || e.Msg.Exchange == w {
			return w
		}
	}
	if isReplyRow(e) {
		return rateReplies
	}
	return rateOther
}

// tick closes the open bucket when a second has passed and recomputes the
// averages over the buckets kept.
func (r *rateMeter) tick(now time.Time) {
	if r.windowStart.IsZero() {
		// The first tick opens the first bucket: what arrived before it
		// has no interval to be a rate over.
		r.windowStart, r.counts = now, map[string]int{}
		return
	}
	elapsed := now.Sub(r.windowStart).Seconds()
	if elapsed < 0.5 {
		return
	}
	r.buckets = append(r.buckets, rateBucket{seconds: elapsed, counts: r.counts})
	if len(r.buckets) > rateWindow {
		r.buckets = r.buckets[len(r.buckets)-rateWindow:]
	}
	r.counts = map[string]int{}
	r.windowStart = now
	r.average()
}

// average recomputes the rates from the closed buckets: the overall rate
// is the sum of the parts.
func (r *rateMeter) average() {
	var seconds float64
	sums := map[string]int{}
	total := 0
	for _, b := range r.buckets {
		seconds += b.seconds
		for k, n := range b.counts {
			sums[k] += n
			total += n
		}
	}
	r.overall = float64(total) / seconds
	for _, w := range r.watched {
		r.perQueue[w] = float64(sums[w]) / seconds
	}
	for _, k := range rateKinds {
		r.kinds[k[0]] = float64(sums[k[0]]) / seconds
	}
}
