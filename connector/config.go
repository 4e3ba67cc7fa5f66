package connector

import (
	"fmt"
	"io"
	"strings"
)

// Secret is a password. Every way of printing it (fmt verbs, %#v, JSON)
// shows "********", so a Config or Credentials can be logged or dumped
// without leaking it; Reveal returns the real value for the one place that
// needs it, the AMQP login. A plain string(s) conversion also reveals it, so
// keep such conversions to that place too.
type Secret string

// secretMask is what a Secret prints as.
const secretMask = "********"

// Reveal returns the password itself.
func (s Secret) Reveal() string { return string(s) }

// String returns the mask, never the password.
func (Secret) String() string { return secretMask }

// GoString returns the mask, never the password.
func (Secret) GoString() string { return secretMask }

// Format prints the mask for every verb, so that %x or %q cannot bypass
// String the way they would for a plain string type.
func (Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", secretMask)
		return
	}
	io.WriteString(f, secretMask)
}

// MarshalJSON writes the mask as a JSON string.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + secretMask + `"`), nil }

// Credentials are one service's entry in the config's "users" map: the
// RabbitMQ login it uses and its optional Neon properties.
type Credentials struct {
	User     string // "user" (or the seed README's "username"); default "guest"
	Password Secret // default "guest", as in neon_mq_connector
	// Properties is the entry's "properties" object as encoding/json decodes
	// it into any (numbers are float64), or nil when there is none. Neon keeps
	// vhost_prefix, sync_period and testing prefixes here; mqscope only
	// preserves them.
	Properties map[string]any
}

// Config is a loaded Neon MQ config file (docs/wire.md §1): the server, the
// port and the users map. Other keys in the file are ignored, as
// neon_mq_connector ignores them.
type Config struct {
	Path   string // the file it was read from, as found or given
	Server string // default "localhost"
	Port   int    // default 5672

	Users     map[string]Credentials // by service name
	UserOrder []string               // service names in file order

	// PermWarning is a one-line warning, set by LoadConfig when the file can
	// be read by its group or by others, and empty otherwise.
	PermWarning string
}

// Credentials returns the login for service. Like neon_mq_connector, which
// fails with "Configuration is not set for <service>", it does not fall back
// to guest when the service has no entry in "users".
func (c *Config) Credentials(service string) (Credentials, error) {
	if cred, ok := c.Users[service]; ok {
		return cred, nil
	}
	known := "users is empty"
	if len(c.UserOrder) > 0 {
		known = "known: " + strings.Join(c.UserOrder, ", ")
	}
	return Credentials{}, fmt.Errorf("service %q has no credentials in users (%s); add it under \"users\" in %s",
		service, known, c.Path)
}

// Format prints the config with every password masked, for every verb.
// Without it, fmt would print a *Config held in another struct through its
// bad-verb path (as in "%s" of the outer struct), which skips the
// formatting methods of Secret and would show the passwords.
func (c Config) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "{Path:%q Server:%q Port:%d Users:%v UserOrder:%q}", c.Path, c.Server, c.Port, c.Users, c.UserOrder)
}
