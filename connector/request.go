package connector

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector/neonwire"
)

// DefaultTimeout is how long a request waits for its reply, as the library's
// send_mq_request.
const DefaultTimeout = 30 * time.Second

// ErrTimeout is matched (errors.Is) by every *TimeoutError.
var ErrTimeout = errors.New("request timed out")

// ErrConnectionLost fails requests in flight when the connection drops.
var ErrConnectionLost = errors.New("connection to RabbitMQ lost while waiting for the reply")

// TimeoutError says that no reply came within the timeout.
type TimeoutError struct {
	VHost, Queue, MessageID string
	After                   time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no reply from queue %q in vhost %q within %s (message_id %s)", e.Queue, e.VHost, e.After, e.MessageID)
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// NoRouteError says the broker returned the request: no queue of that name.
type NoRouteError struct{ VHost, Queue string }

func (e *NoRouteError) Error() string {
	return fmt.Sprintf("no queue %q in vhost %q", e.Queue, e.VHost)
}

// RequestOptions tune one request. Zero values mean the library's defaults.
type RequestOptions struct {
	Timeout       time.Duration // default 30 s
	Expiration    string        // per-message TTL in ms, default "1000"
	DeclareTarget bool          // declare the target queue first, as the library does
}

// Response is a matched reply.
type Response struct {
	MessageID string
	Value     neonwire.Value
	Request   Message
	Reply     Message
	Latency   time.Duration
}

// RequesterOptions are the hooks of a Requester; all may be nil.
type RequesterOptions struct {
	// Sink receives every request sent and every reply received, so a
	// session's own traffic shows in the live list and the store.
	Sink func(Message)
	// OnUnmatched receives replies whose message_id matches no request in
	// flight (late replies, or replies to someone else's routing_key).
	OnUnmatched func(Message)
	// OnState receives connection state changes.
	OnState func(State)
}

type result struct {
	resp *Response
	err  error
}

type pending struct {
	sent  Message
	queue string
	done  chan result // capacity 1: whoever completes it never blocks
}

// Requester sends Neon requests to one vhost and matches their replies. It
// owns one reply queue (uuid4 hex, Neon flags) for all requests, so many can
// be in flight at once; the queue is deleted when the Requester is closed.
type Requester struct {
	client *Client
	vhost  string
	queue  string
	opts   RequesterOptions

	mu      sync.Mutex
	ch      *amqp.Channel // nil while disconnected
	pending map[string]*pending

	cancel context.CancelFunc
	done   chan struct{}
}

// NewRequester connects to vhost, declares and consumes the session's reply
// queue, and keeps it connected until Close. A connection error is returned
// at once rather than retried, so a bad password fails here.
func (c *Client) NewRequester(ctx context.Context, vhost string, opts RequesterOptions) (*Requester, error) {
	conn, err := c.Dial(ctx, vhost)
	if err != nil {
		return nil, err
	}
	r := &Requester{
		client: c, vhost: vhost, queue: NewMessageID(), opts: opts,
		pending: make(map[string]*pending),
		done:    make(chan struct{}),
	}
	ready := make(chan error, 1)
	runCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		c.superviseFrom(runCtx, conn, "requests "+vhost, vhost, func(ctx context.Context, conn *amqp.Connection) error {
			return r.session(ctx, conn, ready)
		}, opts.OnState)
	}()
	select {
	case err = <-ready:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// ReplyQueue is the name of the session's reply queue.
func (r *Requester) ReplyQueue() string { return r.queue }

// VHost is the vhost requests go to.
func (r *Requester) VHost() string { return r.vhost }

// Close deletes the reply queue, fails requests in flight and disconnects.
func (r *Requester) Close() {
	r.cancel()
	<-r.done
}

// Request sends value (a dict) to queue and waits for the matching reply.
// message_id and routing_key are filled in unless value has them. It does not
// declare the target queue unless asked: it publishes with mandatory set, so
// a request to a queue that does not exist fails at once with *NoRouteError.
func (r *Requester) Request(ctx context.Context, queue string, value neonwire.Value, opts RequestOptions) (*Response, error) {
	body, id, err := r.prepare(value)
	if err != nil {
		return nil, err
	}
	p, err := r.send(ctx, queue, body, id, opts)
	if err != nil {
		return nil, err
	}
	return r.wait(ctx, p, id, opts.Timeout)
}

// prepare copies the request dict and fills message_id and routing_key.
func (r *Requester) prepare(value neonwire.Value) (*neonwire.Dict, string, error) {
	d, ok := value.(*neonwire.Dict)
	if !ok {
		return nil, "", errors.New("a Neon request body must be a dict")
	}
	body := &neonwire.Dict{Items: append([]neonwire.Item(nil), d.Items...)}
	id, _ := lookupString(body, "message_id")
	if id == "" {
		id = NewMessageID()
		body.Set("message_id", id)
	}
	if rk, _ := lookupString(body, "routing_key"); rk == "" {
		body.Set("routing_key", r.queue)
	}
	return body, id, nil
}

// send registers the request as pending and publishes it.
func (r *Requester) send(ctx context.Context, queue string, body *neonwire.Dict, id string, opts RequestOptions) (*pending, error) {
	pub := amqp.Publishing{Body: neonwire.Encode(body), Expiration: opts.Expiration}
	if pub.Expiration == "" {
		pub.Expiration = DefaultExpiration
	}
	p := &pending{queue: queue, done: make(chan result, 1)}
	p.sent = messageFromPublishing(&pub, r.vhost, "", queue, ModeSent)

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ch == nil {
		return nil, fmt.Errorf("not connected to vhost %q (reconnecting); try again", r.vhost)
	}
	if _, dup := r.pending[id]; dup {
		return nil, fmt.Errorf("a request with message_id %s is already waiting", id)
	}
	if opts.DeclareTarget {
		if err := declareNeonQueue(r.ch, queue); err != nil {
			return nil, err
		}
	}
	r.pending[id] = p
	if err := r.ch.PublishWithContext(ctx, "", queue, true, false, pub); err != nil {
		delete(r.pending, id)
		return nil, fmt.Errorf("publish to %q: %w", queue, err)
	}
	if r.opts.Sink != nil {
		r.opts.Sink(p.sent)
	}
	return p, nil
}

// wait blocks until the reply, a return, the timeout or ctx.
func (r *Requester) wait(ctx context.Context, p *pending, id string, timeout time.Duration) (*Response, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	defer r.forget(id, p)
	select {
	case res := <-p.done:
		return res.resp, res.err
	case <-timer.C:
		return nil, &TimeoutError{VHost: r.vhost, Queue: p.queue, MessageID: id, After: timeout}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// forget removes id from the pending map if it is still p.
func (r *Requester) forget(id string, p *pending) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending[id] == p {
		delete(r.pending, id)
	}
}

// complete hands a result to the request waiting on id and reports whether
// there was one.
func (r *Requester) complete(id string, res func(p *pending) result) bool {
	r.mu.Lock()
	p, ok := r.pending[id]
	if ok {
		delete(r.pending, id)
	}
	r.mu.Unlock()
	if ok {
		p.done <- res(p)
	}
	return ok
}
