package observe

import (
	"context"

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
		w.tracer.ensure(ctx)
	}
	ch, deliveries, err := w.openPrivate(conn, traceExchange, traceKeys, nil)
	if err == nil {
		w.checkFirehoseQueues(ctx, conn)
	}
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
		replyTo, m.Decoded = neonReplyQueue(m.Body)
	}
	qc.settle(&m, replyTo)
	if w.filter.keep(&m, replyTo) {
		w.sink(m)
	}
}
