package connector

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"mqscope/connector/neonwire"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Handler handles one delivery. The consumer acknowledges the delivery after
// the handler returns, whatever it returns: an error is reported through the
// service's OnError, as neon_mq_connector logs a callback's exception, and the
// message is not redelivered (a poison message would otherwise loop forever).
type Handler func(ctx context.Context, d *Delivery) error

// Consumer is one named consumer of a service: a queue, optionally bound to
// an exchange, and the handler called for each message.
type Consumer struct {
	Name         string
	Queue        string
	Exchange     string // optional: bind Queue to this exchange
	ExchangeType string // default "direct", pika's default in exchange_declare
	BindingKey   string // default the queue's name, pika's default in queue_bind
	AutoAck      bool   // ack on delivery instead of after the handler
	Prefetch     int    // default 50, as neon_mq_connector
	Handler      Handler
}

// Service is a Go Neon service: a service name (which selects credentials),
// a vhost, and named consumers, like the seed's MQConnector subclass.
type Service struct {
	client    *Client
	vhost     string
	consumers []Consumer

	// OnState is told about every connection state change of every consumer.
	OnState func(State)
	// OnError is told about handler errors and recovered handler panics.
	OnError func(consumer string, err error)
}

// NewService returns a service that will connect to vhost with client's
// credentials.
func NewService(client *Client, vhost string) *Service {
	return &Service{client: client, vhost: vhost}
}

// VHost is the virtual host the service runs in.
func (s *Service) VHost() string { return s.vhost }

// AddConsumer registers a consumer. Names must be unique within a service.
func (s *Service) AddConsumer(c Consumer) error {
	if c.Name == "" || c.Queue == "" || c.Handler == nil {
		return errors.New("consumer needs a name, a queue and a handler")
	}
	for _, have := range s.consumers {
		if have.Name == c.Name {
			return fmt.Errorf("consumer %q already exists in this service", c.Name)
		}
	}
	if c.Prefetch <= 0 {
		c.Prefetch = 50
	}
	if c.Exchange != "" && c.ExchangeType == "" {
		c.ExchangeType = "direct"
	}
	if c.Exchange != "" && c.BindingKey == "" {
		c.BindingKey = c.Queue
	}
	s.consumers = append(s.consumers, c)
	return nil
}

// Run starts every consumer, each on its own connection as in the Python
// library's consumer threads, and blocks until ctx ends and all have stopped.
// Consumers reconnect with backoff when their connection drops.
//
// A consumer that the broker refuses for good (its queue or exchange was
// declared elsewhere with other arguments, 406; it is exclusive to another
// connection, 405; no permission, 403) cannot be fixed by reconnecting: it
// stops the whole service, and Run returns that consumer's error.
func (s *Service) Run(ctx context.Context) error {
	if len(s.consumers) == 0 {
		return errors.New("service has no consumers")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for _, c := range s.consumers {
		wg.Go(func() {
			err := s.client.Supervise(ctx, nil, "consumer "+c.Name, s.vhost, func(ctx context.Context, conn *amqp.Connection, up func()) error {
				return s.consume(ctx, conn, c, up)
			}, s.OnState)
			if err != nil {
				once.Do(func() { firstErr = fmt.Errorf("consumer %q: %w", c.Name, err); cancel() })
			}
		})
	}
	wg.Wait()
	return firstErr
}

// reportError passes a handler failure to OnError, if set.
func (s *Service) reportError(consumer string, err error) {
	if s.OnError != nil {
		s.OnError(consumer, err)
	}
}

// Delivery is one message given to a handler, with its Neon body decoded.
type Delivery struct {
	Message
	// Value is the decoded Neon body, nil when DecodeErr is set.
	Value     neonwire.Value
	DecodeErr error

	replier *replier
}

// Reply sends value to the queue named by the request's routing_key, copying
// the request's message_id, exactly as a Neon service does.
func (d *Delivery) Reply(ctx context.Context, value neonwire.Value) error {
	if d.DecodeErr != nil {
		return fmt.Errorf("cannot reply to a body that is not Neon-encoded: %w", d.DecodeErr)
	}
	return d.replier.Reply(ctx, d.Value, value)
}
