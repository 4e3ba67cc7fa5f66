package appconfig

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"mqscope/connector"
	"mqscope/internal/jsonconf"
	"mqscope/observe"
	"mqscope/themes"
)

// The keys allowed in mqscope's own sections. "mqscope" is our namespace,
// so unlike the rest of the file (where Neon ignores what it does not know)
// an unknown key there is an error: it is almost always a typo.
var (
	mqscopeKeys = []string{"management", "read_only", "reply_window", "servers", "services", "store", "theme", "tls"}
	serviceKeys = []string{"exchanges", "queues", "vhost"}
	tlsKeys     = []string{"ca_file", "cert_file", "insecure", "key_file", "server_name"}
	storeKeys   = []string{"max_bytes", "max_decode_bytes", "max_messages"}
)

// managementPort is RabbitMQ's management plugin port, for the default URL.
const managementPort = 15672

// mqscope reads the optional "mqscope" member of the MQ section and fills
// in the defaults that depend on server and port, which are read already.
func (p *parser) mqscope(c *Config, sec *jsonconf.Node, prefix string) error {
	n, err := p.Member(sec, prefix, "mqscope", jsonconf.KindObject)
	if err != nil {
		return err
	}
	if n == nil {
		n = &jsonconf.Node{Kind: jsonconf.KindObject} // absent: every default applies
	}
	name := jsonconf.DotPath(prefix, "mqscope")
	if err := p.CheckKeys(n, name, mqscopeKeys); err != nil {
		return err
	}
	steps := []func(*Config, *jsonconf.Node, string) error{p.services, p.management, p.theme, p.servers, p.tls, p.store, p.replyWindow, p.readOnly}
	for _, step := range steps {
		if err := step(c, n, name); err != nil {
			return err
		}
	}
	return nil
}

// services reads "services": service name → vhost, queues and exchanges.
func (p *parser) services(c *Config, ms *jsonconf.Node, prefix string) error {
	c.Services = map[string]ServiceSpec{}
	svcs, err := p.Member(ms, prefix, "services", jsonconf.KindObject)
	if svcs == nil || err != nil {
		return err
	}
	for _, k := range svcs.Keys {
		spec, err := p.serviceSpec(svcs.Fields[k.Name], jsonconf.DotPath(prefix, "services", k.Name))
		if err != nil {
			return err
		}
		c.Services[k.Name] = spec
		c.ServiceOrder = append(c.ServiceOrder, k.Name)
	}
	return nil
}

// serviceSpec reads one "services" entry.
func (p *parser) serviceSpec(n *jsonconf.Node, name string) (ServiceSpec, error) {
	if err := p.WantKind(n, name, jsonconf.KindObject); err != nil {
		return ServiceSpec{}, err
	}
	if err := p.CheckKeys(n, name, serviceKeys); err != nil {
		return ServiceSpec{}, err
	}
	var spec ServiceSpec
	var err error
	if spec.VHost, err = p.NonEmpty(n, name, "vhost"); err != nil {
		return spec, err
	}
	if spec.Queues, err = p.StringList(n, name, "queues"); err != nil {
		return spec, err
	}
	spec.Exchanges, err = p.StringList(n, name, "exchanges")
	return spec, err
}

// management reads "management.url", default http://<server>:15672.
func (p *parser) management(c *Config, ms *jsonconf.Node, prefix string) error {
	c.ManagementURL = "http://" + net.JoinHostPort(c.Server, strconv.Itoa(managementPort))
	m, err := p.Member(ms, prefix, "management", jsonconf.KindObject)
	if m == nil || err != nil {
		return err
	}
	name := jsonconf.DotPath(prefix, "management")
	if err := p.CheckKeys(m, name, []string{"url"}); err != nil {
		return err
	}
	u, err := p.Member(m, name, "url", jsonconf.KindString)
	if u == nil || err != nil {
		return err
	}
	c.ManagementURL, err = p.managementURL(u, jsonconf.DotPath(name, "url"))
	return err
}

// managementURL checks a management API base URL. The URL is never quoted
// in errors, and may not carry a login, because either would put a
// password where a Config is printed.
func (p *parser) managementURL(n *jsonconf.Node, name string) (string, error) {
	u, err := url.Parse(n.Text)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", p.ErrAt(n, `%q must be an http:// or https:// URL such as "http://localhost:15672"`, name)
	}
	if u.User != nil {
		return "", p.ErrAt(n, `%q must not contain a user name or password; mqscope logs in with the credentials in "users"`, name)
	}
	return strings.TrimRight(n.Text, "/"), nil
}

// theme reads "theme", a theme name that the themes package knows.
func (p *parser) theme(c *Config, ms *jsonconf.Node, prefix string) (err error) {
	c.Theme, err = p.NonEmpty(ms, prefix, "theme")
	if err != nil || c.Theme == "" || strings.EqualFold(c.Theme, themes.Auto) {
		return err
	}
	if _, err := themes.ByName(c.Theme); err != nil {
		return p.ErrAt(ms.Fields["theme"], "%q: %v", jsonconf.DotPath(prefix, "theme"), err)
	}
	return nil
}

