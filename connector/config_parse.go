package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"mqscope/internal/jsonconf"
)

// maxConfigBytes bounds what is read as a config. Real files are a
// few KiB; anything this large is the wrong file, and reading it whole
// would only waste memory.
const maxConfigBytes = 16 << 20

// ParseConfig decodes a config file's contents. path names the file in
// errors and in Config.Path; nothing is read from it.
func ParseConfig(path string, data []byte) (*Config, error) {
	// Python's json.loads rejects a byte order mark ("Unexpected UTF-8
	// BOM"), so a Neon service may fail on a file this accepts; it is
	// accepted anyway because editors on Windows add it silently and it
	// carries no meaning.
	p := &configParser{jsonconf.Parser{Path: path, Data: bytes.TrimPrefix(data, jsonconf.BOM)}}
	if len(p.Data) > maxConfigBytes {
		return nil, &jsonconf.Error{Path: path, Msg: "file is larger than 16 MiB; an MQ config is a few KiB, so check that this is the right file"}
	}
	if len(bytes.TrimSpace(p.Data)) == 0 {
		return nil, &jsonconf.Error{Path: path, Msg: "file is empty"}
	}
	root, err := jsonconf.ParseTree(p.Data)
	if err != nil {
		return nil, p.jsonError(err)
	}
	// encoding/json reads invalid UTF-8 in a string as U+FFFD, but Python
	// refuses the file, so a Neon service could not start with it. The
	// check comes after parsing so that a UTF-16 file gets its own hint.
	if off := invalidUTF8(p.Data); off >= 0 {
		return nil, jsonconf.ErrorAt(path, p.Data, off, fmt.Sprintf("invalid UTF-8 (byte 0x%02x); save the file as UTF-8", p.Data[off]))
	}
	return p.config(root)
}

// invalidUTF8 returns the offset of the first byte of data that is not
// part of valid UTF-8, or -1 when there is none.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// Parser decodes one file's tree into a Config. Every error it makes
// names the dotted path of the value (e.g. "MQ.users.neon_api.password")
// and its line:column, and none quotes a password.
type configParser struct{ jsonconf.Parser }

// jsonError explains an error from jsonconf.ParseTree.
func (p *configParser) jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return jsonconf.ExplainSyntax(p.Path, p.Data, se)
	}
	return &jsonconf.Error{Path: p.Path, Msg: err.Error(), Err: err}
}

