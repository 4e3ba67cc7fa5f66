package connector

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector/neonwire"
)

// session runs the Requester on one live connection: it (re)declares the
// reply queue, consumes it, and watches for returned (unroutable) requests.
// The first outcome of setup is sent to ready, once.
func (r *Requester) session(ctx context.Context, conn *amqp.Connection, ready chan<- error, up func()) error {
	ch, replies, err := r.setup(conn)
	signal := func(err error) {
		select {
		case ready <- err:
		default:
		}
	}
	if err != nil {
		signal(err)
		return err
	}
	returns := ch.NotifyReturn(make(chan amqp.Return, 64))
	connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))
	r.setChannel(conn, ch)
	defer r.disconnect()
	up()
	signal(nil)
	for {
		select {
		case <-ctx.Done():
			// Delete the reply queue as the library does after its reply.
			r.deleteReplyQueue(conn, ch)
			return nil
		case e, ok := <-connClosed:
			return explainClose("connection", e, ok)
		case d, ok := <-replies:
			if !ok {
				return fmt.Errorf("reply queue %q was deleted or its consumer cancelled", r.queue)
			}
			r.onReply(&d)
		case ret := <-returns:
			r.onReturn(&ret)
		}
	}
}

func (r *Requester) setup(conn *amqp.Connection) (*amqp.Channel, <-chan amqp.Delivery, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, nil, err
	}
	if err := declareNeonQueue(ch, r.queue); err != nil {
		ch.Close()
		return nil, nil, err
	}
	r.declared, r.deleted = true, false
	replies, err := ch.Consume(r.queue, r.client.ConsumerTag("replies"), false, false, false, false, nil)
	if err != nil {
		ch.Close()
		return nil, nil, fmt.Errorf("consume reply queue: %w", err)
	}
	return ch, replies, nil
}

// deleteReplyQueue deletes the reply queue on ch, or on a channel of its
// own when the broker has closed ch.
func (r *Requester) deleteReplyQueue(conn *amqp.Connection, ch *amqp.Channel) {
	if _, err := ch.QueueDelete(r.queue, false, false, false); err == nil {
		r.deleted = true
		return
	}
	if fresh, err := conn.Channel(); err == nil {
		defer fresh.Close()
		if _, err := fresh.QueueDelete(r.queue, false, false, false); err == nil {
			r.deleted = true
		}
	}
}

// leftoverDeleteTimeout bounds how long Close tries to delete a reply queue
// that the last connection could not.
const leftoverDeleteTimeout = 3 * time.Second

// deleteLeftover deletes the reply queue on a connection of its own when
// the Requester was closed while disconnected: otherwise the queue would
// stay for ever (see Requester on why it cannot expire).
func (r *Requester) deleteLeftover() {
	if !r.declared || r.deleted {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), leftoverDeleteTimeout)
	defer cancel()
	conn, err := r.client.Dial(ctx, r.vhost)
	if err != nil {
		return
	}
	defer conn.Close()
	if ch, err := conn.Channel(); err == nil {
		r.deleteReplyQueue(conn, ch)
	}
}

// declareTarget declares a request's target queue with Neon's flags, as the
// Python library does before it publishes. It uses a channel of its own:
// a refusal (406 other arguments, 405 exclusive to another connection)
// closes the channel it came on, and must not close the one that consumes
// the reply queue.
func declareTarget(conn *amqp.Connection, queue string) error {
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("declare queue %q: %w", queue, err)
	}
	defer ch.Close()
	return declareNeonQueue(ch, queue)
}

// setChannel makes ch, on conn, the channel requests go out on and wakes
// the requests waiting for a connection.
func (r *Requester) setChannel(conn *amqp.Connection, ch *amqp.Channel) {
	r.mu.Lock()
	r.conn, r.ch = conn, ch
	select {
	case <-r.up: // already woken: sessions never overlap, but never close twice
	default:
		close(r.up)
	}
	r.mu.Unlock()
}

// markDown forgets the channel, so that requests wait for the next one.
// The caller holds r.mu.
func (r *Requester) markDown() {
	if r.ch != nil {
		r.ch = nil
		r.up = make(chan struct{})
	}
}

// disconnect forgets the channel and fails every request in flight: their
// replies would arrive on a channel that no longer exists.
func (r *Requester) disconnect() {
	r.mu.Lock()
	r.markDown()
	lost := r.pending
	r.pending = make(map[string]*pending)
	r.mu.Unlock()
	for _, p := range lost {
		p.done <- result{err: ErrConnectionLost}
	}
}

// onReply matches a reply to its request by Neon's rule (context.mq.message_id,
// else message_id) and acknowledges it. Unmatched replies are reported, not
// requeued: the queue is this session's own, so nobody else would take them.
func (r *Requester) onReply(d *amqp.Delivery) {
	msg := messageFromDelivery(d, r.vhost, r.queue)
	_ = d.Ack(false)
	if r.opts.OnReceived != nil {
		r.opts.OnReceived(msg)
	}
	v, err := neonwire.DecodeNeon(d.Body)
	id := ""
	if err == nil {
		id = neonwire.MessageID(v)
	}
	matched := id != "" && r.complete(id, func(p *pending) result {
		return result{resp: &Response{
			MessageID: id, Value: v, Request: p.sent, Reply: msg,
			Latency: msg.Time.Sub(p.sent.Time),
		}}
	})
	if !matched && r.opts.OnUnmatched != nil {
		r.opts.OnUnmatched(msg)
	}
}

// onReturn fails the request the broker could not route.
func (r *Requester) onReturn(ret *amqp.Return) {
	v, err := neonwire.DecodeNeon(ret.Body)
	if err != nil {
		return
	}
	id := neonwire.MessageID(v)
	r.complete(id, func(p *pending) result {
		return result{err: &NoRouteError{VHost: r.vhost, Queue: ret.RoutingKey}}
	})
}
