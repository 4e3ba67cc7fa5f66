package connector

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Client connects to RabbitMQ as one Neon service: the service name selects
// the credentials in the config's users map, as in neon_mq_connector.
type Client struct {
	cfg     *Config
	service string
	creds   Credentials
	opts    clientOptions
}

// NewClient returns a client for service, or an error naming the services the
// config knows when it has no credentials for it. Without options it dials
// the config's server and port in plain AMQP, names its connections and
// consumer tags after the service, and reconnects with DefaultBackoff.
func NewClient(cfg *Config, service string, opts ...Option) (*Client, error) {
	creds, err := cfg.Credentials(service)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, service: service, creds: creds, opts: clientOptions{
		name:      service,
		tagPrefix: service,
		servers:   []string{net.JoinHostPort(cfg.Server, strconv.Itoa(cfg.Port))},
		backoff:   DefaultBackoff(),
	}}
	for _, o := range opts {
		o(&c.opts)
	}
	return c, nil
}

// Name is the connection name the broker shows for this client's
// connections (management UI, rabbitmqctl list_connections).
func (c *Client) Name() string { return c.opts.name }

// Credentials is the login the client uses. Its password prints as a mask.
func (c *Client) Credentials() Credentials { return c.creds }

// Service is the Neon service name whose credentials the client uses.
func (c *Client) Service() string { return c.service }

// User is the RabbitMQ user name the client logs in as.
func (c *Client) User() string { return c.creds.User }

// Config is the configuration the client was made from.
func (c *Client) Config() *Config { return c.cfg }

// Dial opens a connection to vhost, trying each configured server in order
// and returning the first that accepts. Errors are one line, say what to do,
// and never contain the password.
func (c *Client) Dial(ctx context.Context, vhost string) (*amqp.Connection, error) {
	var firstErr error
	for _, server := range c.opts.servers {
		conn, err := c.dialServer(ctx, server, vhost)
		if err == nil {
			return conn, nil
		}
		if firstErr == nil || isReachError(firstErr) && !isReachError(err) {
			// Prefer an answer from a live broker (wrong password, missing
			// vhost) over "connection refused" from a dead one.
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if firstErr == nil {
		firstErr = errors.New("no servers configured")
	}
	return nil, firstErr
}

func (c *Client) dialServer(ctx context.Context, server, vhost string) (*amqp.Connection, error) {
	host, port := splitServer(server, c.cfg.Port)
	tlsCfg, err := c.opts.tls.clientConfig(host)
	if err != nil {
		return nil, err
	}
	// TLS, when configured, is set up by d.dial: the URI stays amqp:// so
	// that amqp091 does not wrap the connection a second time.
	d := &connDialer{ctx: ctx, tls: tlsCfg}
	uri := amqp.URI{
		Scheme:   "amqp",
		Host:     host,
		Port:     port,
		Username: c.creds.User,
		Password: c.creds.Password.Reveal(),
		Vhost:    vhost,
	}
	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName(c.opts.name)
	cfg := amqp.Config{
		Properties: props,
		Heartbeat:  10 * time.Second,
		Locale:     "en_US",
		Dial:       d.dial,
	}
	conn, err := amqp.DialConfig(uri.String(), cfg)
	if err != nil {
		return nil, c.explainDialError(d.cause(err), net.JoinHostPort(host, strconv.Itoa(port)), vhost)
	}
	return conn, nil
}

// Bounds on opening a connection: the TCP connect, then the TLS and AMQP
// handshakes together.
const (
	connectTimeout   = 5 * time.Second
	handshakeTimeout = 15 * time.Second
)

// connDialer opens the connection under amqp091: TCP bound to ctx, TLS when
// configured, and a deadline on the handshakes (ctx's, when sooner). amqp091
// clears the deadline once the AMQP handshake is done; until then it keeps a
// peer that accepts the connection and says nothing (a TLS port dialled
// without TLS, a stuck proxy) from stalling the dial forever.
//
// It also keeps the first I/O error on the connection. When the broker
// drops the connection during the AMQP handshake, amqp091's reader goroutine
// sees why (a TLS alert, a reset, a timeout) but Dial often reports only
// "channel/connection is not open" or the error's bare text.
type connDialer struct {
	ctx context.Context
	tls *tls.Config // nil for plain amqp

	mu    sync.Mutex
	ioErr error
}

func (d *connDialer) dial(network, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{Timeout: connectTimeout}).DialContext(d.ctx, network, addr)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(handshakeTimeout)
	if dl, ok := d.ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, err
	}
	if d.tls != nil {
		tc := tls.Client(conn, d.tls)
		if err := tc.HandshakeContext(d.ctx); err != nil {
			conn.Close()
			return nil, err
		}
		conn = tc
	}
	rc := &recordingConn{Conn: conn, d: d}
	rc.guard = &frameGuard{src: rawReader{rc}}
	return rc, nil
}

func (d *connDialer) record(err error) {
	if err == nil {
		return
	}
	d.mu.Lock()
	if d.ioErr == nil {
		d.ioErr = err
	}
	d.mu.Unlock()
}

