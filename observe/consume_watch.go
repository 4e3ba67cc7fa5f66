package observe

import (
	"context"

	"mqscope/capture"

	amqp "github.com/rabbitmq/amqp091-go"
)

// runConsume consumes the watched queue itself: destructive, the messages
// no longer reach the service. Each is acknowledged only after the sink has
// had it, so none is lost if mqscope stops mid-stream.
func (w *Watch) runConsume(ctx context.Context, conn *amqp.Connection, ready func(error)) error {
	if w.spec.WaitForQueue {
		if ok, err := w.awaitQueue(ctx, conn, ready); !ok {
			return err
		}
	}
	ch, deliveries, err := w.openConsume(ctx, conn)
	ready(err)
	if err != nil {
		return err
	}
	defer ch.Close()
	n := notify(conn, ch)
	vhost, queue, limit := w.spec.VHost, w.spec.Queue, w.spec.Limit
	return w.consumeLoop(ctx, ch, queue, deliveries, n, func(d *amqp.Delivery) bool {
		w.sink(messageFromDelivery(d, vhost, queue, capture.EventConsume, capture.ModeConsume))
		return !w.tookLimit(limit)
	})
}

// openConsume consumes the queue, and finds out what that really does
// (see consumeCaveat).
func (w *Watch) openConsume(ctx context.Context, conn *amqp.Connection) (*amqp.Channel, <-chan amqp.Delivery, error) {
	ch, consumers, err := w.openQueue(conn)
	if err != nil {
		return nil, nil, err
	}
	w.setQueueCaveat(w.consumeCaveat(ctx, consumers))
	deliveries, err := w.consumeQueue(ch, w.spec.Queue)
	if err != nil {
		ch.Close()
		return nil, nil, err
	}
	return ch, deliveries, nil
}

// tookLimit counts one message taken and reports whether the consume limit
// is reached. The count lives in the Watch so that it holds across
// reconnects.
func (w *Watch) tookLimit(limit int) bool {
	if limit <= 0 {
		return false
	}
	return w.taken.Add(1) >= int64(limit)
}
