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

// stateMsg is a connection state change of one worker.
type stateMsg struct{ state connector.State }

// unmatchedMsg is a reply on the session's queue that matched no request.
type unmatchedMsg struct{ msg capture.Message }

// frameInterval caps redraws at about 30 per second whatever the broker
// rate: many appends between two frames become one pull.
const frameInterval = 33 * time.Millisecond

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

func frameTickCmd() tea.Cmd {
	return tea.Tick(frameInterval, func(t time.Time) tea.Msg { return frameMsg{at: t} })
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

// rateMeter measures msg/s overall and per watched queue, averaged over
// the last rateWindow one-second buckets: Neon traffic is often a message
// every few seconds per queue, which a single one-second window shows as a
// flicker between 0 and 1.
type rateMeter struct {
	cursor      uint64 // last seq counted
	windowStart time.Time
	lastTotal   uint64
	counts      map[string]int // the open bucket, by watched name
	watched     []string
	buckets     []rateBucket // closed buckets, oldest first, at most rateWindow

	overall  float64
	perQueue map[string]float64
}

// rateBucket is one closed measuring interval.
type rateBucket struct {
	seconds float64
	total   uint64
	counts  map[string]int
}

// rateWindow is how many buckets the rates average over.
const rateWindow = 10

// sampleLimit bounds how many new entries one frame inspects for the
// per-queue counts; a larger burst is counted overall only.
const sampleLimit = 4096

func newRateMeter(watched []string) rateMeter {
	return rateMeter{watched: watched, counts: map[string]int{}, perQueue: map[string]float64{}}
}

// observe counts the entries appended since the last call by watched name.
// Each message counts once: later sightings of it (the firehose's deliver
// after its publish) have an Origin. Gap markers are no messages.
func (r *rateMeter) observe(s *store.Store) {
	if len(r.watched) == 0 {
		return
	}
	entries, next := s.SinceN(r.cursor, sampleLimit)
	r.cursor = next
	if len(entries) == sampleLimit {
		r.cursor = s.Stats().Total // skip the rest of a burst
	}
	for i := range entries {
		e := &entries[i]
		if e.Origin != 0 || e.Msg.Event == capture.EventGap {
			continue
		}
		for _, w := range r.watched {
			if e.Msg.Queue == w || e.Msg.Exchange == w {
				r.counts[w]++
				break
			}
		}
	}
}

// tick closes the open bucket when a second has passed and recomputes the
// averages over the buckets kept.
func (r *rateMeter) tick(now time.Time, total uint64) {
	if r.windowStart.IsZero() {
		r.windowStart, r.lastTotal = now, total
		return
	}
	elapsed := now.Sub(r.windowStart).Seconds()
	if elapsed < 0.5 {
		return
	}
	r.buckets = append(r.buckets, rateBucket{seconds: elapsed, total: total - min(r.lastTotal, total), counts: r.counts})
	if len(r.buckets) > rateWindow {
		r.buckets = r.buckets[len(r.buckets)-rateWindow:]
	}
	r.counts = map[string]int{}
	r.windowStart, r.lastTotal = now, total
	r.average()
}

// average recomputes the rates from the closed buckets.
func (r *rateMeter) average() {
	var seconds float64
	var total uint64
	perQueue := map[string]int{}
	for _, b := range r.buckets {
		seconds += b.seconds
		total += b.total
		for q, n := range b.counts {
			perQueue[q] += n
		}
	}
	r.overall = float64(total) / seconds
	for _, w := range r.watched {
		r.perQueue[w] = float64(perQueue[w]) / seconds
	}
}
