package observe

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"mqscope/connector"

	amqp "github.com/rabbitmq/amqp091-go"
)

// resource is a queue or exchange that a watch operation acts on, with the
// verb that completes "user u has no permission to ...".
type resource struct {
	kind string // "queue" or "exchange"
	name string
	verb string // e.g. "read", "create", "bind a queue to"
}

// explain turns the broker's refusal of an operation on r into one line that
// names the resource and the vhost, e.g. `no queue "x" in vhost "/y"`. The
// broker's error stays reachable with errors.As.
func (w *Watch) explain(err error, r resource) error {
	vhost := w.spec.VHost
	var aerr *amqp.Error
	if !errors.As(err, &aerr) || aerr.Code == amqp.ChannelError {
		// Not a refusal: the connection went away under the operation.
		return fmt.Errorf("%s %s %q in vhost %q: %w", r.verb, r.kind, r.name, vhost, err)
	}
	var msg string
	switch aerr.Code {
	case amqp.NotFound:
		msg = fmt.Sprintf("no %s %q in vhost %q", r.kind, r.name, vhost)
	case amqp.AccessRefused:
		msg = fmt.Sprintf("user %q has no permission to %s %s %q in vhost %q", w.client.User(), r.verb, r.kind, r.name, vhost)
	case amqp.ResourceLocked:
		msg = fmt.Sprintf("%s %q in vhost %q is exclusive to another connection", r.kind, r.name, vhost)
	default:
		msg = fmt.Sprintf("cannot %s %s %q in vhost %q: %s", r.verb, r.kind, r.name, vhost, aerr.Reason)
	}
	return &refusal{msg: msg, cause: aerr}
}

// refusal is a broker error explained for a person.
type refusal struct {
	msg   string
	cause *amqp.Error
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.cause }

// lostConsumer explains why a consumer's delivery channel closed: the
// connection dropped, the broker closed the channel, or it cancelled the
// consumer because the queue was deleted. Refusals that a reconnect cannot
// fix are marked permanent; the loss of the watch's private queue is not
// one of them.
func (w *Watch) lostConsumer(ch *amqp.Channel, queue string, n notifications) error {
	// amqp091 sends these notifications before it closes the delivery
	// channel, so whichever applies is already buffered.
	select {
	case e, ok := <-n.connClosed:
		return connector.ConnectionClosed(e, ok)
	default:
	}
	select {
	case e, ok := <-n.chClosed:
		return w.channelClosed(queue, e, ok)
	case <-n.cancelled:
		deleted := fmt.Errorf("queue %q in vhost %q was deleted", queue, w.spec.VHost)
		switch {
		case queue == w.private:
			// mqscope's own queue: the next connection declares a new one
			// and reports the gap.
			return deleted
		case queueGone(ch, queue):
			return connector.MarkPermanent(deleted)
		}
		// The broker also cancels consumers of a queue whose cluster node
		// went down: it comes back with the node.
		return fmt.Errorf("the broker cancelled the consumer of queue %q in vhost %q, which still exists", queue, w.spec.VHost)
	default:
	}
	return fmt.Errorf("consumer on queue %q in vhost %q stopped", queue, w.spec.VHost)
}

// queueGone reports whether queue is known to be deleted: a passive
// declare says it does not exist, and not because its node is down.
func queueGone(ch *amqp.Channel, queue string) bool {
	_, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
	var aerr *amqp.Error
	return errors.As(err, &aerr) && aerr.Code == amqp.NotFound && !homeNodeDown(err)
}

// homeNodeDown reports RabbitMQ's 404 for a durable queue whose node is down
// or not yet recovered ("home node … of durable queue … is down or
// inaccessible"): the queue comes back with its node, so a watch retries.
func homeNodeDown(err error) bool {
	var aerr *amqp.Error
	return errors.As(err, &aerr) && aerr.Code == amqp.NotFound && strings.Contains(aerr.Reason, "down or inaccessible")
}

// channelClosed explains a close notification of a channel that was reading
// queue.
func (w *Watch) channelClosed(queue string, e *amqp.Error, ok bool) error {
	if !ok || e == nil {
		return fmt.Errorf("channel reading queue %q in vhost %q closed", queue, w.spec.VHost)
	}
	return connector.Permanent(w.explain(e, resource{kind: "queue", name: queue, verb: "read"}))
}

// closedReason explains err, an acknowledgement that failed because the
// channel is closed, by the close notification that follows it and says
// why: "connection closed by broker: CONNECTION_FORCED - broker forced
// connection closure with reason 'shutdown'" instead of "channel/connection
// is not open". amqp091 marks the channel closed a moment before it sends
// the notifications, so they are waited for, briefly.
func (w *Watch) closedReason(err error, queue string, n notifications) error {
	if !errors.Is(err, amqp.ErrClosed) {
		return err
	}
	wait := time.NewTimer(time.Second)
	defer wait.Stop()
	select {
	case e, ok := <-n.connClosed:
		return connector.ConnectionClosed(e, ok)
	case e, ok := <-n.chClosed:
		// The connection's notification comes first when it is the
		// connection that closed.
		select {
		case ce, cok := <-n.connClosed:
			return connector.ConnectionClosed(ce, cok)
		default:
		}
		return w.channelClosed(queue, e, ok)
	case <-wait.C:
		return err
	}
}
