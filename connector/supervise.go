package connector

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// StateKind is the life-cycle state of one connection-owning worker.
type StateKind string

// Connection states, shown in the UI and logs.
const (
	StateConnecting   StateKind = "connecting"
	StateConnected    StateKind = "connected"
	StateReconnecting StateKind = "reconnecting"
	StateFailed       StateKind = "failed"
	StateClosed       StateKind = "closed"
)

// State reports a change in a worker's connection. Err is the reason for
// reconnecting or failing; Retry is how long until the next attempt.
type State struct {
	Worker string // e.g. "consumer neon_api_input" or "requests /neon_api"
	VHost  string
	Kind   StateKind
	Err    error
	Retry  time.Duration
	Time   time.Time
}

// Backoff is a capped exponential backoff with jitter. The first retry comes
// well under a second so a broker blip is barely visible; the cap keeps a
// long outage from turning into minutes of silence.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	attempt int
}

// DefaultBackoff is what every worker uses unless told otherwise.
func DefaultBackoff() Backoff { return Backoff{Initial: 200 * time.Millisecond, Max: 5 * time.Second} }

// Next returns the delay before the next attempt and advances.
func (b *Backoff) Next() time.Duration {
	d := b.Initial << min(b.attempt, 16)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	b.attempt++
	// Full jitter on half the delay spreads many reconnecting workers out.
	half := d / 2
	return half + rand.N(half+1)
}

// Reset starts the sequence again after a successful connection.
func (b *Backoff) Reset() { b.attempt = 0 }

// Session is the work done on one live connection. It calls up once it is
// doing its work (consuming, say): only then does the backoff start again
// from its first, short delay, so a connection that keeps failing in its
// setup is retried ever more slowly instead of several times a second. It
// returns when the connection closes, the context ends, or the work fails.
type Session func(ctx context.Context, conn *amqp.Connection, up func()) error

// Supervise keeps run going on a connection to vhost until ctx ends: it
// dials (unless first is an already open connection, for callers that dial
// once up front so that a bad password or a missing vhost fails their
// constructor instead of retrying in the background), runs the session,
// and after any failure redials with the client's backoff, reporting every
// state change to report (which may be nil).
//
// An error that a new connection cannot change (see Permanent) ends it:
// Supervise reports StateFailed and returns that error. It returns nil when
// ctx ends.
//
// This is the library's lower layer: Service and Requester are built on it,
// and a program that needs channels of its own (a tool that binds private
// queues, say) uses it to get the same reconnect behaviour.
func (c *Client) Supervise(ctx context.Context, first *amqp.Connection, worker, vhost string, run Session, report func(State)) error {
	emit := func(kind StateKind, err error, retry time.Duration) {
		if report != nil {
			report(State{Worker: worker, VHost: vhost, Kind: kind, Err: err, Retry: retry, Time: time.Now()})
		}
	}
	bo := c.opts.backoff
	up := bo.Reset
	if first == nil {
		emit(StateConnecting, nil, 0)
	}
	for ctx.Err() == nil {
		var err error
		if first != nil {
			emit(StateConnected, nil, 0)
			err = runOn(ctx, first, run, up)
			first = nil
		} else {
			err = c.runOnce(ctx, vhost, run, func() { emit(StateConnected, nil, 0) }, up)
		}
		if ctx.Err() != nil {
			break
		}
		if IsPermanent(err) {
			emit(StateFailed, err, 0)
			return err
		}
		wait := bo.Next()
		emit(StateReconnecting, err, wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	emit(StateClosed, nil, 0)
	return nil
}

// runOnce dials once and runs the session until it ends, closing the
// connection afterwards.
func (c *Client) runOnce(ctx context.Context, vhost string, run Session, connected, up func()) error {
	conn, err := c.Dial(ctx, vhost)
	if err != nil {
		return err
	}
	connected()
	return runOn(ctx, conn, run, up)
}

// runOn runs a session on conn and closes conn afterwards.
func runOn(ctx context.Context, conn *amqp.Connection, run Session, up func()) error {
	defer conn.Close()
	err := run(ctx, conn, up)
	if err == nil && ctx.Err() == nil {
		err = errors.New("connection closed")
	}
	return err
}

// ConnectionClosed explains a value received from a connection's
// NotifyClose channel (ok false: the channel was closed without an error).
func ConnectionClosed(e *amqp.Error, ok bool) error { return explainClose("connection", e, ok) }

func explainClose(what string, e *amqp.Error, ok bool) error {
	if !ok || e == nil {
		return errors.New(what + " closed")
	}
	return &ChannelError{Code: e.Code, Reason: e.Reason, Connection: what == "connection", Local: !e.Server}
}

// ChannelError is why a channel or the connection closed: an error the
// broker sent (e.g. 404 NOT_FOUND for a missing queue, 320
// CONNECTION_FORCED), or, with Local set, a failure this side saw, such as
// the network connection being reset.
type ChannelError struct {
	Code       int
	Reason     string
	Connection bool
	Local      bool
}

func (e *ChannelError) Error() string {
	switch {
	case e.Local && e.Connection:
		return "connection lost: " + e.Reason
	case e.Local:
		return "channel lost: " + e.Reason
	case e.Connection:
		return "connection closed by broker: " + e.Reason
	}
	return "broker closed the channel: " + e.Reason
}

// permanentError marks an error that reconnecting cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that a new connection would not change, so
// that Supervise stops instead of retrying. Broker refusals that say
// something is missing, forbidden, locked by another connection or not as
// declared (404, 403, 405, 406) are permanent unless the queue's home node
// is down, which is not missing for good. Other errors are returned as
// they are. Permanent(nil) is nil.
func Permanent(err error) error {
	var aerr *amqp.Error
	if err == nil || IsPermanent(err) || !errors.As(err, &aerr) || homeNodeDown(aerr) {
		return err
	}
	switch aerr.Code {
	case amqp.NotFound, amqp.AccessRefused, amqp.ResourceLocked, amqp.PreconditionFailed:
		return &permanentError{err: err}
	}
	return err
}

// MarkPermanent marks any err as permanent, whatever it is.
func MarkPermanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was marked by Permanent or MarkPermanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// homeNodeDown reports RabbitMQ's 404 for a durable queue whose node is down
// or not yet recovered ("home node … of durable queue … is down or
// inaccessible"): the queue comes back with its node, so it is worth
// retrying.
func homeNodeDown(aerr *amqp.Error) bool {
	return aerr.Code == amqp.NotFound && strings.Contains(aerr.Reason, "down or inaccessible")
}
