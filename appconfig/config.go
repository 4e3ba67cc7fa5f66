// Package appconfig reads mqscope's configuration: the Neon MQ config file
// (through the connector library, which reads the Neon keys and ignores the
// rest) plus mqscope's own optional section under the "mqscope" key:
// services, management, theme, servers, tls, store and read_only. Errors point at
// file:line:col, like the library's.
package appconfig

import (
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"mqscope/observe"
	"mqscope/store"

	"mqscope/connector"
	"mqscope/internal/jsonconf"
)

// ServiceSpec is what mqscope knows about a service beyond its login, from
// the config's "mqscope.services" map: where it lives and what it reads.
type ServiceSpec struct {
	VHost     string   // e.g. "/neon_api"; empty when not given
	Queues    []string // queues the service consumes, e.g. "neon_api_input"
	Exchanges []string // fanout exchanges it uses, e.g. "chat_gpt_persona_updated"
}

// Config is the Neon config (embedded: server, port, users) plus mqscope's
// section. Every field of the section has its default filled in.
type Config struct {
	*connector.Config

	Services     map[string]ServiceSpec // from mqscope.services, by service name
	ServiceOrder []string               // their names in file order

	ManagementURL string               // default "http://<server>:15672", no trailing slash
	Theme         string               // theme name, empty when not chosen
	Servers       []string             // cluster "host:port" list; never empty
	TLS           *connector.TLSConfig // nil when the file has no "mqscope.tls"

	// ReplyWindow is how long a delivered request may wait for its reply
	// before its verdict is no_reply ("reply_window", default 30 s, Neon's
	// send_mq_request timeout).
	ReplyWindow time.Duration

	StoreMaxBytes       int64 // 0 when not set: the store chooses
	StoreMaxMessages    int   // 0 when not set: the store chooses
	StoreMaxDecodeBytes int   // 0 when not set: the store chooses

	// ReadOnly is set when mqscope must not change the broker: by
	// "read_only": true in this file, or by --read-only (SetReadOnlyFlag).
	// Brokers made by NewBroker carry it. nil: mqscope may change it.
	ReadOnly *observe.ReadOnly

	nested bool // the section is MQ.mqscope
}

// Load finds the config file (connector.FindConfig: --config, else Neon's
// search order), reads and parses it.
func Load(explicit string) (*Config, error) {
	path, err := connector.FindConfig(explicit)
	if err != nil {
		return nil, err
	}
	data, warning, err := connector.ReadConfigFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.PermWarning = warning
	return c, nil
}

// Parse decodes a config file's contents; path names the file in errors.
// The Neon keys are the library's to check, so their errors come first.
func Parse(path string, data []byte) (*Config, error) {
	neon, err := connector.ParseConfig(path, data)
	if err != nil {
		return nil, err
	}
	p := &parser{jsonconf.Parser{Path: path, Data: bytes.TrimPrefix(data, jsonconf.BOM)}}
	root, err := jsonconf.ParseTree(p.Data) // valid: the library parsed it
	if err != nil {
		return nil, err
	}
	sec, prefix, err := p.section(root)
	if err != nil {
		return nil, err
	}
	c := &Config{Config: neon, nested: prefix == "MQ"}
	if err := p.mqscope(c, sec, prefix); err != nil {
		return nil, err
	}
	return c, nil
}

// parser reads mqscope's section of one file.
type parser struct{ jsonconf.Parser }

