package observe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mqscope/capture"
	"mqscope/connector"

	amqp "github.com/rabbitmq/amqp091-go"
)

// DefaultPeekInterval is how long peek waits between two rounds of gets.
const DefaultPeekInterval = 500 * time.Millisecond

// WatchSpec says what one watch observes and how (docs/wire.md §6).
type WatchSpec struct {
	VHost string
	// Queue is the queue to watch: required for peek and consume; optional
	// for firehose, where it keeps only the traffic of that queue (what is
	// published to it, what it delivers, and the replies to its requests).
	Queue string
	// Exchange is the exchange a tap binds to (required for tap). For
	// firehose it optionally keeps only what was published to that exchange.
	Exchange string
	// BindingKey is the tap's binding key. Empty means "#", which copies
	// everything from a topic exchange and is ignored by fanout and headers
	// exchanges; a direct exchange needs the exact routing key.
	BindingKey string
	Mode       capture.Mode
	// PeekInterval is the pause between peek rounds; default 500 ms.
	PeekInterval time.Duration
	// Limit, for consume, is how many messages to take before stopping
	// (0: no limit). The prefetch is capped to it and nothing past it is
	// acknowledged, so `tail --mode consume --count N` takes exactly N and
	// leaves the rest in the queue.
	Limit int
	// WaitForQueue, for peek and consume, waits for a queue that does not
	// exist yet instead of failing: the watch reports StateReconnecting
	// with a *QueueMissingError (see Waiting) and looks again every
	// QueuePollInterval.
	WaitForQueue bool
	// Queues, for firehose, are more queues whose traffic to keep besides
	// Queue. One firehose watch reads every trace message of its vhost, so
	// OpenSession merges the firehose watches of one vhost into one watch
	// instead of reading (and showing) each trace message once per queue.
	Queues []string
}

// firehoseQueues is every queue a firehose watch keeps the traffic of; none
// means the whole vhost.
func (s WatchSpec) firehoseQueues() []string {
	if s.Queue == "" {
		return s.Queues
	}
	return append([]string{s.Queue}, s.Queues...)
}

// String is a short label for the UI and for State.Worker, such as
// "firehose /neon_api neon_api_input" or "tap /llm chat_gpt_persona_updated #".
func (s WatchSpec) String() string {
	parts := []string{string(s.Mode), s.VHost}
	switch s.Mode {
	case capture.ModeTap:
		parts = append(parts, s.Exchange, s.bindingKey())
	case capture.ModeFirehose:
		parts = append(parts, strings.Join(s.firehoseQueues(), ","))
		if s.Exchange != "" {
			parts = append(parts, "exchange "+s.Exchange)
		}
	default:
		parts = append(parts, s.Queue)
	}
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " ")
}

// Warning is the caveat the UI must show next to a watch in this mode, or ""
// for the modes that change nothing.
func (s WatchSpec) Warning() string {
	switch s.Mode {
	case capture.ModePeek:
		return "peek sets redelivered and can reorder messages; it races the real consumer"
	case capture.ModeConsume:
		return "consume is destructive: messages are taken away from the service"
	}
	return ""
}

// ParseMode reads an observation mode name as typed by a person.
func ParseMode(s string) (capture.Mode, error) {
	switch m := capture.Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case capture.ModeFirehose, capture.ModeTap, capture.ModePeek, capture.ModeConsume:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q (choose firehose, tap, peek or consume)", s)
}

func (s WatchSpec) bindingKey() string {
	if s.BindingKey == "" {
		return "#"
	}
	return s.BindingKey
}

// validate checks that the spec names what its mode needs.
func (s WatchSpec) validate() error {
	if s.VHost == "" {
		return fmt.Errorf("watch %s: no vhost given", s.Mode)
	}
	switch s.Mode {
	case capture.ModeFirehose:
		return nil
	case capture.ModeTap:
		if s.Exchange == "" {
			return errors.New("tap needs an exchange: the default exchange cannot be bound (watch a queue with firehose or peek instead)")
		}
		return nil
	case capture.ModePeek, capture.ModeConsume:
		if s.Queue == "" {
			return fmt.Errorf("%s needs a queue", s.Mode)
		}
		return nil
	}
	_, err := ParseMode(string(s.Mode))
	return err
}

