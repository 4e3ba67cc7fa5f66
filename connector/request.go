package connector

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

// lostError is ErrConnectionLost with what was under way.
type lostError struct{ msg string }

func (e *lostError) Error() string        { return e.msg }
func (e *lostError) Is(target error) bool { return target == ErrConnectionLost }

// ErrNotConnected is matched (errors.Is) by every *NotConnectedError.
var ErrNotConnected = errors.New("not connected to RabbitMQ")

// NotConnectedError says a request was not sent: the Requester was
// reconnecting, and the connection did not come back within the request's
// timeout. Cause is why the connection was lost or the last attempt failed.
type NotConnectedError struct {
	VHost  string
	Waited time.Duration
	Cause  error
}

func (e *NotConnectedError) Error() string {
	cause := "reconnecting"
	if e.Cause != nil {
		cause = e.Cause.Error()
	}
	return fmt.Sprintf("request not sent: no connection to vhost %q for %s (%s)", e.VHost, e.Waited.Round(time.Millisecond), cause)
}

// Is makes errors.Is(err, ErrNotConnected) true.
func (e *NotConnectedError) Is(target error) bool { return target == ErrNotConnected }

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

// Limits of what RabbitMQ accepts in a request, checked before sending:
// past them the broker (or amqp091, for a name) does not answer with an
// error but closes the channel or the connection, which would read as a
// lost connection.
const (
	MaxNameBytes  = 255          // an AMQP short string: queue names, routing keys
	MaxExpiration = 315360000000 // ms, ten years: RabbitMQ refuses a per-message TTL above it
)

// CheckRequest says what is wrong with a request to queue with opts before
// it is sent, or nil: a queue name RabbitMQ cannot carry, or an expiration
// that is not a whole number of milliseconds within RabbitMQ's range.
// Request and Send call it; a program may call it to check input early.
func CheckRequest(queue string, opts RequestOptions) error {
	if len(queue) > MaxNameBytes {
		return fmt.Errorf("queue name is %d bytes long; RabbitMQ queue names are at most %d bytes", len(queue), MaxNameBytes)
	}
	if e := opts.Expiration; e != "" {
		if n, err := strconv.ParseUint(e, 10, 64); err != nil || n > MaxExpiration {
			return fmt.Errorf("expiration %q: give a whole number of milliseconds from 0 to %d", e, uint64(MaxExpiration))
		}
	}
	return nil
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
	// OnSent receives every request as it was published.
	OnSent func(Message)
	// OnReceived receives every message that arrives on the reply queue,
	// matched or not, before it is matched.
	OnReceived func(Message)
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
	sent   Message
	queue  string
	done   chan result   // capacity 1: whoever completes it never blocks
	closed *channelClose // the channel it was published on
}

// channelClose keeps why the broker closed a channel requests were
// published on. A publish the broker refuses (no write permission) is
// answered only by closing the channel, which fails the requests in
// flight as a lost connection; the close reason tells them the real cause.
// amqp091 sends it before it closes the channel's consumers, so it is
// here by the time a request learns its channel is gone.
type channelClose struct {
	ch     *amqp.Channel
	notify chan *amqp.Error
	once   sync.Once
	err    *amqp.Error
}

// reason is the broker's reason for closing the channel, nil when it has
// not closed it (or the connection went instead).
func (c *channelClose) reason() *amqp.Error {
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		select {
		case c.err = <-c.notify:
		default:
		}
	})
	return c.err
}

// refusedError is the broker's refusal of something a Requester did,
// explained in one line; errors.As still finds the *amqp.Error.
type refusedError struct {
	msg   string
	cause *amqp.Error
}

func (e *refusedError) Error() string { return e.msg }
func (e *refusedError) Unwrap() error { return e.cause }

// explainRefusal turns the broker's refusal to let the user verb what
// into one line (see refusal); other errors are returned as they are.
func (r *Requester) explainRefusal(err error, verb, what string) error {
	var aerr *amqp.Error
	if errors.As(err, &aerr) {
		if refused := r.refusal(aerr, verb, what); refused != nil {
			return refused
		}
	}
	return err
}

