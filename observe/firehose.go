package observe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"mqscope/capture"

	amqp "github.com/rabbitmq/amqp091-go"
)

// traceExchange is the topic exchange RabbitMQ's tracer publishes to in
// every vhost where tracing is on.
const traceExchange = "amq.rabbitmq.trace"

// traceKeys bind the firehose's private queue to every publish and every
// delivery in the vhost.
var traceKeys = []string{"publish.#", "deliver.#"}

// runFirehose consumes the tracer's copies of every publish and delivery in
// the vhost through the private queue, unwraps each into the original
// message and keeps what the spec asks for.
func (w *Watch) runFirehose(ctx context.Context, conn *amqp.Connection, ready func(error)) error {
	if w.started.Load() {
		if err := w.tracer.ensure(ctx); err != nil {
			return err
		}
	}
	ch, deliveries, err := w.openPrivate(conn, traceExchange, traceKeys, nil)
	ready(err)
	if err != nil {
		return err
	}
	defer w.dropPrivate(ch)
	qc := newQueueCheck(conn)
	defer qc.close()
	n := notify(conn, ch)
	return w.consumeLoop(ctx, ch, w.private, deliveries, n, func(d *amqp.Delivery) bool {
		w.onTrace(d, qc)
		return true
	})
}

// onTrace unwraps one trace message, corrects its routes, and passes it on
// if the watch keeps it.
func (w *Watch) onTrace(d *amqp.Delivery, qc *queueCheck) {
	m, ok := unwrapTrace(d, w.spec.VHost)
	if !ok {
		return
	}
	if m.Event == capture.EventUnreadable {
		// Which queue it went to was in the headers it lost: better shown
		// to every firehose of the vhost than hidden from the one it was for.
		w.sink(m)
		return
	}
	replyTo := ""
	if m.Event == capture.EventPublish {
		replyTo = neonReplyQueue(m.Body)
	}
	qc.settle(&m, replyTo)
	if w.filter.keep(&m, replyTo) {
		w.sink(m)
	}
}

// tracers counts, per management API and vhost, the firehose watches of this
// process, so that two watches of one vhost do not switch its tracer off
// under each other. The lock is held across the management API calls so
// that a second watch waits for the first one's decision.
var tracers = struct {
	sync.Mutex
	uses map[string]*tracerUse
}{uses: make(map[string]*tracerUse)}

type tracerUse struct {
	refs       int
	switchedOn bool // mqscope switched tracing on, so it switches it off again
}

// tracerLease is one firehose watch's hold on its vhost's tracer.
type tracerLease struct {
	mgmt     *Management
	vhost    string
	user     string
	key      string
	readOnly *ReadOnly // set: use the tracer only if it is on, never switch it
}

// acquireTracer makes sure the vhost's tracer is on, switching it on through
// the management API when it is off, and records that this process needs it.
func acquireTracer(ctx context.Context, b *Broker, vhost string) (*tracerLease, error) {
	l := &tracerLease{mgmt: b.Mgmt, vhost: vhost, user: b.Client.User(), key: b.Mgmt.URL() + " " + vhost, readOnly: b.ReadOnly}
	tracers.Lock()
	defer tracers.Unlock()
	if u := tracers.uses[l.key]; u != nil {
		u.refs++
		return l, nil
	}
	info, err := l.mgmt.VHost(ctx, vhost)
	if err != nil {
		return nil, l.cannotSwitch(err)
	}
	use := &tracerUse{refs: 1}
	if !info.Tracing && l.readOnly != nil {
		return nil, l.readOnly.tracerOff(vhost)
	}
	if !info.Tracing {
		if err := l.mgmt.SetTracing(ctx, vhost, true); err != nil {
			return nil, l.cannotSwitch(err)
		}
		use.switchedOn = true
	}
	tracers.uses[l.key] = use
	return l, nil
}

// release gives the lease back; the last lease of a tracer that mqscope
// switched on switches it off again.
func (l *tracerLease) release(ctx context.Context) error {
	tracers.Lock()
	defer tracers.Unlock()
	u := tracers.uses[l.key]
	if u == nil {
		return nil
	}
	if u.refs--; u.refs > 0 {
		return nil
	}
	delete(tracers.uses, l.key)
	if !u.switchedOn {
		return nil
	}
	if err := l.mgmt.SetTracing(ctx, l.vhost, false); err != nil {
		return fmt.Errorf("could not switch the firehose tracer of vhost %q off again (%v): an administrator can run `rabbitmqctl trace_off -p %s`", l.vhost, err, l.vhost)
	}
	return nil
}

// ensure switches the tracer on again when it is off: after a reconnect
// the broker may have restarted and forgotten the tracing, whoever had
// switched it on, and without it the firehose sees nothing. Having switched
// it on, mqscope switches it off again when the last watch ends.
func (l *tracerLease) ensure(ctx context.Context) error {
	tracers.Lock()
	defer tracers.Unlock()
	u := tracers.uses[l.key]
	if u == nil {
		return nil
	}
	info, err := l.mgmt.VHost(ctx, l.vhost)
	if err == nil && !info.Tracing && l.readOnly != nil {
		return l.readOnly.tracerOff(l.vhost)
	}
	if err == nil && !info.Tracing {
		if err = l.mgmt.SetTracing(ctx, l.vhost, true); err == nil {
			u.switchedOn = true
		}
	}
	if err != nil {
		return l.cannotSwitch(err)
	}
	return nil
}

// cannotSwitch explains a failed check or switch of the tracer and how an
// administrator switches it on instead.
func (l *tracerLease) cannotSwitch(err error) error {
	var aerr *APIError
	what := "mqscope cannot check or switch it"
	if errors.As(err, &aerr) && (aerr.Status == http.StatusUnauthorized || aerr.Status == http.StatusForbidden) {
		what = fmt.Sprintf("user %q may not switch it on", l.user)
	}
	return fmt.Errorf("firehose on vhost %q needs the broker's tracer, and %s (%v): an administrator can run `rabbitmqctl trace_on -p %s` (or set tracing on the vhost in the management UI), or watch with tap or peek instead",
		l.vhost, what, err, l.vhost)
}
