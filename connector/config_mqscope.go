package connector

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The keys allowed in mqscope's own sections. "mqscope" is our namespace,
// so unlike the rest of the file (where Neon ignores what it does not know)
// an unknown key there is an error: it is almost always a typo.
var (
	mqscopeKeys = []string{"management", "servers", "services", "store", "theme", "tls"}
	serviceKeys = []string{"exchanges", "queues", "vhost"}
	tlsKeys     = []string{"ca_file", "cert_file", "insecure", "key_file", "server_name"}
	storeKeys   = []string{"max_bytes", "max_messages"}
)

// managementPort is RabbitMQ's management plugin port, for the default URL.
const managementPort = 15672

// mqscope reads the optional "mqscope" member of the MQ section and fills
// in the defaults that depend on server and port, which are read already.
func (p *configParser) mqscope(c *Config, sec *jsonNode, prefix string) error {
	n, err := p.member(sec, prefix, "mqscope", kindObject)
	if err != nil {
		return err
	}
	if n == nil {
		n = &jsonNode{kind: kindObject} // absent: every default applies
	}
	name := dotPath(prefix, "mqscope")
	if err := p.checkKeys(n, name, mqscopeKeys); err != nil {
		return err
	}
	steps := []func(*Config, *jsonNode, string) error{p.services, p.management, p.theme, p.servers, p.tls, p.store}
	for _, step := range steps {
		if err := step(c, n, name); err != nil {
			return err
		}
	}
	return nil
}

// services reads "services": service name → vhost, queues and exchanges.
func (p *configParser) services(c *Config, ms *jsonNode, prefix string) error {
	c.Services = map[string]ServiceSpec{}
	svcs, err := p.member(ms, prefix, "services", kindObject)
	if svcs == nil || err != nil {
		return err
	}
	for _, k := range svcs.keys {
		spec, err := p.serviceSpec(svcs.fields[k.name], dotPath(prefix, "services", k.name))
		if err != nil {
			return err
		}
		c.Services[k.name] = spec
		c.ServiceOrder = append(c.ServiceOrder, k.name)
	}
	return nil
}

// serviceSpec reads one "services" entry.
func (p *configParser) serviceSpec(n *jsonNode, name string) (ServiceSpec, error) {
	if err := p.wantKind(n, name, kindObject); err != nil {
		return ServiceSpec{}, err
	}
	if err := p.checkKeys(n, name, serviceKeys); err != nil {
		return ServiceSpec{}, err
	}
	var spec ServiceSpec
	var err error
	if spec.VHost, err = p.nonEmpty(n, name, "vhost"); err != nil {
		return spec, err
	}
	if spec.Queues, err = p.stringList(n, name, "queues"); err != nil {
		return spec, err
	}
	spec.Exchanges, err = p.stringList(n, name, "exchanges")
	return spec, err
}

// management reads "management.url", default http://<server>:15672.
func (p *configParser) management(c *Config, ms *jsonNode, prefix string) error {
	c.ManagementURL = "http://" + hostPort(c.Server, managementPort)
	m, err := p.member(ms, prefix, "management", kindObject)
	if m == nil || err != nil {
		return err
	}
	name := dotPath(prefix, "management")
	if err := p.checkKeys(m, name, []string{"url"}); err != nil {
		return err
	}
	u, err := p.member(m, name, "url", kindString)
	if u == nil || err != nil {
		return err
	}
	c.ManagementURL, err = p.managementURL(u, dotPath(name, "url"))
	return err
}

// managementURL checks a management API base URL. The URL is never quoted
// in errors, and may not carry a login, because either would put a
// password where a Config is printed.
func (p *configParser) managementURL(n *jsonNode, name string) (string, error) {
	u, err := url.Parse(n.text)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", p.errAt(n, `%q must be an http:// or https:// URL such as "http://localhost:15672"`, name)
	}
	if u.User != nil {
		return "", p.errAt(n, `%q must not contain a user name or password; mqscope logs in with the credentials in "users"`, name)
	}
	return strings.TrimRight(n.text, "/"), nil
}

// theme reads "theme", a theme name.
func (p *configParser) theme(c *Config, ms *jsonNode, prefix string) (err error) {
	c.Theme, err = p.nonEmpty(ms, prefix, "theme")
	return err
}

