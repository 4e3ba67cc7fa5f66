package connector

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// privateQueuePrefix starts the names of the queues mqscope declares for
// itself, so that a person can recognise them in the management UI and the
// firehose can leave their traffic out.
const privateQueuePrefix = "mqscope."

// watchPrefetch bounds the deliveries in flight to one watch: enough to keep
// a busy queue streaming, few enough that a stalled watch holds little.
const watchPrefetch = 200

// ackBatch is how many handled deliveries one multiple=true ack covers.
const ackBatch = 50

// ackDelay bounds how long a handled delivery waits for its ack when fewer
// than ackBatch follow it, so a quiet queue holds no unacknowledged messages.
const ackDelay = 100 * time.Millisecond

// notifications are the close and cancel signals of one consumer.
type notifications struct {
	connClosed chan *amqp.Error
	chClosed   chan *amqp.Error
	cancelled  chan string
}

func notify(conn *amqp.Connection, ch *amqp.Channel) notifications {
	return notifications{
		connClosed: conn.NotifyClose(make(chan *amqp.Error, 1)),
		chClosed:   ch.NotifyClose(make(chan *amqp.Error, 1)),
		// Capacity 1 matters: amqp091 blocks the connection until a cancel
		// notification is received, and a channel has one consumer here.
		cancelled: ch.NotifyCancel(make(chan string, 1)),
	}
}

// consumeQueue starts a manual-ack consumer on queue with the watch
// prefetch and returns its deliveries.
func (w *Watch) consumeQueue(ch *amqp.Channel, queue string, exclusive bool) (<-chan amqp.Delivery, error) {
	if err := ch.Qos(w.prefetch(), 0, false); err != nil {
		return nil, fmt.Errorf("set prefetch on vhost %q: %w", w.spec.VHost, err)
	}
	deliveries, err := ch.Consume(queue, consumerTag(string(w.spec.Mode)), false, exclusive, false, false, nil)
	if err != nil {
		return nil, w.explain(err, resource{kind: "queue", name: queue, verb: "read"})
	}
	return deliveries, nil
}

// prefetch is the watch's prefetch: watchPrefetch, capped by a consume
// limit so that no more than the limit is ever delivered to mqscope.
func (w *Watch) prefetch() int {
	if w.spec.Mode == ModeConsume && w.spec.Limit > 0 {
		return min(watchPrefetch, w.spec.Limit)
	}
	return watchPrefetch
}

// consumeLoop hands each delivery to handle and acknowledges it afterwards,
// in batches, until ctx ends, the consumer is lost, or handle says it wants
// no more. Acknowledging only after handle keeps at-least-once delivery for
// the destructive mode: what was not handed on is requeued by the broker
// when the channel closes.
func (w *Watch) consumeLoop(ctx context.Context, ch *amqp.Channel, queue string, deliveries <-chan amqp.Delivery, n notifications, handle func(*amqp.Delivery) (more bool)) error {
	acks := newAcker(ch)
	defer acks.stop()
	// One Delivery reused for the whole loop: handle gets a pointer to it,
	// which would otherwise move every delivery to the heap.
	var d amqp.Delivery
	var ok bool
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-acks.timer.C:
			if err := acks.flush(); err != nil {
				return err
			}
		case d, ok = <-deliveries:
			if !ok {
				return w.lostConsumer(queue, n)
			}
			more := handle(&d)
			if err := acks.add(d.DeliveryTag); err != nil {
				return err
			}
			if !more {
				return w.stopConsuming(ctx, ch, acks)
			}
		}
	}
}

// stopConsuming acknowledges what was handled, closes the channel so the
// broker requeues whatever else it had delivered, and idles until ctx ends
// (returning earlier would make the supervisor reconnect and consume again).
func (w *Watch) stopConsuming(ctx context.Context, ch *amqp.Channel, acks *acker) error {
	if err := acks.flush(); err != nil {
		return err
	}
	_ = ch.Close()
	<-ctx.Done()
	return nil
}

// acker acknowledges handled deliveries with one multiple=true ack per
// batch, or ackDelay after the first unacknowledged one, instead of one
// frame per message.
type acker struct {
	ch      *amqp.Channel
	last    uint64 // highest handled, unacknowledged delivery tag
	pending int
	timer   *time.Timer // armed while pending > 0
}

func newAcker(ch *amqp.Channel) *acker {
	t := time.NewTimer(ackDelay)
	t.Stop()
	return &acker{ch: ch, timer: t}
}

func (a *acker) add(tag uint64) error {
	a.last = tag
	if a.pending++; a.pending == 1 {
		a.timer.Reset(ackDelay)
	}
	if a.pending >= ackBatch {
		return a.flush()
	}
	return nil
}

func (a *acker) flush() error {
	if a.pending == 0 {
		return nil
	}
	a.pending = 0
	if err := a.ch.Ack(a.last, true); err != nil {
		return fmt.Errorf("acknowledge: %w", err)
	}
	return nil
}

// stop acknowledges what was handled (a closed channel makes that fail,
// and the broker requeues those instead).
func (a *acker) stop() {
	a.timer.Stop()
	_ = a.flush()
}

// openPrivate declares the watch's private queue (exclusive, auto-delete: it
// goes away with the connection), binds it to exchange with each key, and
// consumes it.
func (w *Watch) openPrivate(conn *amqp.Connection, exchange string, keys []string, args amqp.Table) (*amqp.Channel, <-chan amqp.Delivery, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, nil, err
	}
	deliveries, err := w.preparePrivate(ch, exchange, keys, args)
	if err != nil {
		ch.Close()
		return nil, nil, err
	}
	return ch, deliveries, nil
}

func (w *Watch) preparePrivate(ch *amqp.Channel, exchange string, keys []string, args amqp.Table) (<-chan amqp.Delivery, error) {
	if _, err := ch.QueueDeclare(w.private, false, true, true, false, nil); err != nil {
		return nil, w.explain(err, resource{kind: "queue", name: w.private, verb: "create"})
	}
	for _, key := range keys {
		if err := ch.QueueBind(w.private, key, exchange, false, args); err != nil {
			return nil, w.explain(err, resource{kind: "exchange", name: exchange, verb: "bind a queue to"})
		}
	}
	return w.consumeQueue(ch, w.private, true)
}

// dropPrivate deletes the private queue when the watch ends normally, so it
// is gone when Close returns rather than when the broker notices the closed
// connection.
func (w *Watch) dropPrivate(ch *amqp.Channel) {
	if !ch.IsClosed() {
		_, _ = ch.QueueDelete(w.private, false, false, false)
	}
}

// openQueue opens a channel on an existing queue: a passive declare, so a
// typo fails with `no queue "x" in vhost "/y"` instead of creating a queue.
func (w *Watch) openQueue(conn *amqp.Connection) (*amqp.Channel, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, err
	}
	if _, err := ch.QueueDeclarePassive(w.spec.Queue, false, false, false, false, nil); err != nil {
		ch.Close()
		return nil, w.explain(err, resource{kind: "queue", name: w.spec.Queue, verb: "read"})
	}
	return ch, nil
}
