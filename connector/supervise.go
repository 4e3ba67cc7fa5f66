package connector

import (
	"context"
	"errors"
	"math/rand/v2"
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

// session is the work done on one live connection. It returns when the
// connection closes, the context ends, or the work fails.
type session func(ctx context.Context, conn *amqp.Connection) error

// supervise keeps a session running on a connection to vhost until ctx ends:
// it dials, runs the session, and after any failure redials with backoff,
// reporting every state change to report (which may be nil).
func (c *Client) supervise(ctx context.Context, worker, vhost string, run session, report func(State)) {
	c.superviseFrom(ctx, nil, worker, vhost, run, report)
}

// superviseFrom is supervise starting with an already open connection, for
// callers that dial once up front so that a bad password or a missing vhost
// fails their constructor instead of retrying in the background.
func (c *Client) superviseFrom(ctx context.Context, first *amqp.Connection, worker, vhost string, run session, report func(State)) {
	emit := func(kind StateKind, err error, retry time.Duration) {
		if report != nil {
			report(State{Worker: worker, VHost: vhost, Kind: kind, Err: err, Retry: retry, Time: time.Now()})
		}
	}
	bo := DefaultBackoff()
	connected := func() { bo.Reset(); emit(StateConnected, nil, 0) }
	if first == nil {
		emit(StateConnecting, nil, 0)
	}
	for ctx.Err() == nil {
		var err error
		if first != nil {
			connected()
			err = runOn(ctx, first, run)
			first = nil
		} else {
			err = c.runOnce(ctx, vhost, run, connected)
		}
		if ctx.Err() != nil {
			break
		}
		wait := bo.Next()
		emit(StateReconnecting, err, wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	emit(StateClosed, nil, 0)
}

// runOnce dials once and runs the session until it ends, closing the
// connection afterwards.
func (c *Client) runOnce(ctx context.Context, vhost string, run session, connected func()) error {
	conn, err := c.Dial(ctx, vhost)
	if err != nil {
		return err
	}
	connected()
	return runOn(ctx, conn, run)
}

// runOn runs a session on conn and closes conn afterwards.
func runOn(ctx context.Context, conn *amqp.Connection, run session) error {
	defer conn.Close()
	err := run(ctx, conn)
	if err == nil && ctx.Err() == nil {
		err = errors.New("connection closed")
	}
	return err
}

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