// Watch is one running observation. It reconnects by itself until Close or
// the end of the context it was started with.
type Watch struct {
	client  *connector.Client
	mgmt    *Management
	spec    WatchSpec
	sink    func(capture.Message)
	report  func(connector.State)
	private string       // name of the watch's private queue (firehose, tap)
	tracer  *tracerLease // firehose: this watch's hold on the vhost's tracer
	filter  *traceFilter // firehose: what to keep

	// caveat, set before the watch starts, is what limits what it can see
	// (the tracer's state is unknown, say): its "connected" states carry
	// it as Err, so that the UI and tail show it as a warning.
	caveat error

	taken     atomic.Int64 // consume: messages taken, for Limit
	signalled atomic.Bool  // the first setup's outcome was sent to Watch
	started   atomic.Bool  // the first setup succeeded: states are reported

	// Owned by the goroutine that runs the sessions (and, after them,
	// cleanup), so unguarded.
	lostAt      time.Time      // when the last session ended: a gap's start
	privateLive bool           // the private queue was declared and not yet deleted
	unacked     map[uint64]int // marks of deliveries shown but not acknowledged (see keepUnacked)
	budget      *consumeBudget // consume with a limit: the current channel's budget

	mu          sync.Mutex
	failure     error // why the watch stopped by itself, if it did
	queueCaveat error // what the watched queue limits: missing, a stream, a standby consumer

	cancel   context.CancelFunc
	done     chan struct{}
	closeErr error // set before done is closed
}

// Watch starts observing and returns once the first setup has succeeded, so
// a missing queue or exchange, a missing permission or a firehose tracer that
// cannot be switched on fail here with one line. It then runs in the
// background, reconnecting with backoff, until Close or the end of ctx.
//
// Firehose and tap read a private queue that outlives a short disconnect
// (it expires a minute after its last consumer went), so what was published
// while the watch was away arrives after the reconnect. When that queue was
// lost meanwhile, the watch passes a gap marker (EventGap, see Gap) to sink
// before the messages that follow it.
//
// sink receives every observed message on the consumer goroutine and must not
// block. report (may be nil) receives connection states; a broker error that
// retrying cannot fix (the queue was deleted, access was refused) stops
// the watch and is reported as StateFailed, leaving other watches alone.
//
// Firehose messages are unwrapped into the original message; its headers are
// in Message.Headers, plus x-trace-user, x-trace-connection and x-trace-node,
// which say who published it or which connection it was delivered to.
// Deliveries to mqscope's own private queues are left out.
func (b *Broker) Watch(ctx context.Context, spec WatchSpec, sink func(capture.Message), report func(connector.State)) (*Watch, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if err := b.ReadOnly.RefuseMode(spec.Mode); err != nil {
		return nil, err
	}
	if spec.PeekInterval <= 0 {
		spec.PeekInterval = DefaultPeekInterval
	}
	if sink == nil {
		sink = func(capture.Message) {}
	}
	c := b.Client
	conn, err := c.Dial(ctx, spec.VHost)
	if err != nil {
		return nil, err
	}
	w := &Watch{client: c, mgmt: b.Mgmt, spec: spec, sink: sink, report: report, done: make(chan struct{})}
	if spec.Mode == capture.ModeFirehose || spec.Mode == capture.ModeTap {
		w.private = privateQueuePrefix + string(spec.Mode) + "." + connector.NewMessageID()[:12]
	}
	if spec.Mode == capture.ModeFirehose {
		w.filter = newTraceFilter(spec)
		if w.tracer, err = acquireTracer(ctx, b, spec.VHost, w); err != nil {
			conn.Close()
			return nil, err
		}
	}
	if err := w.start(ctx, conn); err != nil {
		_ = w.Close()
		return nil, err
	}
	return w, nil
}