// servers reads "servers", the cluster's "host:port" list, default the one
// server and port of the MQ section.
func (p *configParser) servers(c *Config, ms *jsonNode, prefix string) error {
	c.Servers = []string{hostPort(c.Server, c.Port)}
	arr, err := p.member(ms, prefix, "servers", kindArray)
	if arr == nil || err != nil {
		return err
	}
	name := dotPath(prefix, "servers")
	if len(arr.items) == 0 {
		return p.errAt(arr, `%q must list at least one "host:port"`, name)
	}
	if c.Servers, err = p.stringList(ms, prefix, "servers"); err != nil {
		return err
	}
	for i, item := range arr.items {
		if err := p.checkHostPort(item, fmt.Sprintf("%s[%d]", name, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkHostPort checks a string element of "servers". The value is not
// quoted back: people paste amqp:// URIs with a login into such lists.
func (p *configParser) checkHostPort(n *jsonNode, name string) error {
	host, port, err := net.SplitHostPort(n.text)
	if _, ok := parsePort(port); err != nil || !ok || host == "" || strings.ContainsAny(host, "/@") {
		return p.errAt(n, `%q must be "host:port" with a port from 1 to 65535, such as "mq.example.org:5672"`, name)
	}
	return nil
}

// tls reads the "tls" section. Dialing with it is the connection code's
// job; here only the types, the cert/key pairing and the paths are settled.
func (p *configParser) tls(c *Config, ms *jsonNode, prefix string) error {
	n, err := p.member(ms, prefix, "tls", kindObject)
	if n == nil || err != nil {
		return err
	}
	name := dotPath(prefix, "tls")
	if err := p.checkKeys(n, name, tlsKeys); err != nil {
		return err
	}
	t := &TLSConfig{}
	fields := []struct {
		key string
		dst *string
	}{{"ca_file", &t.CAFile}, {"cert_file", &t.CertFile}, {"key_file", &t.KeyFile}, {"server_name", &t.ServerName}}
	for _, f := range fields {
		if *f.dst, err = p.nonEmpty(n, name, f.key); err != nil {
			return err
		}
	}
	insecure, err := p.member(n, name, "insecure", kindBool)
	if err != nil {
		return err
	}
	t.Insecure = insecure != nil && insecure.bool
	if (t.CertFile == "") != (t.KeyFile == "") {
		return p.errAt(n, `%q needs both "cert_file" and "key_file", or neither`, name)
	}
	t.CAFile, t.CertFile, t.KeyFile = p.resolve(t.CAFile), p.resolve(t.CertFile), p.resolve(t.KeyFile)
	c.TLS = t
	return nil
}

// resolve expands "~" in a file path from the config and makes a relative
// path relative to the config file's directory rather than to wherever
// mqscope happens to run.
func (p *configParser) resolve(file string) string {
	if file == "" {
		return ""
	}
	file = expandHome(file)
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(filepath.Dir(p.path), file)
}

// store reads the "store" limits; zero means the store's own default.
func (p *configParser) store(c *Config, ms *jsonNode, prefix string) error {
	n, err := p.member(ms, prefix, "store", kindObject)
	if n == nil || err != nil {
		return err
	}
	name := dotPath(prefix, "store")
	if err := p.checkKeys(n, name, storeKeys); err != nil {
		return err
	}
	if c.StoreMaxBytes, err = p.positive(n, name, "max_bytes", math.MaxInt64); err != nil {
		return err
	}
	messages, err := p.positive(n, name, "max_messages", math.MaxInt)
	c.StoreMaxMessages = int(messages)
	return err
}

// positive reads an optional whole number from 1 to limit; 0 when absent.
func (p *configParser) positive(obj *jsonNode, prefix, key string, limit int64) (int64, error) {
	n, err := p.member(obj, prefix, key, kindNumber)
	if n == nil || err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(n.text, 10, 64)
	if err != nil || v < 1 || v > limit {
		return 0, p.errAt(n, "%q must be a positive whole number, got %s", dotPath(prefix, key), n.text)
	}
	return v, nil
}

// nonEmpty reads an optional string member that, when given, must not be
// empty; "" when absent.
func (p *configParser) nonEmpty(obj *jsonNode, prefix, key string) (string, error) {
	n, err := p.member(obj, prefix, key, kindString)
	if n == nil || err != nil {
		return "", err
	}
	if n.text == "" {
		return "", p.errAt(n, "%q must not be empty", dotPath(prefix, key))
	}
	return n.text, nil
}

// stringList reads an optional array of non-empty strings.
func (p *configParser) stringList(obj *jsonNode, prefix, key string) ([]string, error) {
	arr, err := p.member(obj, prefix, key, kindArray)
	if arr == nil || err != nil {
		return nil, err
	}
	list := make([]string, 0, len(arr.items))
	for i, item := range arr.items {
		name := fmt.Sprintf("%s[%d]", dotPath(prefix, key), i)
		if err := p.wantKind(item, name, kindString); err != nil {
			return nil, err
		}
		if item.text == "" {
			return nil, p.errAt(item, "%q must not be empty", name)
		}
		list = append(list, item.text)
	}
	return list, nil
}

// checkKeys rejects a key of n that is not in allowed, pointing at the key.
func (p *configParser) checkKeys(n *jsonNode, name string, allowed []string) error {
	for _, k := range n.keys {
		if !slices.Contains(allowed, k.name) {
			return errorAt(p.path, p.data, k.at, fmt.Sprintf("unknown key %q in %q (allowed: %s)",
				k.name, name, strings.Join(allowed, ", ")))
		}
	}
	return nil
}
