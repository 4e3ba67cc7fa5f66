package connector

import (
	"context"
	"errors"

	amqp "github.com/rabbitmq/amqp091-go"
)

// QueueInfo is what a passive declare tells about a queue.
type QueueInfo struct {
	Name      string
	Exists    bool
	Messages  int
	Consumers int
}

// InspectQueues reports on each named queue in vhost without creating or
// changing any of them (passive declares on a short-lived connection).
func (c *Client) InspectQueues(ctx context.Context, vhost string, queues ...string) ([]QueueInfo, error) {
	conn, err := c.Dial(ctx, vhost)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	out := make([]QueueInfo, 0, len(queues))
	for _, q := range queues {
		info, err := InspectQueue(conn, q)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// InspectQueue reports on one queue with a passive declare on its own
// channel of conn, because a passive declare of a missing queue makes the
// broker close the channel with 404. A missing queue is no error: its
// QueueInfo has Exists false.
func InspectQueue(conn *amqp.Connection, name string) (QueueInfo, error) {
	ch, err := conn.Channel()
	if err != nil {
		return QueueInfo{}, err
	}
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(name, false, false, false, false, nil)
	var aerr *amqp.Error
	if errors.As(err, &aerr) && aerr.Code == amqp.NotFound {
		return QueueInfo{Name: name}, nil
	}
	if err != nil {
		return QueueInfo{}, err
	}
	return QueueInfo{Name: name, Exists: true, Messages: q.Messages, Consumers: q.Consumers}, nil
}
