package observe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"mqscope/capture"
	"mqscope/connector"
)

// TracerPollInterval is how often a firehose asks the management API
// whether its vhost's tracer is still on (one small GET per vhost, however
// many watches read it): tracing switched off under a running watch is
// noticed within this time, marked as a gap, and switched on again when
// the credentials may.
var TracerPollInterval = 5 * time.Second

// tracerRegistry holds, per management API and vhost, the firehose
// watches of one Broker, so that two of them do not switch the tracer off
// under each other and one poll serves them all. The lock is held across
// the management API calls, so that a second watch waits for the first
// one's decision.
type tracerRegistry struct {
	mu   sync.Mutex
	uses map[string]*tracerUse
}

func newTracerRegistry() *tracerRegistry {
	return &tracerRegistry{uses: make(map[string]*tracerUse)}
}

// tracerUse is one vhost's tracer as the watches of one Broker use it.
type tracerUse struct {
	watches map[*Watch]struct{}
	queues  map[string]struct{} // the private queues of those watches, which are not "someone else"
	// known is false when the management API would not say whether the
	// tracer is on (a user without the management tag): the watches read
	// what arrives, and nothing is switched on or off.
	known  bool
	caveat error // when not known: why, and what to do
	// switchedOn: this Broker switched it on (also remembered in the
	// state directory, for the next mqscope when this one is killed).
	switchedOn bool
	lastOn     time.Time // when the tracer was last known to be on
	offSince   time.Time // zero, or since when it is off and could not be switched on again
	stop       context.CancelFunc
}

// tracerLease is one firehose watch's hold on its vhost's tracer.
type tracerLease struct {
	b     *Broker
	reg   *tracerRegistry
	vhost string
	key   string
	w     *Watch
}

func (l *tracerLease) record() tracingRecord {
	return tracingRecordOf(l.b.StateDir, l.b.Mgmt.URL(), l.vhost)
}

// acquireTracer makes sure the vhost's tracer is on for w, switching it on
// through the management API when it is off. A user whom the management
// API does not answer (no management tag) still gets the watch, with a
// caveat: an administrator may have switched the tracer on for them.
func acquireTracer(ctx context.Context, b *Broker, vhost string, w *Watch) (*tracerLease, error) {
	l := &tracerLease{b: b, reg: b.tracerRegistry(), vhost: vhost, key: b.Mgmt.URL() + " " + vhost, w: w}
	l.reg.mu.Lock()
	defer l.reg.mu.Unlock()
	if u := l.reg.uses[l.key]; u != nil {
		u.add(w)
		w.caveat = u.caveat
		return l, nil
	}
	u := &tracerUse{watches: map[*Watch]struct{}{}, queues: map[string]struct{}{}}
	u.add(w)
	info, err := b.Mgmt.VHost(ctx, vhost)
	switch {
	case err != nil:
		u.caveat = l.unknown(err)
		w.caveat = u.caveat
	case !info.Tracing && b.ReadOnly != nil:
		return nil, b.ReadOnly.tracerOff(vhost)
	case !info.Tracing:
		if err := l.switchOn(ctx, u); err != nil {
			return nil, l.cannotSwitch(err)
		}
	}
	if err == nil {
		u.known, u.lastOn = true, time.Now()
		l.startPolling(u)
	}
	l.reg.uses[l.key] = u
	return l, nil
}

func (u *tracerUse) add(w *Watch) {
	u.watches[w] = struct{}{}
	u.queues[w.private] = struct{}{}
}

// unknown is the caveat of a firehose that cannot tell whether the tracer
// is on, err being why: what to do when nothing arrives.
func (l *tracerLease) unknown(err error) error {
	why := err.Error()
	var aerr *APIError
	if errors.As(err, &aerr) && (aerr.Status == http.StatusUnauthorized || aerr.Status == http.StatusForbidden) {
		why = fmt.Sprintf("user %q may not ask the management API: %v", l.b.Client.User(), err)
	}
	return fmt.Errorf("cannot tell whether tracing is on in vhost %q (%s): if no message arrives, an administrator can run `rabbitmqctl trace_on -p %s`", l.vhost, why, l.vhost)
}

