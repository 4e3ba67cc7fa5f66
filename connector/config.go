package connector

import (
	"fmt"
	"io"
	"slices"
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

// ServiceSpec is what mqscope knows about a service beyond its login, from
// the config's "mqscope.services" map: where it lives and what it reads.
type ServiceSpec struct {
	VHost     string   // e.g. "/neon_api"; empty when not given
	Queues    []string // queues the service consumes, e.g. "neon_api_input"
	Exchanges []string // fanout exchanges it uses, e.g. "chat_gpt_persona_updated"
}

// TLSConfig is the optional "mqscope.tls" section. File paths have "~"
// expanded and, when relative, are taken relative to the config file's
// directory, because that is where a person writing "ca.pem" keeps it.
type TLSConfig struct {
	CAFile, CertFile, KeyFile string
	ServerName                string // overrides the host name checked in the certificate
	Insecure                  bool   // skip certificate verification
}

// Config is a loaded Neon MQ config file (docs/wire.md §1) plus mqscope's
// optional additions under the "mqscope" key.
type Config struct {
	Path   string // the file it was read from, as found or given
	Server string // default "localhost"
	Port   int    // default 5672

	Users     map[string]Credentials // by service name
	UserOrder []string               // service names in file order

	Services     map[string]ServiceSpec // from mqscope.services, by service name
	ServiceOrder []string               // their names in file order

	ManagementURL string   // default "http://<server>:15672", no trailing slash
	Theme         string   // theme name, empty when not chosen
	Servers       []string // cluster "host:port" list; never empty after loading

	TLS              *TLSConfig // nil when the file has no "mqscope.tls"
	StoreMaxBytes    int64      // 0 when not set: the store chooses
	StoreMaxMessages int        // 0 when not set: the store chooses

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

// ServiceNames lists every service the config names: those in "users" in
// file order, then those only in "mqscope.services".
func (c *Config) ServiceNames() []string {
	names := slices.Clone(c.UserOrder)
	for _, name := range c.ServiceOrder {
		if _, ok := c.Users[name]; !ok {
			names = append(names, name)
		}
	}
	return names
}