// start runs the supervise loop in the background and waits for the outcome
// of the first setup.
func (w *Watch) start(ctx context.Context, conn *amqp.Connection) error {
	ready := make(chan error, 1)
	runCtx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	go func() {
		defer close(w.done)
		_ = w.client.Supervise(runCtx, conn, w.spec.String(), w.spec.VHost, w.session(ready), w.onState)
		w.closeErr = w.cleanup()
	}()
	select {
	case err := <-ready:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Spec is what the watch observes.
func (w *Watch) Spec() WatchSpec { return w.spec }

// Done is closed when the watch has stopped: after Close, at the end of its
// context, or when it failed (see Err).
func (w *Watch) Done() <-chan struct{} { return w.done }

// Err is the reason the watch stopped by itself, or nil.
func (w *Watch) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failure
}

// Close stops the watch and waits until it has: its private queue is deleted
// and the firehose tracer is switched off again if this watch was the last
// one that needed it switched on by mqscope. The error says that restoring
// the tracer failed. Close may be called more than once.
func (w *Watch) Close() error {
	w.cancel()
	<-w.done
	return w.closeErr
}

// cleanup releases what outlives the connection: the private queue, if
// the last connection could not delete it, and the tracer.
func (w *Watch) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w.deletePrivate(ctx)
	if w.tracer == nil {
		return nil
	}
	return w.tracer.release(ctx)
}

// onState receives supervise's states. Its "connected" comes before the
// mode's setup, so it is dropped: the session reports "connected" once the
// watch is observing again.
func (w *Watch) onState(s connector.State) {
	if s.Kind != connector.StateConnected {
		w.emit(s)
	}
}

// emit reports s once the watch has started (before, the outcome is Watch's
// return value), turning the final "closed" into "failed" when the watch
// stopped on an error.
func (w *Watch) emit(s connector.State) {
	if !w.started.Load() || w.report == nil {
		return
	}
	if err := w.Err(); s.Kind == connector.StateClosed && err != nil {
		s.Kind, s.Err = connector.StateFailed, err
	}
	w.report(s)
}

// session is the work of one connection: the mode's setup and loop.
func (w *Watch) session(ready chan<- error) connector.Session {
	return func(ctx context.Context, conn *amqp.Connection, up func()) error {
		signal := func(err error) {
			if Waiting(err) {
				w.waiting(ready, err)
				return
			}
			// The first setup decides: after a failed one, Watch returns
			// the error and a later success must not report anything.
			first := !w.signalled.Swap(true)
			if first {
				ready <- err
			}
			if err == nil {
				up()
			}
			if err == nil && (first || w.started.Load()) {
				w.started.Store(true)
				w.emit(connector.State{Worker: w.spec.String(), VHost: w.spec.VHost, Kind: connector.StateConnected, Err: w.caveats(), Time: time.Now()})
			}
		}
		err := w.run(ctx, conn, signal)
		w.lostAt = time.Now()
		if connector.IsPermanent(err) && w.started.Load() {
			w.fail(err)
		}
		return err
	}
}

// waiting reports that the watch is connected but waits for its queue to
// appear: the first time, Watch returns, as the watch has started.
func (w *Watch) waiting(ready chan<- error, err error) {
	if !w.signalled.Swap(true) {
		ready <- nil
	}
	w.started.Store(true)
	w.emit(connector.State{Worker: w.spec.String(), VHost: w.spec.VHost, Kind: connector.StateReconnecting, Err: err, Retry: QueuePollInterval, Time: time.Now()})
}

// caveats is what limits what the watch sees, nil when nothing does: the
// tracer's state unknown, the queue missing, a stream, a standby consumer.
// A "connected" state carries it as Err, which the UI and tail show as a
// warning.
func (w *Watch) caveats() error {
	w.mu.Lock()
	q := w.queueCaveat
	w.mu.Unlock()
	switch {
	case w.caveat == nil:
		return q
	case q == nil:
		return w.caveat
	}
	return fmt.Errorf("%v; %v", w.caveat, q)
}

func (w *Watch) setQueueCaveat(err error) {
	w.mu.Lock()
	w.queueCaveat = err
	w.mu.Unlock()
}

// run dispatches to the mode.
func (w *Watch) run(ctx context.Context, conn *amqp.Connection, ready func(error)) error {
	switch w.spec.Mode {
	case capture.ModeFirehose:
		return w.runFirehose(ctx, conn, ready)
	case capture.ModeTap:
		return w.runTap(ctx, conn, ready)
	case capture.ModePeek:
		return w.runPeek(ctx, conn, ready)
	default:
		return w.runConsume(ctx, conn, ready)
	}
}

// fail records why the watch stops and stops it.
func (w *Watch) fail(err error) {
	w.mu.Lock()
	if w.failure == nil {
		w.failure = err
	}
	w.mu.Unlock()
	w.cancel()
}