// switchOn switches the tracer on and remembers that mqscope did. The
// caller holds the registry's lock.
func (l *tracerLease) switchOn(ctx context.Context, u *tracerUse) error {
	if err := l.b.Mgmt.SetTracing(ctx, l.vhost, true); err != nil {
		return err
	}
	u.switchedOn = true
	// Without the record an mqscope killed now would leave the tracer on
	// for good; with no state directory, that is the cost.
	_ = l.record().write(l.b.Mgmt.URL(), l.vhost)
	return nil
}

// startPolling checks the tracer every TracerPollInterval until the last
// lease is released.
func (l *tracerLease) startPolling(u *tracerUse) {
	ctx, cancel := context.WithCancel(context.Background())
	u.stop = cancel
	go pollEvery(ctx, TracerPollInterval, func() bool { l.check(ctx); return false })
}

// check looks at the tracer once: found off under the running watches, it
// is switched on again and the time it was off is marked as a gap in every
// watch; when it may not be switched on, the watches say they see nothing
// (StateReconnecting, with TracingOffError) until it is on again.
func (l *tracerLease) check(ctx context.Context) {
	l.reg.mu.Lock()
	defer l.reg.mu.Unlock()
	u := l.reg.uses[l.key]
	if u == nil || !u.known || ctx.Err() != nil {
		return
	}
	info, err := l.b.Mgmt.VHost(ctx, l.vhost)
	if err != nil {
		return // cannot tell now; the next poll asks again
	}
	now := time.Now()
	if info.Tracing {
		if !u.offSince.IsZero() {
			u.back(u.offSince, now, "tracing was switched off in the vhost")
		}
		u.offSince, u.lastOn = time.Time{}, now
		return
	}
	// Whoever switched it off: a record of mqscope's is out of date.
	l.record().remove()
	u.switchedOn = false
	if l.b.ReadOnly == nil && l.switchOn(ctx, u) == nil {
		from := u.offSince
		if from.IsZero() {
			from = u.lastOn
		}
		u.back(from, now, "tracing was switched off in the vhost; mqscope switched it on again")
		u.offSince, u.lastOn = time.Time{}, now
		return
	}
	if u.offSince.IsZero() {
		u.offSince = u.lastOn
	}
	off := &TracingOffError{VHost: l.vhost, User: l.b.Client.User()}
	for w := range u.watches {
		w.emit(connector.State{Worker: w.spec.String(), VHost: l.vhost, Kind: connector.StateReconnecting, Err: off, Retry: TracerPollInterval, Time: now})
	}
}

// back tells every watch that the tracer is on again after a stretch it
// could not see: a gap marker, and "connected" again.
func (u *tracerUse) back(from, to time.Time, reason string) {
	for w := range u.watches {
		g := capture.Gap{Watch: w.spec.String(), From: from, To: to, Reason: reason}
		w.sink(g.Marker(w.spec.VHost, w.spec.Exchange, w.spec.Queue, w.spec.Mode))
		w.emit(connector.State{Worker: w.spec.String(), VHost: w.spec.VHost, Kind: connector.StateConnected, Time: to})
	}
}

// TracingOffError says that a firehose sees nothing because the vhost's
// tracer was switched off under it, and its user may not switch it on.
type TracingOffError struct{ VHost, User string }

func (e *TracingOffError) Error() string {
	return fmt.Sprintf("tracing was switched off in vhost %q and user %q may not switch it on: nothing arrives until an administrator runs `rabbitmqctl trace_on -p %s`", e.VHost, e.User, e.VHost)
}

// Waiting reports whether err, the Err of a StateReconnecting, says why a
// watch that is connected sees nothing for now (its vhost's tracer was
// switched off, its queue is not there yet), rather than why it lost its
// connection. Retry is then when it looks again.
func Waiting(err error) bool {
	var off *TracingOffError
	var missing *QueueMissingError
	return errors.As(err, &off) || errors.As(err, &missing)
}

