// Package jsonconf reads JSON config files with their places: a tree of
// values that keeps object keys in file order and each value's byte offset,
// and errors that point at file:line:col. The Neon config reader in
// connector and mqscope's own config section share it, so that every
// config error reads the same.
package jsonconf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// BOM is the UTF-8 byte order mark, which some editors put at the start of
// a file.
var BOM = []byte{0xef, 0xbb, 0xbf}

// Parser reads values of one file's tree. Every error it makes names the
// dotted path of the value (e.g. "MQ.users.neon_api.password") and its
// line:column, and none quotes a string value, which may be a password.
type Parser struct {
	Path string // the file, as named in errors
	Data []byte // its contents, which node offsets index
}

// Kind names a JSON value's type the way error messages name it.
type Kind string

const (
	KindObject Kind = "object"
	KindArray  Kind = "array"
	KindString Kind = "string"
	KindNumber Kind = "number"
	KindBool   Kind = "boolean"
	KindNull   Kind = "null"
)

// Node is one decoded JSON value with its place in the file. The config
// loader needs both things encoding/json's maps lose: the file order of
// object keys (services are listed in the order the person wrote them) and
// byte offsets (errors point at line:column).
type Node struct {
	Kind   Kind
	Start  int    // offset of the value's first byte
	End    int    // offset just past its last byte
	Text   string // a string's value, or a number's literal text
	Bool   bool
	Keys   []Key            // an object's keys in file order
	Fields map[string]*Node // an object's members
	Items  []*Node          // an array's elements
}

// Key is an object key and the offset of its opening quote. A repeated
// key keeps its first place and takes its last value, as Python's json does.
type Key struct {
	Name string
	At   int
}

// ParseTree decodes data into a tree. Syntax errors come from
// json.Unmarshal, whose SyntaxError.Offset counts from the start of data;
// the token walk that builds the tree then runs on known-valid input.
func ParseTree(data []byte) (*Node, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	b := &treeBuilder{dec: dec, data: data}
	return b.value()
}

// treeBuilder turns a decoder's token stream into jsonNodes.
type treeBuilder struct {
	dec  *json.Decoder
	data []byte
}

// value reads the next complete value.
func (b *treeBuilder) value() (*Node, error) {
	n := &Node{Start: b.nextStart()}
	tok, err := b.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			err = b.object(n)
		} else {
			err = b.array(n)
		}
	case string:
		n.Kind, n.Text = KindString, t
	case json.Number:
		n.Kind, n.Text = KindNumber, string(t)
	case bool:
		n.Kind, n.Bool = KindBool, t
	default:
		n.Kind = KindNull
	}
	n.End = int(b.dec.InputOffset())
	return n, err
}

// nextStart is the offset where the next token begins. InputOffset stops
// just past the previous token, before any whitespace and the ':' or ','
// that the decoder consumes on its own.
func (b *treeBuilder) nextStart() int {
	i := int(b.dec.InputOffset())
	for i < len(b.data) && strings.IndexByte(" \t\r\n:,", b.data[i]) >= 0 {
		i++
	}
	return i
}

// object reads members up to and including the closing '}'.
func (b *treeBuilder) object(n *Node) error {
	n.Kind, n.Fields = KindObject, map[string]*Node{}
	for b.dec.More() {
		at := b.nextStart()
		tok, err := b.dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		v, err := b.value()
		if err != nil {
			return err
		}
		if _, seen := n.Fields[name]; !seen {
			n.Keys = append(n.Keys, Key{Name: name, At: at})
		}
		n.Fields[name] = v
	}
	_, err := b.dec.Token()
	return err
}

// array reads elements up to and including the closing ']'.
func (b *treeBuilder) array(n *Node) error {
	n.Kind = KindArray
	for b.dec.More() {
		v, err := b.value()
		if err != nil {
			return err
		}
		n.Items = append(n.Items, v)
	}
	_, err := b.dec.Token()
	return err
}

// Error is a problem with one config file. Its text is one line,
// "config PATH:LINE:COL: what" or, when the problem is not at one place in
// the file, "config PATH: what". It never contains a password.
type Error struct {
	Path      string
	Line, Col int    // 1-based; 0 when the problem has no place in the file
	Msg       string // what is wrong, and where useful what to do
	Err       error  // the underlying cause (e.g. fs.ErrPermission), may be nil
}

// Error returns the one-line message.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config %s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", e.Path, e.Msg)
}

// Unwrap returns the underlying cause, so errors.Is(err, fs.ErrPermission)
// works.
func (e *Error) Unwrap() error { return e.Err }

