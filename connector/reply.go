package connector

import (
	"context"
	"errors"
	"fmt"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector/neonwire"
)

// DefaultExpiration is the per-message TTL Neon puts on requests and replies.
const DefaultExpiration = "1000"

// replier publishes replies on its own channel of a consumer's connection.
type replier struct {
	conn *amqp.Connection
	mu   sync.Mutex
	ch   *amqp.Channel
}

func newReplier(conn *amqp.Connection) (*replier, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, err
	}
	return &replier{conn: conn, ch: ch}, nil
}

func (r *replier) close() { _ = r.ch.Close() }

// channel returns a live channel, reopening it when the broker closed the
// last one (a reply queue declared by someone else with other flags makes
// the broker close the channel with 406; the next reply must still go out).
func (r *replier) channel() (*amqp.Channel, error) {
	if !r.ch.IsClosed() {
		return r.ch, nil
	}
	ch, err := r.conn.Channel()
	if err != nil {
		return nil, err
	}
	r.ch = ch
	return ch, nil
}

// Reply sends reply to the queue named by request's routing_key, copying the
// request's message_id into it, the way neon_mq_connector services answer:
// declare the reply queue with default flags, then publish on the default
// exchange with expiration 1000 ms.
func (r *replier) Reply(ctx context.Context, request, reply neonwire.Value) error {
	req, ok := request.(*neonwire.Dict)
	if !ok {
		return errors.New("request body is not a dict")
	}
	queue, _ := lookupString(req, "routing_key")
	if queue == "" {
		return errors.New("request has no routing_key to reply to")
	}
	out, ok := reply.(*neonwire.Dict)
	if !ok {
		return errors.New("reply must be a dict")
	}
	if id, ok := lookupString(req, "message_id"); ok {
		if _, has := out.Get("message_id"); !has {
			out.Set("message_id", id)
		}
	}
	return r.publish(ctx, queue, out)
}

func (r *replier) publish(ctx context.Context, queue string, body neonwire.Value) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch, err := r.channel()
	if err != nil {
		return err
	}
	if err := declareNeonQueue(ch, queue); err != nil {
		return err
	}
	err = ch.PublishWithContext(ctx, "", queue, false, false, amqp.Publishing{
		Body:       neonwire.Encode(body),
		Expiration: DefaultExpiration,
	})
	if err != nil {
		return fmt.Errorf("publish reply to %q: %w", queue, err)
	}
	return nil
}

// lookupString returns d[key] when it is a str.
func lookupString(d *neonwire.Dict, key string) (string, bool) {
	v, ok := d.Get(key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}
