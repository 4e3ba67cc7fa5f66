package connector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime/debug"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector/neonwire"
)

// declareNeonQueue declares a queue with exactly the flags Neon services use
// (non-durable, non-exclusive, non-auto-delete, no arguments), so that a
// service declaring the same name later is not refused with 406.
func declareNeonQueue(ch *amqp.Channel, name string) error {
	_, err := ch.QueueDeclare(name, false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("declare queue %q: %w", name, err)
	}
	return nil
}

// consume runs one consumer on one live connection until the connection or
// channel closes or ctx ends.
func (s *Service) consume(ctx context.Context, conn *amqp.Connection, c Consumer, up func()) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	if err := s.prepareQueue(ch, c); err != nil {
		return Permanent(err)
	}
	rep, err := newReplier(conn)
	if err != nil {
		return err
	}
	defer rep.close()
	deliveries, err := ch.Consume(c.Queue, s.client.ConsumerTag(c.Name), c.AutoAck, false, false, false, nil)
	if err != nil {
		return Permanent(fmt.Errorf("consume %q: %w", c.Queue, err))
	}
	up()
	connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-connClosed:
			return explainClose("connection", e, ok)
		case d, ok := <-deliveries:
			if !ok {
				return fmt.Errorf("consumer on %q was cancelled (queue deleted?)", c.Queue)
			}
			s.handle(ctx, c, &d, rep)
		}
	}
}

func (s *Service) prepareQueue(ch *amqp.Channel, c Consumer) error {
	if err := ch.Qos(c.Prefetch, 0, false); err != nil {
		return err
	}
	if err := declareNeonQueue(ch, c.Queue); err != nil {
		return err
	}
	if c.Exchange == "" {
		return nil
	}
	if err := ch.ExchangeDeclare(c.Exchange, c.ExchangeType, false, false, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %q: %w", c.Exchange, err)
	}
	if err := ch.QueueBind(c.Queue, c.BindingKey, c.Exchange, false, nil); err != nil {
		return fmt.Errorf("bind %q to %q: %w", c.Queue, c.Exchange, err)
	}
	return nil
}

// handle runs the handler for one delivery, recovering a panic so that one
// bad message cannot stop the consumer, then acknowledges it.
func (s *Service) handle(ctx context.Context, c Consumer, d *amqp.Delivery, rep *replier) {
	del := &Delivery{
		Message: messageFromDelivery(d, s.vhost, c.Queue),
		replier: rep,
	}
	del.Value, del.DecodeErr = neonwire.DecodeNeon(d.Body)
	func() {
		defer func() {
			if r := recover(); r != nil {
				s.reportError(c.Name, fmt.Errorf("handler panicked: %v\n%s", r, debug.Stack()))
			}
		}()
		if err := c.Handler(ctx, del); err != nil {
			s.reportError(c.Name, err)
		}
	}()
	if !c.AutoAck {
		if err := d.Ack(false); err != nil {
			s.reportError(c.Name, fmt.Errorf("ack: %w", err))
		}
	}
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NewMessageID returns a Neon message_id: uuid4().hex.
func NewMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b)
}
