package observe

import (
	"context"
	"time"

	"mqscope/capture"
	"mqscope/connector"

	amqp "github.com/rabbitmq/amqp091-go"
)

// peekRoundMax bounds the gets of one peek round, so a long queue is shown
// by its head and the messages are held away from the real consumer only
// briefly.
const peekRoundMax = 100

// runPeek looks at the queue without taking from it: each round gets
// messages until the queue is empty (or peekRoundMax), passes them on, and
// puts them all back with one nack(requeue). The broker marks them
// redelivered and may reorder them, and while a round holds them the real
// consumer cannot have them; WatchSpec.Warning says so. A message that stays
// in the queue is seen again every round.
func (w *Watch) runPeek(ctx context.Context, conn *amqp.Connection, ready func(error)) error {
	if w.spec.WaitForQueue {
		if ok, err := w.awaitQueue(ctx, conn, ready); !ok {
			return err
		}
	}
	ch, _, err := w.openQueue(conn)
	if err == nil {
		// The first round is part of the setup: basic.get is where the
		// broker checks the read permission.
		if err = w.peekRound(ch); err != nil {
			ch.Close()
		}
	}
	ready(err)
	if err != nil {
		return err
	}
	defer ch.Close()
	connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	timer := time.NewTimer(w.spec.PeekInterval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-connClosed:
			return connector.ConnectionClosed(e, ok)
		case e, ok := <-chClosed:
			return w.channelClosed(w.spec.Queue, e, ok)
		case <-timer.C:
		}
		if err := w.peekRound(ch); err != nil {
			return connector.Permanent(err)
		}
		timer.Reset(w.spec.PeekInterval)
	}
}

// peekRound gets up to peekRoundMax messages, hands each to the sink, then
// requeues them all.
func (w *Watch) peekRound(ch *amqp.Channel) error {
	var last uint64
	for range peekRoundMax {
		d, ok, err := ch.Get(w.spec.Queue, false)
		if err != nil {
			return w.explain(err, resource{kind: "queue", name: w.spec.Queue, verb: "read"})
		}
		if !ok {
			break
		}
		last = d.DeliveryTag
		w.sink(messageFromDelivery(&d, w.spec.VHost, w.spec.Queue, capture.EventPeek, capture.ModePeek))
	}
	if last == 0 {
		return nil
	}
	if err := ch.Nack(last, true, true); err != nil {
		return w.explain(err, resource{kind: "queue", name: w.spec.Queue, verb: "requeue messages on"})
	}
	return nil
}