// section finds the MQ section that holds "mqscope": the "MQ" member when
// there is one (the library has checked it is an object), else the whole
// document. Beside a nested MQ section, a top-level "mqscope" would be
// silently ignored, which is never what its author meant.
func (p *parser) section(root *jsonconf.Node) (*jsonconf.Node, string, error) {
	mq, ok := root.Fields["MQ"]
	if !ok {
		return root, "", nil
	}
	if misplaced, ok := root.Fields["mqscope"]; ok {
		return nil, "", p.ErrAt(misplaced, `"mqscope" must be inside "MQ" when the file has an "MQ" section`)
	}
	return mq, "MQ", nil
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

// NewClient returns a library client for service that connects the way
// this config says: its servers in order, its TLS settings, and a
// connection name and consumer tags that say mqscope.
func (c *Config) NewClient(service string) (*connector.Client, error) {
	return connector.NewClient(c.Config, service,
		connector.WithServers(c.Servers...),
		connector.WithTLS(c.TLS),
		connector.WithTLSSettingsName(sectionName(c)+".tls"),
		connector.WithConnectionName("mqscope "+service),
		connector.WithConsumerTagPrefix("mqscope"))
}

// Scheme is "amqps" when the config asks for TLS, else "amqp".
func (c *Config) Scheme() string {
	if c.TLS != nil {
		return "amqps"
	}
	return "amqp"
}

// NewBroker returns the inspector's view of the broker for service: a
// client made by NewClient and the management API at ManagementURL.
func (c *Config) NewBroker(service string) (*observe.Broker, error) {
	client, err := c.NewClient(service)
	if err != nil {
		return nil, err
	}
	b := observe.NewBroker(client, c.ManagementURL)
	b.ReadOnly = c.ReadOnly
	return b, nil
}

// SetReadOnlyFlag makes mqscope read-only for this run, as --read-only
// asks; leaving read-only mode then means dropping the flag too.
func (c *Config) SetReadOnlyFlag() {
	leave := "run mqscope without --read-only"
	if c.ReadOnly != nil {
		leave += " and " + c.ReadOnly.Leave
	}
	c.ReadOnly = &observe.ReadOnly{Leave: leave}
}

// NewStore makes the in-memory store with the config's budget (a nil
// Config gives the defaults) and keeps the process near that budget: Go's
// collector lets the heap grow to twice what is live, so a full store
// would take about twice its budget; a soft memory limit of the budget
// plus a margin makes the collector work harder instead. GOMEMLIMIT, when
// set, wins.
//
// Under that limit the collector may also wait longer between cycles
// (GOGC 200 instead of 100, unless GOGC is set): each cycle scans the
// whole store, so while it fills at full rate, cycles at every doubling of
// the heap cost about a tenth of the CPU per message. The limit still
// holds the peak once the store is full; before that the heap may reach
// three times what is live instead of two.
func (c *Config) NewStore() *store.Store {
	opts := c.StoreOptions()
	if os.Getenv("GOMEMLIMIT") == "" {
		budget := opts.MaxBytes
		if budget <= 0 {
			budget = store.DefaultMaxBytes
		}
		debug.SetMemoryLimit(budget*5/4 + 64<<20)
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(storeGCPercent)
		}
	}
	return store.New(opts)
}

// storeGCPercent is the GOGC NewStore sets under its memory limit.
const storeGCPercent = 200

// StoreOptions are the store's limits from "mqscope.store"; a nil Config
// (a recording opened without one) gives the store's defaults.
func (c *Config) StoreOptions() store.Options {
	if c == nil {
		return store.Options{}
	}
	return store.Options{MaxBytes: c.StoreMaxBytes, MaxMessages: c.StoreMaxMessages, MaxDecodeBytes: c.StoreMaxDecodeBytes}
}

// Format prints the config with every password masked, for every verb (see
// connector.Config.Format).
func (c Config) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "{%v Services:%v ManagementURL:%q Theme:%q Servers:%q TLS:%+v ReplyWindow:%s Store:%d/%d ReadOnly:%t}",
		c.Config, c.Services, c.ManagementURL, c.Theme, c.Servers, c.TLS, c.ReplyWindow, c.StoreMaxBytes, c.StoreMaxMessages, c.ReadOnly != nil)
}

// sectionName is the dotted name of mqscope's section, for messages.
func sectionName(c *Config) string {
	if c.nested {
		return "MQ.mqscope"
	}
	return "mqscope"
}

// ServiceQueues maps each queue the config's services consume to the
// service, for the service board.
func (c *Config) ServiceQueues() map[string]string {
	m := map[string]string{}
	for name, spec := range c.Services {
		for _, q := range spec.Queues {
			m[q] = name
		}
	}
	return m
}