// FileError turns an os error about path into a Error without Go's
// "open PATH:" prefix, since the message already names the file.
func FileError(path string, err error) *Error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error()
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		msg = "permission denied"
	case errors.Is(err, fs.ErrNotExist):
		msg = "no such file"
	}
	return &Error{Path: path, Msg: msg, Err: err}
}

// ErrorAt builds a Error for byte offset off of data.
func ErrorAt(path string, data []byte, off int, msg string) *Error {
	line, col := LineCol(data, off)
	return &Error{Path: path, Line: line, Col: col, Msg: msg}
}

// LineCol returns the 1-based line and column of byte offset off. The
// column counts characters, not bytes, as editors do.
func LineCol(data []byte, off int) (line, col int) {
	before := data[:min(max(off, 0), len(data))]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[lineStart:]) + 1
}

// syntaxPhrases rewrites encoding/json's scanner contexts as what the
// reader should have written. Order matters: the first contained context
// wins, and "after object key" is part of "after object key:value pair".
var syntaxPhrases = []struct{ context, phrase string }{
	{"after object key:value pair", `expected "," or "}" after object value`},
	{"after object key", `expected ":" after object key`},
	{"after array element", `expected "," or "]" after array element`},
	{"looking for beginning of object key string", "expected a double-quoted object key"},
	{"looking for beginning of value", "expected a JSON value"},
	{"after top-level value", "unexpected text after the end of the JSON document"},
	{"in string literal", `control character in a string; write it as an escape such as \n or \t`},
	{"escape", `invalid escape sequence in a string; write a backslash as \\`},
	{"numeric literal", "invalid number"},
	{"in literal", "invalid literal; JSON has only true, false and null"},
	{"exceeded max depth", "values nested more than 10000 deep"},
	{"unexpected end of JSON input", `unexpected end of file; is a "}", "]" or closing quote missing?`},
}

// syntaxError explains a JSON syntax error at the character it stopped on.
func ExplainSyntax(path string, data []byte, se *json.SyntaxError) *Error {
	// Offset counts the bytes read, so the offending byte is the one before;
	// at end of input, point just past the last non-blank character instead
	// of at a trailing newline.
	off := min(int(se.Offset)-1, len(bytes.TrimRight(data, " \t\r\n")))
	msg := se.Error()
	if strings.Contains(msg, "in string escape code") {
		off-- // point at the backslash, not at the letter after it
	}
	off = max(off, 0)
	for _, p := range syntaxPhrases {
		if strings.Contains(msg, p.context) {
			msg = p.phrase
			break
		}
	}
	if hint := syntaxHint(data, off); hint != "" {
		msg += " (" + hint + ")"
	}
	return ErrorAt(path, data, off, msg)
}

// syntaxHint guesses the usual cause of a syntax error at off: a file in
// another format, or a habit from Python, YAML or JavaScript.
func syntaxHint(data []byte, off int) string {
	rest := data[min(off, len(data)):]
	switch {
	case looksLikeUTF16(data):
		return "this looks like UTF-16; save the file as UTF-8"
	case looksLikeYAML(data):
		return "this looks like YAML; mqscope reads JSON"
	case bytes.HasPrefix(rest, BOM):
		return "a stray byte order mark; remove it"
	case bytes.HasPrefix(rest, []byte("'")):
		return "JSON strings use double quotes"
	case bytes.HasPrefix(rest, []byte("//")), bytes.HasPrefix(rest, []byte("/*")), bytes.HasPrefix(rest, []byte("#")):
		return "JSON does not allow comments"
	case bytes.HasPrefix(rest, []byte("True")), bytes.HasPrefix(rest, []byte("False")), bytes.HasPrefix(rest, []byte("None")):
		return "JSON spells these true, false and null"
	case (bytes.HasPrefix(rest, []byte("}")) || bytes.HasPrefix(rest, []byte("]"))) &&
		bytes.HasSuffix(bytes.TrimRight(data[:off], " \t\r\n"), []byte(",")):
		return "trailing comma?"
	}
	return ""
}

// looksLikeUTF16 reports a UTF-16 byte-order mark, or a NUL byte in the
// first two, which is how UTF-16 without a mark writes an ASCII "{".
func looksLikeUTF16(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) ||
		bytes.IndexByte(data[:min(2, len(data))], 0) >= 0
}

// yamlLine is a YAML document start or a "key:" / "key: value" line.
var yamlLine = regexp.MustCompile(`^(---|[A-Za-z_][A-Za-z0-9_ -]*:(\s|$))`)