// ensure checks the tracer at once after a reconnect: the broker may have
// restarted and forgotten the tracing, whoever had switched it on.
func (l *tracerLease) ensure(ctx context.Context) {
	l.check(ctx)
}

// release gives the lease back. The last firehose of the Broker on the
// vhost switches the tracer off when mqscope switched it on (this process,
// or an earlier one that could not: see tracingRecord) and no other
// firehose reads it; an operator's tracer is left on.
func (l *tracerLease) release(ctx context.Context) error {
	l.reg.mu.Lock()
	defer l.reg.mu.Unlock()
	u := l.reg.uses[l.key]
	if u == nil {
		return nil
	}
	delete(u.watches, l.w)
	if len(u.watches) > 0 {
		return nil
	}
	delete(l.reg.uses, l.key)
	if u.stop != nil {
		u.stop()
	}
	if !u.known || !(u.switchedOn || l.record().exists()) || l.b.ReadOnly != nil {
		return nil
	}
	return l.switchOffIfLast(ctx, u)
}

// switchOffIfLast switches off a tracer that mqscope switched on, unless
// another firehose (another mqscope, any consumer of the trace exchange)
// still reads it: that one switches it off when it ends.
func (l *tracerLease) switchOffIfLast(ctx context.Context, u *tracerUse) error {
	info, err := l.b.Mgmt.VHost(ctx, l.vhost)
	if err == nil && !info.Tracing {
		l.record().remove()
		return nil
	}
	readers := 0
	if err == nil {
		readers, err = l.otherReaders(ctx, u.queues)
	}
	if err != nil {
		return fmt.Errorf("left the firehose tracer of vhost %q on: could not tell whether another firehose reads it (%v); the next mqscope firehose that ends there switches it off, or an administrator can run `rabbitmqctl trace_off -p %s`", l.vhost, err, l.vhost)
	}
	if readers > 0 {
		return nil
	}
	if err := l.b.Mgmt.SetTracing(ctx, l.vhost, false); err != nil {
		return fmt.Errorf("could not switch the firehose tracer of vhost %q off again (%v): an administrator can run `rabbitmqctl trace_off -p %s`", l.vhost, err, l.vhost)
	}
	l.record().remove()
	return nil
}

// otherReaders counts the queues bound to the vhost's trace exchange,
// other than ours, that have a consumer: other mqscope firehoses (their
// private queues), or anyone's own trace queue. The bindings come from the
// management API; the consumer counts from a passive declare, which is
// exact at once where the management API's statistics lag by seconds. A
// queue left by a killed mqscope has no consumer and does not count.
func (l *tracerLease) otherReaders(ctx context.Context, ours map[string]struct{}) (int, error) {
	bound, err := l.b.Mgmt.BoundQueues(ctx, l.vhost, traceExchange)
	if err != nil {
		return 0, err
	}
	var names []string
	for _, q := range bound {
		if _, mine := ours[q]; !mine {
			names = append(names, q)
		}
	}
	if len(names) == 0 {
		return 0, nil
	}
	infos, err := l.b.Client.InspectQueues(ctx, l.vhost, names...)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, info := range infos {
		if info.Exists && info.Consumers > 0 {
			n++
		}
	}
	return n, nil
}

// cannotSwitch explains a failed switch of the tracer and how an
// administrator switches it on instead.
func (l *tracerLease) cannotSwitch(err error) error {
	var aerr *APIError
	what := "mqscope cannot switch it on"
	if errors.As(err, &aerr) && (aerr.Status == http.StatusUnauthorized || aerr.Status == http.StatusForbidden) {
		what = fmt.Sprintf("user %q may not switch it on", l.b.Client.User())
	}
	return fmt.Errorf("firehose on vhost %q needs the broker's tracer, which is off, and %s (%v): an administrator can run `rabbitmqctl trace_on -p %s` (or set tracing on the vhost in the management UI), or watch with tap or peek instead",
		l.vhost, what, err, l.vhost)
}