// cause is the error to explain for a failed dial: amqp091's, unless that
// only says the connection went away, when the first I/O error says why.
func (d *connDialer) cause(err error) error {
	d.mu.Lock()
	first := d.ioErr
	d.mu.Unlock()
	// net.ErrClosed first means amqp091 closed the connection itself, after
	// finding the error it reports.
	if first == nil || errors.Is(first, net.ErrClosed) {
		return err
	}
	var aerr *amqp.Error
	if errors.Is(err, amqp.ErrClosed) || errors.Is(err, net.ErrClosed) ||
		errors.As(err, &aerr) && aerr.Code == amqp.FrameError && aerr.Reason == first.Error() {
		return first
	}
	return err
}

// recordingConn passes every read and write through, noting the first
// error in its dialer. Reads go through a frameGuard, so that a message
// amqp091 cannot parse does not take the connection down.
type recordingConn struct {
	net.Conn
	d     *connDialer
	guard *frameGuard
}

func (c *recordingConn) Read(p []byte) (int, error) { return c.guard.Read(p) }

// rawReader reads the network connection under a recordingConn.
type rawReader struct{ c *recordingConn }

func (r rawReader) Read(p []byte) (int, error) {
	n, err := r.c.Conn.Read(p)
	r.c.d.record(err)
	return n, err
}

func (c *recordingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.d.record(err)
	return n, err
}

// ConnectionState forwards the TLS state, which amqp.Connection's
// ConnectionState looks for on the connection it was given.
func (c *recordingConn) ConnectionState() tls.ConnectionState {
	if tc, ok := c.Conn.(*tls.Conn); ok {
		return tc.ConnectionState()
	}
	return tls.ConnectionState{}
}

// splitServer parses "host[:port]", defaulting the port.
func splitServer(server string, defPort int) (string, int) {
	host, portStr, err := net.SplitHostPort(server)
	if err != nil {
		return server, defPort
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return host, defPort
	}
	return host, port
}

// DialError is a connection failure explained for a person. Reach is true
// when the broker could not be reached at all (as opposed to refusing us).
type DialError struct {
	Addr   string
	Reason string
	Reach  bool
}

func (e *DialError) Error() string { return e.Reason }

func isReachError(err error) bool {
	var de *DialError
	return errors.As(err, &de) && de.Reach
}

// explainDialError turns amqp091 and net errors into one line that says what
// happened and what to do about it.
func (c *Client) explainDialError(err error, addr, vhost string) error {
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return &DialError{Addr: addr, Reach: true, Reason: fmt.Sprintf("RabbitMQ at %s did not answer in time: check server/port in the config", addr)}
	}
	if de := explainTLSError(err, addr, c.opts.tls != nil, c.opts.tlsKey); de != nil {
		return de
	}
	var aerr *amqp.Error
	user := c.creds.User
	switch {
	case errors.As(err, &aerr) && aerr.Code == amqp.AccessRefused && strings.Contains(aerr.Reason, "vhost"):
		return &DialError{Addr: addr, Reason: fmt.Sprintf("user %q may not use vhost %q on %s: ask an administrator for permissions, or check the vhost name", user, vhost, addr)}
	case errors.As(err, &aerr) && aerr.Code == amqp.AccessRefused:
		return &DialError{Addr: addr, Reason: fmt.Sprintf("login refused for user %q (service %q) on %s: check the password in the config", user, c.service, addr)}
	case errors.As(err, &aerr) && aerr.Code == amqp.NotAllowed && strings.Contains(aerr.Reason, "not found"):
		return &DialError{Addr: addr, Reason: fmt.Sprintf("vhost %q does not exist on %s: create it (rabbitmqctl add_vhost %s) or pick another", vhost, addr, vhost)}
	case errors.As(err, &aerr) && aerr.Code == amqp.NotAllowed && strings.Contains(aerr.Reason, "refused for user"):
		// RabbitMQ 3.10 refuses a vhost the user has no permissions on with
		// 530 "access to vhost '/x' refused for user 'u'".
		return &DialError{Addr: addr, Reason: fmt.Sprintf("user %q may not use vhost %q on %s: ask an administrator for permissions, or check the vhost name", user, vhost, addr)}
	case errors.As(err, &aerr) && aerr.Code == amqp.NotAllowed:
		return &DialError{Addr: addr, Reason: fmt.Sprintf("connection to vhost %q on %s not allowed: %s", vhost, addr, redact(aerr.Reason, c.creds.Password))}
	case errors.As(err, &aerr):
		return &DialError{Addr: addr, Reason: fmt.Sprintf("broker %s refused the connection: %s", addr, redact(aerr.Reason, c.creds.Password))}
	}
	var operr *net.OpError
	if errors.As(err, &operr) {
		return &DialError{Addr: addr, Reach: true, Reason: fmt.Sprintf("cannot reach RabbitMQ at %s: %s (is the broker running? check server/port in the config)", addr, rootCause(operr))}
	}
	return &DialError{Addr: addr, Reach: true, Reason: fmt.Sprintf("cannot connect to RabbitMQ at %s: %s", addr, redact(err.Error(), c.creds.Password))}
}

// rootCause drops Go's "dial tcp 1.2.3.4:5: connect:" prefix noise.
func rootCause(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// redact removes the password from a message that came from elsewhere, as a
// last line of defence: our own messages never include it.
func redact(s string, p Secret) string {
	if pw := p.Reveal(); len(pw) >= 3 {
		s = strings.ReplaceAll(s, pw, "********")
	}
	return s
}