// looksLikeYAML reports whether the first line that is not blank or a "#"
// comment reads as YAML. Neon deployments keep the MQ section in
// diana.yaml, so this is an easy file to pass by mistake.
func looksLikeYAML(data []byte) bool {
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		return yamlLine.MatchString(line)
	}
	return false
}

// member returns obj's member key when present, checking that it has kind
// want; it returns nil and no error when the member is absent.
func (p *Parser) Member(obj *Node, prefix, key string, want Kind) (*Node, error) {
	n, ok := obj.Fields[key]
	if !ok {
		return nil, nil
	}
	return n, p.WantKind(n, DotPath(prefix, key), want)
}

// stringOr returns obj's string member key, or def when it is absent.
func (p *Parser) StringOr(obj *Node, prefix, key, def string) (string, error) {
	n, err := p.Member(obj, prefix, key, KindString)
	if n == nil || err != nil {
		return def, err
	}
	return n.Text, nil
}

// wantKind checks that n, found at the dotted path name, has kind want.
func (p *Parser) WantKind(n *Node, name string, want Kind) error {
	if n.Kind == want {
		return nil
	}
	return p.ErrAt(n, "%q must be %s, got %s", name, withArticle(want), n.Kind)
}

// errAt makes an error located at n.
func (p *Parser) ErrAt(n *Node, format string, args ...any) error {
	return ErrorAt(p.Path, p.Data, n.Start, fmt.Sprintf(format, args...))
}

// withArticle names a kind with its article, as in "must be an object".
func withArticle(k Kind) string {
	switch k {
	case KindObject, KindArray:
		return "an " + string(k)
	case KindBool:
		return "true or false"
	}
	return "a " + string(k)
}

// ShowValue shows a scalar the way it was written and names the kind of
// anything else. Only call it on values that cannot hold a password.
func ShowValue(n *Node) string {
	switch n.Kind {
	case KindString:
		return strconv.Quote(n.Text)
	case KindNumber:
		return n.Text
	case KindBool:
		return strconv.FormatBool(n.Bool)
	}
	return string(n.Kind)
}

// DotPath builds a dotted path such as "MQ.users.neon_api", leaving out empty
// parts (the document root has no name).
func DotPath(parts ...string) string {
	var nonEmpty []string
	for _, s := range parts {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	return strings.Join(nonEmpty, ".")
}

// positive reads an optional whole number from 1 to limit; 0 when absent.
func (p *Parser) Positive(obj *Node, prefix, key string, limit int64) (int64, error) {
	n, err := p.Member(obj, prefix, key, KindNumber)
	if n == nil || err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(n.Text, 10, 64)
	if err != nil || v < 1 || v > limit {
		return 0, p.ErrAt(n, "%q must be a positive whole number, got %s", DotPath(prefix, key), n.Text)
	}
	return v, nil
}

// nonEmpty reads an optional string member that, when given, must not be
// empty; "" when absent.
func (p *Parser) NonEmpty(obj *Node, prefix, key string) (string, error) {
	n, err := p.Member(obj, prefix, key, KindString)
	if n == nil || err != nil {
		return "", err
	}
	if n.Text == "" {
		return "", p.ErrAt(n, "%q must not be empty", DotPath(prefix, key))
	}
	return n.Text, nil
}

// stringList reads an optional array of non-empty strings.
func (p *Parser) StringList(obj *Node, prefix, key string) ([]string, error) {
	arr, err := p.Member(obj, prefix, key, KindArray)
	if arr == nil || err != nil {
		return nil, err
	}
	list := make([]string, 0, len(arr.Items))
	for i, item := range arr.Items {
		name := fmt.Sprintf("%s[%d]", DotPath(prefix, key), i)
		if err := p.WantKind(item, name, KindString); err != nil {
			return nil, err
		}
		if item.Text == "" {
			return nil, p.ErrAt(item, "%q must not be empty", name)
		}
		list = append(list, item.Text)
	}
	return list, nil
}

// checkKeys rejects a key of n that is not in allowed, pointing at the key.
func (p *Parser) CheckKeys(n *Node, name string, allowed []string) error {
	for _, k := range n.Keys {
		if !slices.Contains(allowed, k.Name) {
			return ErrorAt(p.Path, p.Data, k.At, fmt.Sprintf("unknown key %q in %q (allowed: %s)",
				k.Name, name, strings.Join(allowed, ", ")))
		}
	}
	return nil
}
