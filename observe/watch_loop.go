package observe

import (
	"context"
	"fmt"
	"hash/maphash"
	"time"

	"mqscope/capture"
	"mqscope/connector"

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
func (w *Watch) consumeQueue(ch *amqp.Channel, queue string) (<-chan amqp.Delivery, error) {
	w.budget = nil
	if w.limited() {
		w.budget = &consumeBudget{left: w.spec.Limit - int(w.taken.Load())}
	}
	if err := ch.Qos(w.budget.prefetch(), 0, false); err != nil {
		return nil, fmt.Errorf("set prefetch on vhost %q: %w", w.spec.VHost, err)
	}
	tag := w.client.ConsumerTag(string(w.spec.Mode))
	deliveries, err := ch.Consume(queue, tag, false, false, false, false, nil)
	if err != nil {
		return nil, w.explain(err, resource{kind: "queue", name: queue, verb: "read"})
	}
	if w.budget != nil {
		w.budget.ch, w.budget.tag, w.budget.prefetchNow = ch, tag, w.budget.prefetch()
	}
	return deliveries, nil
}

// limited reports whether the watch takes a limited number of messages.
func (w *Watch) limited() bool { return w.spec.Mode == capture.ModeConsume && w.spec.Limit > 0 }

// consumeBudget keeps a consume watch with a limit from being delivered a
// single message past it: each one delivered and then put back would reach
// the service later marked redelivered. The broker delivers while fewer
// than the prefetch are unacknowledged, so before each acknowledgement the
// prefetch comes down to what is left to take, and before the one that
// completes the limit the consumer is cancelled.
type consumeBudget struct {
	ch          *amqp.Channel
	tag         string
	left        int // messages this channel may still be delivered, when it started consuming
	acked       int // acknowledged on this channel
	prefetchNow int
}

// prefetch is the prefetch to consume with: watchPrefetch, or what the
// limit leaves when that is fewer. A nil budget is no limit.
func (b *consumeBudget) prefetch() int {
	if b == nil {
		return watchPrefetch
	}
	return max(1, min(watchPrefetch, b.left))
}

// beforeAck makes sure that acknowledging n more messages cannot bring a
// delivery past the limit. The channel-wide (global) prefetch is what
// lowers it: RabbitMQ applies a per-consumer one only to consumers started
// after it, and both limits hold at once.
func (b *consumeBudget) beforeAck(n int) error {
	if b == nil {
		return nil
	}
	b.acked += n
	switch left := b.left - b.acked; {
	case left <= 0:
		// Cancel waits for the broker's cancel-ok, after which it
		// delivers nothing more to this consumer.
		if err := b.ch.Cancel(b.tag, false); err != nil {
			return fmt.Errorf("stop consuming: %w", err)
		}
	case left < b.prefetchNow:
		if err := b.ch.Qos(left, 0, true); err != nil {
			return fmt.Errorf("lower the prefetch: %w", err)
		}
		b.prefetchNow = left
	}
	return nil
}

// consumeLoop hands each delivery to handle and acknowledges it afterwards,
// in batches, until ctx ends, the consumer is lost, or handle says it wants
// no more. Acknowledging only after handle keeps at-least-once delivery for
// the destructive mode: what was not handed on is requeued by the broker
// when the channel closes.
func (w *Watch) consumeLoop(ctx context.Context, ch *amqp.Channel, queue string, deliveries <-chan amqp.Delivery, n notifications, handle func(*amqp.Delivery) (more bool)) error {
	acks := newAcker(ch)
	acks.budget = w.budget
	defer func() {
		acks.stop()
		w.keepUnacked(acks.marks)
	}()
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
				return w.closedReason(err, queue, n)
			}
		case d, ok = <-deliveries:
			if !ok {
				return w.lostConsumer(ch, queue, n)
			}
			if why, bad := droppedHeaders(d.Headers); bad && w.spec.Mode == capture.ModeConsume {
				return w.leaveUnreadable(ch, acks, &d, why)
			}
			mark := w.mark(&d)
			more := true
			if !w.shownBefore(&d, mark) {
				more = handle(&d)
			}
			if err := acks.add(d.DeliveryTag, mark); err != nil {
				return w.closedReason(err, queue, n)
			}
			if !more {
				return w.stopConsuming(ctx, ch, acks)
			}
		}
	}
}

