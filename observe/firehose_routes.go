package observe

import (
	"errors"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/capture"
	"mqscope/connector/neonwire"
)

// How long what the firehose learnt about a queue's existence is trusted.
// A missing queue is checked again sooner, so a service that starts is
// noticed; a burst of requests to a dead queue still costs one check.
//
// A reply queue learnt from a request's routing_key is trusted only
// briefly: its owner deletes it when it gives up waiting, and a reply that
// comes after that must be seen to go nowhere (the verdict
// reply_unroutable). Replies within that time, nearly all of them, cost no
// check.
const (
	queueExistsFor  = 5 * time.Second
	queueMissingFor = time.Second
	replyQueueFor   = time.Second
	queueCheckMax   = 4096 // entries before the memory starts afresh
)

// queueCheck corrects the tracer's routed_queues for the default exchange.
// RabbitMQ 3.10 fills routed_queues of a default-exchange publish with the
// queue named by the routing key whether or not that queue exists (the
// default exchange routes without looking), so a request to a queue nobody
// declared would not look unroutable. Named exchanges route through real
// bindings and their routed_queues are right as they are.
//
// Existence is learnt from deliveries, from the routing_key of Neon requests
// (a Neon client declares its reply queue before it sends the request, and
// may delete it as soon as the reply arrives, so a check after the reply
// could find it gone), and otherwise from a passive declare on a channel of
// the watch's connection. It is used only by the consumer goroutine.
type queueCheck struct {
	conn  *amqp.Connection
	ch    *amqp.Channel // opened on first use; a 404 closes it
	known map[string]queueSeen
}

type queueSeen struct {
	exists bool
	at     time.Time
	fresh  time.Duration // how long this is trusted
}

func newQueueCheck(conn *amqp.Connection) *queueCheck {
	return &queueCheck{conn: conn, known: make(map[string]queueSeen)}
}

func (qc *queueCheck) close() {
	if qc.ch != nil {
		_ = qc.ch.Close()
	}
}

// settle updates what is known from m and, for a default-exchange publish,
// drops the routed queues that do not exist. replyTo is the routing_key of
// m's body when it is a Neon request.
func (qc *queueCheck) settle(m *capture.Message, replyTo string) {
	if m.Event == capture.EventDeliver {
		qc.remember(m.Queue, true, m.Time)
		return
	}
	if replyTo != "" {
		qc.rememberFor(replyTo, true, m.Time, replyQueueFor)
	}
	// A nil RoutedQueues means the tracer did not say; nothing to correct.
	if m.Exchange != "" || m.RoutedQueues == nil {
		return
	}
	kept := m.RoutedQueues[:0]
	for _, q := range m.RoutedQueues {
		if qc.exists(q, m.Time) {
			kept = append(kept, q)
		}
	}
	m.RoutedQueues = kept
	m.Unroutable = len(kept) == 0
}

// exists answers from memory while it is fresh, else asks the broker. When
// the broker cannot tell, the tracer is trusted.
func (qc *queueCheck) exists(name string, now time.Time) bool {
	if name == "" {
		return false // the default exchange has no queue for the empty key
	}
	if seen, ok := qc.known[name]; ok && now.Sub(seen.at) < seen.fresh {
		return seen.exists
	}
	exists, err := qc.declarePassive(name)
	if err != nil {
		return true
	}
	qc.remember(name, exists, now)
	return exists
}

// remember notes what is known of a queue, trusted for the usual time.
func (qc *queueCheck) remember(name string, exists bool, now time.Time) {
	fresh := queueMissingFor
	if exists {
		fresh = queueExistsFor
	}
	qc.rememberFor(name, exists, now, fresh)
}

func (qc *queueCheck) rememberFor(name string, exists bool, now time.Time, fresh time.Duration) {
	if len(qc.known) >= queueCheckMax {
		clear(qc.known)
	}
	qc.known[name] = queueSeen{exists: exists, at: now, fresh: fresh}
}

// declarePassive asks the broker whether queue exists.
func (qc *queueCheck) declarePassive(queue string) (bool, error) {
	if qc.ch == nil || qc.ch.IsClosed() {
		ch, err := qc.conn.Channel()
		if err != nil {
			return false, err
		}
		qc.ch = ch
	}
	_, err := qc.ch.QueueDeclarePassive(queue, false, false, false, false, nil)
	var aerr *amqp.Error
	if errors.As(err, &aerr) {
		switch aerr.Code {
		case amqp.NotFound:
			return false, nil
		case amqp.ResourceLocked: // exclusive to another connection
			return true, nil
		}
	}
	return err == nil, err
}

// neonReplyQueue is the routing_key of a Neon request body, or "" when the
// body is not a Neon dict with one, and the body's decoding when it is Neon
// (for capture.Message.Decoded), else nil.
func neonReplyQueue(body []byte) (string, *neonwire.Decoded) {
	v, err := neonwire.DecodeNeon(body)
	if err != nil {
		return "", nil
	}
	decoded := &neonwire.Decoded{Encoding: neonwire.EncNeon, Value: v}
	d, ok := v.(*neonwire.Dict)
	if !ok {
		return "", decoded
	}
	v, _ = d.Get("routing_key")
	rk, _ := v.(string)
	return rk, decoded
}
