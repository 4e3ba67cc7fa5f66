package observe

import (
	"context"

	"mqscope/capture"

	amqp "github.com/rabbitmq/amqp091-go"
)

// runTap binds the watch's private queue to the named exchange and passes on
// what arrives. It takes nothing from anyone: the exchange copies each
// message to every bound queue. For a headers exchange the binding has no
// arguments, which RabbitMQ treats as x-match all over no headers: every
// message matches.
func (w *Watch) runTap(ctx context.Context, conn *amqp.Connection, ready func(error)) error {
	ch, deliveries, err := w.openTap(conn)
	ready(err)
	if err != nil {
		return err
	}
	defer w.dropPrivate(ch)
	n := notify(conn, ch)
	return w.consumeLoop(ctx, ch, w.private, deliveries, n, func(d *amqp.Delivery) bool {
		// The private queue is not where the message was going, so Queue
		// stays empty; Exchange and RoutingKey say where it was published.
		w.sink(messageFromDelivery(d, w.spec.VHost, "", capture.EventDeliver, capture.ModeTap))
		return true
	})
}

// openTap checks that the exchange exists (a passive declare: a typo must
// not create one), then sets up the private queue.
func (w *Watch) openTap(conn *amqp.Connection) (*amqp.Channel, <-chan amqp.Delivery, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, nil, err
	}
	// The broker ignores the type of a passive declare.
	err = ch.ExchangeDeclarePassive(w.spec.Exchange, amqp.ExchangeTopic, false, false, false, false, nil)
	ch.Close()
	if err != nil {
		return nil, nil, w.explain(err, resource{kind: "exchange", name: w.spec.Exchange, verb: "read"})
	}
	return w.openPrivate(conn, w.spec.Exchange, []string{w.spec.bindingKey()}, nil)
}
