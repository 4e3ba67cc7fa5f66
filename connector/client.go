package connector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Client connects to RabbitMQ as one Neon service: the service name selects
// the credentials in the config's users map, as in neon_mq_connector.
type Client struct {
	cfg     *Config
	service string
	creds   Credentials
	// Name is shown to the broker as the connection name (management UI).
	Name string
}

// NewClient returns a client for service, or an error naming the services the
// config knows when it has no credentials for it.
func NewClient(cfg *Config, service string) (*Client, error) {
	creds, err := cfg.Credentials(service)
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, service: service, creds: creds, Name: "mqscope " + service}, nil
}

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
	for _, server := range c.cfg.Servers {
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
	uri := amqp.URI{
		Scheme:   "amqp",
		Host:     host,
		Port:     port,
		Username: c.creds.User,
		Password: c.creds.Password.Reveal(),
		Vhost:    vhost,
	}
	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName(c.Name)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	cfg := amqp.Config{
		Properties: props,
		Heartbeat:  10 * time.Second,
		Locale:     "en_US",
		Dial: func(network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}
	tlsCfg, err := c.cfg.tlsClientConfig(host)
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		uri.Scheme = "amqps"
		cfg.TLSClientConfig = tlsCfg
	}
	conn, err := amqp.DialConfig(uri.String(), cfg)
	if err != nil {
		return nil, c.explainDialError(err, net.JoinHostPort(host, strconv.Itoa(port)), vhost)
	}
	return conn, nil
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
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return &DialError{Addr: addr, Reach: true, Reason: fmt.Sprintf("RabbitMQ at %s did not answer in time: check server/port in the config", addr)}
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