// leaveUnreadable stops a consume watch at a message whose headers the
// client cannot read: consuming it would take from the queue something
// nobody could see, so it goes back to the queue, a marker shows where, and
// the watch stops with the reason instead of taking it again and again.
func (w *Watch) leaveUnreadable(ch *amqp.Channel, acks *acker, d *amqp.Delivery, why string) error {
	if err := acks.flush(); err != nil {
		return err
	}
	_ = ch.Nack(d.DeliveryTag, false, true)
	w.sink(messageFromDelivery(d, w.spec.VHost, w.spec.Queue, capture.EventConsume, capture.ModeConsume))
	return connector.MarkPermanent(fmt.Errorf("stopped at a message in queue %q the client cannot read (%s); it was left in the queue: remove it with the management UI, then watch again", w.spec.Queue, why))
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
	budget  *consumeBudget // nil without a limit
	last    uint64         // highest handled, unacknowledged delivery tag
	pending int
	timer   *time.Timer // armed while pending > 0
	// marks are the marks (Watch.mark) of the handled, unacknowledged
	// deliveries of a private queue: if the connection drops before their
	// ack, the broker delivers them again and the watch must not show them
	// twice.
	marks []uint64
}

func newAcker(ch *amqp.Channel) *acker {
	t := time.NewTimer(ackDelay)
	t.Stop()
	return &acker{ch: ch, timer: t}
}

// add counts one handled delivery; mark is its Watch.mark, 0 for none.
func (a *acker) add(tag, mark uint64) error {
	a.last = tag
	if mark != 0 {
		a.marks = append(a.marks, mark)
	}
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
	n := a.pending
	a.pending = 0
	if err := a.budget.beforeAck(n); err != nil {
		return err
	}
	if err := a.ch.Ack(a.last, true); err != nil {
		return fmt.Errorf("acknowledge: %w", err)
	}
	a.marks = a.marks[:0]
	return nil
}

// stop acknowledges what was handled (a closed channel makes that fail,
// and the broker requeues those instead).
func (a *acker) stop() {
	a.timer.Stop()
	_ = a.flush()
}

// PrivateQueueTTL is how long the broker keeps a queue that mqscope
// declared for itself once nothing consumes it (x-expires): a watch's
// private queue, a session's reply queue. Long enough to ride out a
// disconnect with the messages published meanwhile, short enough that an
// mqscope that was killed leaves nothing behind for long.
const PrivateQueueTTL = time.Minute

// privateQueueArgs are the private queue's arguments. The queue is
// non-exclusive and not auto-delete, so that it outlives the connection
// that declared it and the next connection can read what it kept.
var privateQueueArgs = amqp.Table{"x-expires": int32(PrivateQueueTTL / time.Millisecond)}

// openPrivate sets up the watch's private queue, bound to exchange with
// each key, and consumes it. After a reconnect it takes up the queue the
// earlier connection left, or, when that queue is gone, declares a new one
// and reports the time in between as a gap.
func (w *Watch) openPrivate(conn *amqp.Connection, exchange string, keys []string, args amqp.Table) (*amqp.Channel, <-chan amqp.Delivery, error) {
	lost, err := w.privateLost(conn)
	if err != nil {
		return nil, nil, err
	}
	ch, err := conn.Channel()
	if err != nil {
		return nil, nil, err
	}
	deliveries, err := w.preparePrivate(ch, exchange, keys, args)
	if err != nil {
		ch.Close()
		return nil, nil, err
	}
	if lost {
		w.reportGap(time.Now(), "private queue lost")
	}
	return ch, deliveries, nil
}

// privateLost reports whether the private queue that an earlier connection
// set up is gone, taking with it whatever was published since that
// connection dropped.
func (w *Watch) privateLost(conn *amqp.Connection) (bool, error) {
	if !w.started.Load() {
		return false, nil
	}
	info, err := connector.InspectQueue(conn, w.private)
	if err != nil {
		return false, fmt.Errorf("check private queue %q in vhost %q: %w", w.private, w.spec.VHost, err)
	}
	return !info.Exists, nil
}