// refusal words the broker's refusal to let the user verb what as the
// inspector's watches word theirs, e.g. `user "u" has no permission to
// publish to queue "q" in vhost "/v"`; nil when aerr is not a refusal.
func (r *Requester) refusal(aerr *amqp.Error, verb, what string) error {
	switch {
	case aerr == nil:
		return nil
	case aerr.Code == amqp.AccessRefused:
		return &refusedError{msg: fmt.Sprintf("user %q has no permission to %s %s in vhost %q", r.client.User(), verb, what, r.vhost), cause: aerr}
	case aerr.Code == amqp.PreconditionFailed:
		return &refusedError{msg: fmt.Sprintf("cannot %s %s in vhost %q: %s", verb, what, r.vhost, aerr.Reason), cause: aerr}
	}
	return nil
}

// Requester sends Neon requests to one vhost and matches their replies. It
// owns one reply queue (uuid4 hex, Neon flags) for all requests, so many can
// be in flight at once; the queue is deleted when the Requester is closed.
//
// The reply queue has no arguments, as the Python library's, and must not
// have any: a Neon service declares the queue named by a request's
// routing_key, with no arguments, before it replies, and the broker refuses
// that declare (406 PRECONDITION_FAILED, "inequivalent arg 'x-expires'")
// when the queue has one, closing the service's channel instead of
// delivering the reply. So a process killed before Close (kill -9, a crash)
// leaves its reply queue behind, empty or with late replies, until someone
// deletes it.
type Requester struct {
	client *Client
	vhost  string
	queue  string
	opts   RequesterOptions

	mu      sync.Mutex
	conn    *amqp.Connection // the connection of ch
	ch      *amqp.Channel    // nil while disconnected
	up      chan struct{}    // closed when ch is set; a new one after each disconnect
	lastErr error            // why the last connection ended or the last dial failed
	pending map[string]*pending
	// closeWatch is the close watch of the channel requests last went
	// out on (see channelClose).
	closeWatch *channelClose

	cancel context.CancelFunc
	done   chan struct{}

	// Owned by the goroutine that runs the sessions: the reply queue was
	// declared, and deleted since.
	declared, deleted bool
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
		up:      make(chan struct{}),
		done:    make(chan struct{}),
	}
	ready := make(chan error, 1)
	runCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		_ = c.Supervise(runCtx, conn, "requests "+vhost, vhost, func(ctx context.Context, conn *amqp.Connection, up func()) error {
			return r.session(ctx, conn, ready, up)
		}, r.onState)
		r.deleteLeftover()
	}()
	select {
	case err = <-ready:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		r.Close()
		return nil, r.explainRefusal(err, "create and read", fmt.Sprintf("its reply queue %q", r.queue))
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
//
// While the Requester is reconnecting, Request waits for the connection to
// come back (within its timeout, which also covers the wait for the reply)
// and fails with *NotConnectedError if it does not. A request in flight
// when the connection drops, or whose publish the drop broke, fails with
// ErrConnectionLost (errors.Is): its reply would arrive on a channel that no
// longer exists, and sending it again might deliver it twice.
func (r *Requester) Request(ctx context.Context, queue string, value neonwire.Value, opts RequestOptions) (*Response, error) {
	if err := CheckRequest(queue, opts); err != nil {
		return nil, err
	}
	body, id, err := r.prepare(value)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	timer := time.NewTimer(opts.Timeout)
	defer timer.Stop()
	p, err := r.send(ctx, timer.C, queue, body, id, opts)
	if err != nil {
		return nil, err
	}
	return r.wait(ctx, timer.C, p, id, opts.Timeout)
}

// prepare copies the request dict and fills in routing_key and message_id
// as send_mq_request does (docs/wire.md §7): routing_key first, then
// message_id, so that a body with neither ends "…, 'routing_key': …,
// 'message_id': …}", byte for byte what the Python library sends. A key
// that is there with the value None is replaced where it stands.
func (r *Requester) prepare(value neonwire.Value) (*neonwire.Dict, string, error) {
	body, err := copyRequestDict(value)
	if err != nil {
		return nil, "", err
	}
	if rk, set := lookupSet(body, "routing_key"); set && rk != r.queue {
		return nil, "", &ReplyElsewhereError{ReplyQueue: rk}
	}
	body.Set("routing_key", r.queue)
	return body, fillMessageID(body), nil
}

// copyRequestDict checks that value is a non-empty dict, as emit_mq_message
// refuses anything else, and copies it so the caller's value is not changed.
func copyRequestDict(value neonwire.Value) (*neonwire.Dict, error) {
	d, ok := value.(*neonwire.Dict)
	if !ok {
		return nil, errors.New("a Neon request body must be a dict")
	}
	if len(d.Items) == 0 {
		return nil, errors.New("a Neon request body must not be an empty dict (neon_mq_connector refuses one)")
	}
	return &neonwire.Dict{Items: append([]neonwire.Item(nil), d.Items...)}, nil
}

// fillMessageID gives body a message_id unless it has one that is not
// None, as emit_mq_message does: context.mq.message_id when that is a
// non-empty string, else a new uuid4 hex. It returns the id.
func fillMessageID(body *neonwire.Dict) string {
	if id, set := lookupSet(body, "message_id"); set {
		return id
	}
	id := contextMessageID(body)
	if id == "" {
		id = NewMessageID()
	}
	body.Set("message_id", id)
	return id
}

// contextMessageID is body["context"]["mq"]["message_id"], or "".
func contextMessageID(body *neonwire.Dict) string {
	var v neonwire.Value = body
	for _, key := range []string{"context", "mq", "message_id"} {
		d, ok := v.(*neonwire.Dict)
		if !ok {
			return ""
		}
		v, _ = d.Get(key)
	}
	id, _ := v.(string)
	return id
}

// lookupSet returns a str key's value and whether it is there and not
// None. A value of another type counts as set, as its str().
func lookupSet(d *neonwire.Dict, key string) (string, bool) {
	v, ok := d.Get(key)
	if !ok || v == nil {
		return "", false
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	return neonwire.Repr(v), true
}

// ReplyElsewhereError is returned by Request for a body whose own
// routing_key names another queue: the service will reply there, so
// waiting on this Requester's queue could only time out. Send publishes
// such a body without waiting.
type ReplyElsewhereError struct{ ReplyQueue string }

func (e *ReplyElsewhereError) Error() string {
	return fmt.Sprintf("the body's routing_key sends the reply to queue %q, not to this requester's reply queue; send it without waiting for a reply, or remove routing_key", e.ReplyQueue)
}

// Send publishes value to queue without waiting for a reply, as
// emit_mq_message does: message_id is filled in (see Request) and
// routing_key is left as the body has it. It returns the message_id.
func (r *Requester) Send(ctx context.Context, queue string, value neonwire.Value, opts RequestOptions) (string, error) {
	if err := CheckRequest(queue, opts); err != nil {
		return "", err
	}
	body, err := copyRequestDict(value)
	if err != nil {
		return "", err
	}
	id := fillMessageID(body)
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	timer := time.NewTimer(opts.Timeout)
	defer timer.Stop()
	p, err := r.send(ctx, timer.C, queue, body, id, opts)
	if p != nil {
		r.forget(id, p)
	}
	return id, err
}

// send registers the request as pending and publishes it, waiting for a
// connection first while there is none.
func (r *Requester) send(ctx context.Context, expired <-chan time.Time, queue string, body *neonwire.Dict, id string, opts RequestOptions) (*pending, error) {
	pub := amqp.Publishing{Body: neonwire.Encode(body), Expiration: opts.Expiration}
	if pub.Expiration == "" {
		pub.Expiration = DefaultExpiration
	}
	started := time.Now()
	for {
		p, err := r.publish(ctx, queue, id, opts, pub)
		if p != nil || err != nil {
			return p, err
		}
		if err := r.awaitConnection(ctx, expired, started); err != nil {
			return nil, err
		}
	}
}

// publish registers the request as pending and publishes it on the current
// channel. It returns neither a pending request nor an error when there is
// no channel. The lock is not held while publishing: a write that stalls
// on a dying connection must not hold up every other request.
func (r *Requester) publish(ctx context.Context, queue, id string, opts RequestOptions, pub amqp.Publishing) (*pending, error) {
	p := &pending{queue: queue, done: make(chan result, 1)}
	r.mu.Lock()
	conn, ch := r.conn, r.ch
	if ch == nil {
		r.mu.Unlock()
		return nil, nil
	}
	if _, dup := r.pending[id]; dup {
		r.mu.Unlock()
		return nil, fmt.Errorf("a request with message_id %s is already waiting", id)
	}
	p.sent = messageFromPublishing(&pub, r.vhost, "", queue)
	p.closed = r.watchClose(ch)
	r.pending[id] = p
	r.mu.Unlock()

	if opts.DeclareTarget {
		if err := declareTarget(conn, queue); err != nil {
			r.forget(id, p)
			return nil, r.explainRefusal(err, "create", fmt.Sprintf("queue %q", queue))
		}
	}
	if err := ch.PublishWithContext(ctx, "", queue, true, false, pub); err != nil {
		r.forget(id, p)
		return nil, r.publishFailed(ctx, ch, queue, err)
	}
	if r.opts.OnSent != nil {
		r.opts.OnSent(p.sent)
	}
	return p, nil
}

// watchClose returns the close watch of ch, the current channel, making
// one the first time: one per channel, however many requests go out on it.
// The caller holds r.mu.
func (r *Requester) watchClose(ch *amqp.Channel) *channelClose {
	if r.closeWatch == nil || r.closeWatch.ch != ch {
		r.closeWatch = &channelClose{ch: ch, notify: ch.NotifyClose(make(chan *amqp.Error, 1))}
	}
	return r.closeWatch
}

// publishFailed explains a publish on ch that failed; nil means nothing
// went out because the connection had dropped, so the request waits for
// the next one.
func (r *Requester) publishFailed(ctx context.Context, ch *amqp.Channel, queue string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r.mu.Lock()
	if r.ch == ch {
		r.markDown()
	}
	r.mu.Unlock()
	if errors.Is(err, amqp.ErrClosed) {
		// The session has not noticed the drop yet; amqp091 refused
		// before writing anything.
		return nil
	}
	// The connection broke under the write: part of the request may have
	// gone out, so sending it again could deliver it twice.
	return &lostError{msg: fmt.Sprintf("connection to RabbitMQ lost while publishing to %q (%s); the request may or may not have reached it", queue, rootCause(err))}
}

// awaitConnection waits until the Requester is connected again, the request
// expires, ctx ends or the Requester is closed.
func (r *Requester) awaitConnection(ctx context.Context, expired <-chan time.Time, started time.Time) error {
	r.mu.Lock()
	up, connected := r.up, r.ch != nil
	r.mu.Unlock()
	if connected {
		return nil
	}
	select {
	case <-up:
		return nil
	case <-expired:
		r.mu.Lock()
		cause := r.lastErr
		r.mu.Unlock()
		return &NotConnectedError{VHost: r.vhost, Waited: time.Since(started), Cause: cause}
	case <-ctx.Done():
		return ctx.Err()
	case <-r.done:
		return fmt.Errorf("request not sent: the requester for vhost %q is closed", r.vhost)
	}
}

// wait blocks until the reply, a return, the timeout or ctx.
func (r *Requester) wait(ctx context.Context, expired <-chan time.Time, p *pending, id string, timeout time.Duration) (*Response, error) {
	defer r.forget(id, p)
	select {
	case res := <-p.done:
		if errors.Is(res.err, ErrConnectionLost) {
			// The broker may have closed the channel because of this
			// request: then say why, not "connection lost".
			if refused := r.refusal(p.closed.reason(), "publish to", fmt.Sprintf("queue %q", p.queue)); refused != nil {
				return nil, refused
			}
		}
		return res.resp, res.err
	case <-expired:
		return nil, &TimeoutError{VHost: r.vhost, Queue: p.queue, MessageID: id, After: timeout}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// onState remembers why the connection is down, for NotConnectedError,
// and passes the state on.
func (r *Requester) onState(s State) {
	if s.Err != nil {
		r.mu.Lock()
		r.lastErr = s.Err
		r.mu.Unlock()
	}
	if r.opts.OnState != nil {
		r.opts.OnState(s)
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
