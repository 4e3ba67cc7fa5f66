package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxConfigBytes bounds what mqscope reads as a config. Real files are a
// few KiB; anything this large is the wrong file, and reading it whole
// would only waste memory.
const maxConfigBytes = 16 << 20

// utf8BOM is stripped before parsing. Python's json.loads rejects a BOM
// ("Unexpected UTF-8 BOM"), so a Neon service may fail on a file mqscope
// accepts; mqscope accepts it anyway because editors on Windows add it
// silently and it carries no meaning.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// ParseConfig decodes a config file's contents. path names the file in
// errors and in Config.Path; nothing is read from it.
func ParseConfig(path string, data []byte) (*Config, error) {
	p := &configParser{path: path, data: bytes.TrimPrefix(data, utf8BOM)}
	if len(p.data) > maxConfigBytes {
		return nil, &ConfigError{Path: path, Msg: "file is larger than 16 MiB; an MQ config is a few KiB, so check that this is the right file"}
	}
	if len(bytes.TrimSpace(p.data)) == 0 {
		return nil, &ConfigError{Path: path, Msg: "file is empty"}
	}
	root, err := parseJSONTree(p.data)
	if err != nil {
		return nil, p.jsonError(err)
	}
	// encoding/json reads invalid UTF-8 in a string as U+FFFD, but Python
	// refuses the file, so a Neon service could not start with it. The
	// check comes after parsing so that a UTF-16 file gets its own hint.
	if off := invalidUTF8(p.data); off >= 0 {
		return nil, errorAt(path, p.data, off, fmt.Sprintf("invalid UTF-8 (byte 0x%02x); save the file as UTF-8", p.data[off]))
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

// configParser decodes one file's tree into a Config. Every error it makes
// names the dotted path of the value (e.g. "MQ.users.neon_api.password")
// and its line:column, and none quotes a password.
type configParser struct {
	path string
	data []byte
}

// jsonError explains an error from parseJSONTree.
func (p *configParser) jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return syntaxError(p.path, p.data, se)
	}
	return &ConfigError{Path: p.path, Msg: err.Error(), Err: err}
}