func (w *Watch) preparePrivate(ch *amqp.Channel, exchange string, keys []string, args amqp.Table) (<-chan amqp.Delivery, error) {
	if _, err := ch.QueueDeclare(w.private, false, false, false, false, privateQueueArgs); err != nil {
		return nil, w.explain(err, resource{kind: "queue", name: w.private, verb: "create"})
	}
	w.privateLive = true
	for _, key := range keys {
		if err := ch.QueueBind(w.private, key, exchange, false, args); err != nil {
			return nil, w.explain(err, resource{kind: "exchange", name: exchange, verb: "bind a queue to"})
		}
	}
	// Not an exclusive consumer: after a network failure the broker may
	// not yet have noticed that the old connection is dead, and would
	// refuse an exclusive one on the new connection.
	return w.consumeQueue(ch, w.private)
}

// reportGap tells the sink that the watch saw nothing from the moment its
// connection dropped until to. The deliveries kept to recognise redelivered
// ones are forgotten: they went with the lost queue.
func (w *Watch) reportGap(to time.Time, reason string) {
	from := w.lostAt
	if from.IsZero() || from.After(to) {
		from = to
	}
	w.unacked = nil
	g := capture.Gap{Watch: w.spec.String(), From: from, To: to, Reason: reason}
	w.sink(g.Marker(w.spec.VHost, w.spec.Exchange, w.spec.Queue, w.spec.Mode))
}

// dropPrivate deletes the private queue when the watch ends normally, so it
// is gone when Close returns rather than when it expires.
func (w *Watch) dropPrivate(ch *amqp.Channel) {
	if ch.IsClosed() {
		return
	}
	if _, err := ch.QueueDelete(w.private, false, false, false); err == nil {
		w.privateLive = false
	}
}

// deletePrivate deletes the private queue on a connection of its own, for
// a watch closed while disconnected: otherwise the queue would stay until
// it expires.
func (w *Watch) deletePrivate(ctx context.Context) {
	if w.private == "" || !w.privateLive {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := w.client.Dial(ctx, w.spec.VHost)
	if err != nil {
		return // it expires by itself
	}
	defer conn.Close()
	if ch, err := conn.Channel(); err == nil {
		w.dropPrivate(ch)
	}
}

// mark identifies a delivery of a private queue by what it carries, for
// recognising it when the broker delivers it again; 0 for the watched queue
// of consume and peek, where a redelivery is news.
func (w *Watch) mark(d *amqp.Delivery) uint64 {
	if w.private == "" {
		return 0
	}
	var h maphash.Hash
	h.SetSeed(markSeed)
	h.WriteString(d.Exchange)
	h.WriteByte(0)
	h.WriteString(d.RoutingKey)
	h.WriteByte(0)
	h.Write(d.Body)
	return h.Sum64() | 1 // never 0, which means "no mark"
}

// markSeed seeds every mark of the process: marks are compared
// only within one watch.
var markSeed = maphash.MakeSeed()

// keepUnacked remembers the marks of deliveries that were shown but not
// acknowledged when the connection went: the private queue gives them back
// marked redelivered. Several identical deliveries count separately.
func (w *Watch) keepUnacked(marks []uint64) {
	if len(marks) == 0 {
		return
	}
	if w.unacked == nil {
		w.unacked = make(map[uint64]int, len(marks))
	}
	for _, m := range marks {
		w.unacked[m]++
	}
}

// shownBefore reports whether d is the redelivery of a delivery the watch
// already passed on, and counts it off.
func (w *Watch) shownBefore(d *amqp.Delivery, mark uint64) bool {
	if !d.Redelivered || mark == 0 || w.unacked[mark] == 0 {
		return false
	}
	if w.unacked[mark]--; w.unacked[mark] == 0 {
		delete(w.unacked, mark)
	}
	return true
}

// openQueue opens a channel on an existing queue: a passive declare, so a
// typo fails with `no queue "x" in vhost "/y"` instead of creating a queue.
// It returns the queue's consumer count before the watch's own.
func (w *Watch) openQueue(conn *amqp.Connection) (*amqp.Channel, int, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, 0, err
	}
	q, err := ch.QueueDeclarePassive(w.spec.Queue, false, false, false, false, nil)
	if err != nil {
		ch.Close()
		return nil, 0, w.explain(err, resource{kind: "queue", name: w.spec.Queue, verb: "read"})
	}
	return ch, q.Consumers, nil
}
