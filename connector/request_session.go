package connector

import (
	"context"
	"fmt"

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
	r.setChannel(ch)
	defer r.disconnect()
	up()
	signal(nil)
	for {
		select {
		case <-ctx.Done():
			// Delete the reply queue as the library does after its reply.
			_, _ = ch.QueueDelete(r.queue, false, false, false)
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
	replies, err := ch.Consume(r.queue, r.client.ConsumerTag("replies"), false, false, false, false, nil)
	if err != nil {
		ch.Close()
		return nil, nil, fmt.Errorf("consume reply queue: %w", err)
	}
	return ch, replies, nil
}

// setChannel makes ch the channel requests go out on and wakes the
// requests waiting for a connection.
func (r *Requester) setChannel(ch *amqp.Channel) {
	r.mu.Lock()
	r.ch = ch
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
