package connector

import "strings"

// Option changes how a Client connects; pass options to NewClient.
type Option func(*clientOptions)

// clientOptions are what the options set; NewClient fills in the defaults.
type clientOptions struct {
	name      string
	tagPrefix string
	servers   []string
	tls       *TLSConfig
	tlsKey    settingsKey
	backoff   Backoff
}

// WithConnectionName sets the name the broker shows for the client's
// connections. The default is the service name.
func WithConnectionName(name string) Option {
	return func(o *clientOptions) { o.name = name }
}

// WithConsumerTagPrefix sets the first part of every consumer tag the client
// makes ("PREFIX.CONSUMER.3f9a1c"), so that a person can tell its consumers
// apart in the management UI. The default is the service name.
func WithConsumerTagPrefix(prefix string) Option {
	return func(o *clientOptions) { o.tagPrefix = prefix }
}

// WithServers replaces the config's single server with a list of
// "host[:port]" to try in order (a port-less entry takes the config's
// port): the first that accepts a connection is used, and every reconnect
// starts again from the first. Neon's config format has no such key; a
// program that knows its cluster passes it here. An empty list is ignored.
func WithServers(servers ...string) Option {
	return func(o *clientOptions) {
		if len(servers) > 0 {
			o.servers = servers
		}
	}
}

// WithTLS makes every connection amqps with these settings. Neon's config
// format has no TLS keys; nil leaves the client on plain AMQP.
func WithTLS(t *TLSConfig) Option {
	return func(o *clientOptions) { o.tls = t }
}

// WithTLSSettingsName names where the program's users set the TLS options
// (such as "mqscope.tls" for a config section), so that a TLS error can say
// "set mqscope.tls.ca_file to the CA that signed it". By default errors
// name the TLSConfig fields.
func WithTLSSettingsName(name string) Option {
	return func(o *clientOptions) { o.tlsKey = settingsKey(name) }
}

// WithBackoff sets the reconnect delays of every worker the client
// supervises (consumers, requesters). A zero Initial or Max keeps the
// default for that bound.
func WithBackoff(b Backoff) Option {
	return func(o *clientOptions) {
		d := DefaultBackoff()
		if b.Initial > 0 {
			d.Initial = b.Initial
		}
		if b.Max > 0 {
			d.Max = b.Max
		}
		o.backoff = d
	}
}

// Scheme is "amqps" when the client uses TLS, else "amqp".
func (c *Client) Scheme() string {
	if c.opts.tls != nil {
		return "amqps"
	}
	return "amqp"
}

// Servers are the "host[:port]" addresses the client tries, in order.
func (c *Client) Servers() []string { return c.opts.servers }

// TLSInsecure reports whether the client skips certificate verification,
// which a program should say plainly wherever it shows the connection.
func (c *Client) TLSInsecure() bool { return c.opts.tls != nil && c.opts.tls.Insecure }

// ConsumerTag returns a fresh consumer tag for name with the client's
// prefix, e.g. "neon_api.replies.3f9a1c".
func (c *Client) ConsumerTag(name string) string {
	return strings.Join([]string{c.opts.tagPrefix, name, randomHex(3)}, ".")
}