// servers reads "servers", the cluster's "host:port" list, default the one
// server and port of the MQ section.
func (p *parser) servers(c *Config, ms *jsonconf.Node, prefix string) error {
	c.Servers = []string{net.JoinHostPort(c.Server, strconv.Itoa(c.Port))}
	arr, err := p.Member(ms, prefix, "servers", jsonconf.KindArray)
	if arr == nil || err != nil {
		return err
	}
	name := jsonconf.DotPath(prefix, "servers")
	if len(arr.Items) == 0 {
		return p.ErrAt(arr, `%q must list at least one "host:port"`, name)
	}
	if c.Servers, err = p.StringList(ms, prefix, "servers"); err != nil {
		return err
	}
	for i, item := range arr.Items {
		if err := p.checkHostPort(item, fmt.Sprintf("%s[%d]", name, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkHostPort checks a string element of "servers". The value is not
// quoted back: people paste amqp:// URIs with a login into such lists.
func (p *parser) checkHostPort(n *jsonconf.Node, name string) error {
	host, port, err := net.SplitHostPort(n.Text)
	if num, perr := strconv.Atoi(port); err != nil || perr != nil || num < 1 || num > 65535 || host == "" || strings.ContainsAny(host, "/@") {
		return p.ErrAt(n, `%q must be "host:port" with a port from 1 to 65535, such as "mq.example.org:5672"`, name)
	}
	return nil
}

// tls reads the "tls" section. Dialing with it is the connection code's
// job; here only the types, the cert/key pairing and the paths are settled.
func (p *parser) tls(c *Config, ms *jsonconf.Node, prefix string) error {
	n, err := p.Member(ms, prefix, "tls", jsonconf.KindObject)
	if n == nil || err != nil {
		return err
	}
	name := jsonconf.DotPath(prefix, "tls")
	if err := p.CheckKeys(n, name, tlsKeys); err != nil {
		return err
	}
	t := &connector.TLSConfig{}
	fields := []struct {
		key string
		dst *string
	}{{"ca_file", &t.CAFile}, {"cert_file", &t.CertFile}, {"key_file", &t.KeyFile}, {"server_name", &t.ServerName}}
	for _, f := range fields {
		if *f.dst, err = p.NonEmpty(n, name, f.key); err != nil {
			return err
		}
	}
	insecure, err := p.Member(n, name, "insecure", jsonconf.KindBool)
	if err != nil {
		return err
	}
	t.Insecure = insecure != nil && insecure.Bool
	if (t.CertFile == "") != (t.KeyFile == "") {
		return p.ErrAt(n, `%q needs both "cert_file" and "key_file", or neither`, name)
	}
	t.CAFile, t.CertFile, t.KeyFile = p.resolve(t.CAFile), p.resolve(t.CertFile), p.resolve(t.KeyFile)
	c.TLS = t
	return nil
}

// resolve expands "~" in a file path from the config and makes a relative
// path relative to the config file's directory rather than to wherever
// mqscope happens to run.
func (p *parser) resolve(file string) string {
	if file == "" {
		return ""
	}
	file = connector.ExpandHome(file)
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(filepath.Dir(p.Path), file)
}

// store reads the "store" limits; zero means the store's own default.
func (p *parser) store(c *Config, ms *jsonconf.Node, prefix string) error {
	n, err := p.Member(ms, prefix, "store", jsonconf.KindObject)
	if n == nil || err != nil {
		return err
	}
	name := jsonconf.DotPath(prefix, "store")
	if err := p.CheckKeys(n, name, storeKeys); err != nil {
		return err
	}
	if c.StoreMaxBytes, err = p.Positive(n, name, "max_bytes", math.MaxInt64); err != nil {
		return err
	}
	messages, err := p.Positive(n, name, "max_messages", math.MaxInt)
	c.StoreMaxMessages = int(messages)
	if err != nil {
		return err
	}
	decode, err := p.Positive(n, name, "max_decode_bytes", math.MaxInt)
	c.StoreMaxDecodeBytes = int(decode)
	return err
}

// replyWindow reads "reply_window", a Go duration such as "30s" or "1m";
// default 30 s, neon_mq_connector's send_mq_request timeout.
func (p *parser) replyWindow(c *Config, ms *jsonconf.Node, prefix string) error {
	c.ReplyWindow = 30 * time.Second
	n, err := p.Member(ms, prefix, "reply_window", jsonconf.KindString)
	if n == nil || err != nil {
		return err
	}
	d, perr := time.ParseDuration(n.Text)
	if perr != nil || d <= 0 {
		return p.ErrAt(n, "%q must be a positive duration such as \"30s\" or \"1m\"", jsonconf.DotPath(prefix, "reply_window"))
	}
	c.ReplyWindow = d
	return nil
}

// readOnly reads "read_only": true keeps mqscope from changing the broker
// whenever it uses this file (see observe.ReadOnly).
func (p *parser) readOnly(c *Config, ms *jsonconf.Node, prefix string) error {
	n, err := p.Member(ms, prefix, "read_only", jsonconf.KindBool)
	if n == nil || err != nil || !n.Bool {
		return err
	}
	c.ReadOnly = &observe.ReadOnly{Leave: fmt.Sprintf("set %q to false in %s", jsonconf.DotPath(prefix, "read_only"), p.Path)}
	return nil
}