// config decodes the MQ section. Keys it does not know are ignored, as the
// Python library ignores them, so a program may keep its own keys there.
func (p *configParser) config(root *jsonconf.Node) (*Config, error) {
	sec, prefix, err := p.mqSection(root)
	if err != nil {
		return nil, err
	}
	c := &Config{Path: p.Path}
	for _, step := range []func(*Config, *jsonconf.Node, string) error{p.server, p.port, p.users} {
		if err := step(c, sec, prefix); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// mqSection finds the MQ section: the "MQ" member when there is one, else
// the whole document, like the library's config.get("MQ", config).
func (p *configParser) mqSection(root *jsonconf.Node) (*jsonconf.Node, string, error) {
	if root.Kind != jsonconf.KindObject {
		return nil, "", p.ErrAt(root, "the top level must be a JSON object, got %s", root.Kind)
	}
	mq, ok := root.Fields["MQ"]
	if !ok {
		return root, "", nil
	}
	if err := p.WantKind(mq, "MQ", jsonconf.KindObject); err != nil {
		return nil, "", err
	}
	return mq, "MQ", nil
}

// server reads "server", default "localhost".
func (p *configParser) server(c *Config, sec *jsonconf.Node, prefix string) error {
	n, err := p.Member(sec, prefix, "server", jsonconf.KindString)
	c.Server = "localhost"
	if n == nil || err != nil {
		return err
	}
	if problem := hostProblem(n.Text); problem != "" {
		return p.ErrAt(n, "%q %s", jsonconf.DotPath(prefix, "server"), problem)
	}
	c.Server = n.Text
	return nil
}

// hostProblem says what is wrong with a "server" value, or "" when it is
// a host name or IP address. Caught here, a URL, a "host:port" or a
// bracketed IPv6 address would otherwise fail at connect time inside an
// amqp:// URL, with an error that blames the password. The value is not
// quoted back: a pasted URL may carry a login.
func hostProblem(host string) string {
	if _, err := netip.ParseAddr(host); err == nil {
		return "" // IPv4, or IPv6 (with a zone, too)
	}
	switch {
	case host == "":
		return "must not be empty; give the RabbitMQ host name"
	case strings.TrimSpace(host) != host:
		return "has spaces around the host name; remove them"
	case strings.Contains(host, "://"):
		return `is a URL; give only the host name, such as "mq.example.org", and the port in "port"`
	case strings.HasPrefix(host, "["):
		return `is a bracketed IPv6 address; write it without brackets, such as "::1"`
	case strings.Contains(host, ":"):
		return `looks like "host:port"; give only the host name, and the port in "port"`
	case strings.ContainsFunc(host, func(r rune) bool { return r <= ' ' || strings.ContainsRune("/@?#%[]\\", r) }):
		return "is not a host name; give the RabbitMQ host name or IP address only"
	}
	return ""
}

// port reads "port", default 5672, as a number or a numeric string: real
// files have both, and the library calls int() on it.
func (p *configParser) port(c *Config, sec *jsonconf.Node, prefix string) error {
	c.Port = 5672
	n, ok := sec.Fields["port"]
	if !ok {
		return nil
	}
	port, ok := portValue(n)
	if !ok {
		return p.ErrAt(n, "%q must be a number from 1 to 65535, got %s", jsonconf.DotPath(prefix, "port"), jsonconf.ShowValue(n))
	}
	c.Port = port
	return nil
}

// portValue accepts an integral number or a string Python's int() reads.
func portValue(n *jsonconf.Node) (int, bool) {
	switch n.Kind {
	case jsonconf.KindNumber:
		f, err := strconv.ParseFloat(n.Text, 64)
		if err != nil || f != math.Trunc(f) || f < 1 || f > 65535 {
			return 0, false
		}
		return int(f), true
	case jsonconf.KindString:
		return parsePort(strings.TrimSpace(n.Text))
	}
	return 0, false
}

// parsePort reads a decimal TCP port from 1 to 65535.
func parsePort(s string) (int, bool) {
	port, err := strconv.Atoi(s)
	return port, err == nil && port >= 1 && port <= 65535
}

// users reads the "users" map of service name to credentials.
func (p *configParser) users(c *Config, sec *jsonconf.Node, prefix string) error {
	c.Users = map[string]Credentials{}
	users, err := p.Member(sec, prefix, "users", jsonconf.KindObject)
	if users == nil || err != nil {
		return err
	}
	for _, k := range users.Keys {
		cred, err := p.credentials(users.Fields[k.Name], jsonconf.DotPath(prefix, "users", k.Name))
		if err != nil {
			return err
		}
		c.Users[k.Name] = cred
		c.UserOrder = append(c.UserOrder, k.Name)
	}
	return nil
}

// credentials reads one "users" entry. "user" wins over the seed README's
// "username" when both are present; both default to guest, as the library.
func (p *configParser) credentials(n *jsonconf.Node, name string) (Credentials, error) {
	if err := p.WantKind(n, name, jsonconf.KindObject); err != nil {
		return Credentials{}, err
	}
	user, err := p.StringOr(n, name, "username", "guest")
	if err != nil {
		return Credentials{}, err
	}
	if user, err = p.StringOr(n, name, "user", user); err != nil {
		return Credentials{}, err
	}
	password, err := p.StringOr(n, name, "password", "guest")
	if err != nil {
		return Credentials{}, err
	}
	props, err := p.properties(n, name)
	return Credentials{User: user, Password: Secret(password), Properties: props}, err
}

// properties decodes an entry's optional "properties" object as
// encoding/json would decode it into a map[string]any.
func (p *configParser) properties(n *jsonconf.Node, name string) (map[string]any, error) {
	props, err := p.Member(n, name, "properties", jsonconf.KindObject)
	if props == nil || err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(p.Data[props.Start:props.End], &m); err != nil {
		return nil, p.ErrAt(props, "%q: %v", jsonconf.DotPath(name, "properties"), err)
	}
	return m, nil
}