// config decodes the MQ section and mqscope's additions to it.
func (p *configParser) config(root *jsonNode) (*Config, error) {
	sec, prefix, err := p.mqSection(root)
	if err != nil {
		return nil, err
	}
	c := &Config{Path: p.path}
	for _, step := range []func(*Config, *jsonNode, string) error{p.server, p.port, p.users, p.mqscope} {
		if err := step(c, sec, prefix); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// mqSection finds the MQ section: the "MQ" member when there is one, else
// the whole document, like the library's config.get("MQ", config).
func (p *configParser) mqSection(root *jsonNode) (*jsonNode, string, error) {
	if root.kind != kindObject {
		return nil, "", p.errAt(root, "the top level must be a JSON object, got %s", root.kind)
	}
	mq, ok := root.fields["MQ"]
	if !ok {
		return root, "", nil
	}
	if err := p.wantKind(mq, "MQ", kindObject); err != nil {
		return nil, "", err
	}
	// Beside a nested MQ section, a top-level "mqscope" would be silently
	// ignored, which is never what its author meant.
	if misplaced, ok := root.fields["mqscope"]; ok {
		return nil, "", p.errAt(misplaced, `"mqscope" must be inside "MQ" when the file has an "MQ" section`)
	}
	return mq, "MQ", nil
}

// server reads "server", default "localhost".
func (p *configParser) server(c *Config, sec *jsonNode, prefix string) error {
	n, err := p.member(sec, prefix, "server", kindString)
	c.Server = "localhost"
	if n == nil || err != nil {
		return err
	}
	if n.text == "" {
		return p.errAt(n, "%q must not be empty; give the RabbitMQ host name", dotPath(prefix, "server"))
	}
	c.Server = n.text
	return nil
}

// port reads "port", default 5672, as a number or a numeric string: real
// files have both, and the library calls int() on it.
func (p *configParser) port(c *Config, sec *jsonNode, prefix string) error {
	c.Port = 5672
	n, ok := sec.fields["port"]
	if !ok {
		return nil
	}
	port, ok := portValue(n)
	if !ok {
		return p.errAt(n, "%q must be a number from 1 to 65535, got %s", dotPath(prefix, "port"), showValue(n))
	}
	c.Port = port
	return nil
}

// portValue accepts an integral number or a string Python's int() reads.
func portValue(n *jsonNode) (int, bool) {
	switch n.kind {
	case kindNumber:
		f, err := strconv.ParseFloat(n.text, 64)
		if err != nil || f != math.Trunc(f) || f < 1 || f > 65535 {
			return 0, false
		}
		return int(f), true
	case kindString:
		return parsePort(strings.TrimSpace(n.text))
	}
	return 0, false
}

// parsePort reads a decimal TCP port from 1 to 65535.
func parsePort(s string) (int, bool) {
	port, err := strconv.Atoi(s)
	return port, err == nil && port >= 1 && port <= 65535
}

// users reads the "users" map of service name to credentials.
func (p *configParser) users(c *Config, sec *jsonNode, prefix string) error {
	c.Users = map[string]Credentials{}
	users, err := p.member(sec, prefix, "users", kindObject)
	if users == nil || err != nil {
		return err
	}
	for _, k := range users.keys {
		cred, err := p.credentials(users.fields[k.name], dotPath(prefix, "users", k.name))
		if err != nil {
			return err
		}
		c.Users[k.name] = cred
		c.UserOrder = append(c.UserOrder, k.name)
	}
	return nil
}

// credentials reads one "users" entry. "user" wins over the seed README's
// "username" when both are present; both default to guest, as the library.
func (p *configParser) credentials(n *jsonNode, name string) (Credentials, error) {
	if err := p.wantKind(n, name, kindObject); err != nil {
		return Credentials{}, err
	}
	user, err := p.stringOr(n, name, "username", "guest")
	if err != nil {
		return Credentials{}, err
	}
	if user, err = p.stringOr(n, name, "user", user); err != nil {
		return Credentials{}, err
	}
	password, err := p.stringOr(n, name, "password", "guest")
	if err != nil {
		return Credentials{}, err
	}
	props, err := p.properties(n, name)
	return Credentials{User: user, Password: Secret(password), Properties: props}, err
}

// properties decodes an entry's optional "properties" object as
// encoding/json would decode it into a map[string]any.
func (p *configParser) properties(n *jsonNode, name string) (map[string]any, error) {
	props, err := p.member(n, name, "properties", kindObject)
	if props == nil || err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(p.data[props.start:props.end], &m); err != nil {
		return nil, p.errAt(props, "%q: %v", dotPath(name, "properties"), err)
	}
	return m, nil
}

// member returns obj's member key when present, checking that it has kind
// want; it returns nil and no error when the member is absent.
func (p *configParser) member(obj *jsonNode, prefix, key string, want jsonKind) (*jsonNode, error) {
	n, ok := obj.fields[key]
	if !ok {
		return nil, nil
	}
	return n, p.wantKind(n, dotPath(prefix, key), want)
}

// stringOr returns obj's string member key, or def when it is absent.
func (p *configParser) stringOr(obj *jsonNode, prefix, key, def string) (string, error) {
	n, err := p.member(obj, prefix, key, kindString)
	if n == nil || err != nil {
		return def, err
	}
	return n.text, nil
}

// wantKind checks that n, found at the dotted path name, has kind want.
func (p *configParser) wantKind(n *jsonNode, name string, want jsonKind) error {
	if n.kind == want {
		return nil
	}
	return p.errAt(n, "%q must be %s, got %s", name, withArticle(want), n.kind)
}

// errAt makes an error located at n.
func (p *configParser) errAt(n *jsonNode, format string, args ...any) error {
	return errorAt(p.path, p.data, n.start, fmt.Sprintf(format, args...))
}

// withArticle names a kind with its article, as in "must be an object".
func withArticle(k jsonKind) string {
	switch k {
	case kindObject, kindArray:
		return "an " + string(k)
	case kindBool:
		return "true or false"
	}
	return "a " + string(k)
}

// showValue shows a scalar the way it was written and names the kind of
// anything else. Only call it on values that cannot hold a password.
func showValue(n *jsonNode) string {
	switch n.kind {
	case kindString:
		return strconv.Quote(n.text)
	case kindNumber:
		return n.text
	case kindBool:
		return strconv.FormatBool(n.bool)
	}
	return string(n.kind)
}

// dotPath builds a dotted path such as "MQ.users.neon_api", leaving out empty
// parts (the document root has no name).
func dotPath(parts ...string) string {
	var nonEmpty []string
	for _, s := range parts {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	return strings.Join(nonEmpty, ".")
}

// hostPort joins a host and port for the default cluster list and
// management URL; it brackets IPv6 addresses.
func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
