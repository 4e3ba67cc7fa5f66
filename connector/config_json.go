package connector

import (
	"bytes"
	"encoding/json"
	"strings"
)

// jsonKind names a JSON value's type the way error messages name it.
type jsonKind string

const (
	kindObject jsonKind = "object"
	kindArray  jsonKind = "array"
	kindString jsonKind = "string"
	kindNumber jsonKind = "number"
	kindBool   jsonKind = "boolean"
	kindNull   jsonKind = "null"
)

// jsonNode is one decoded JSON value with its place in the file. The config
// loader needs both things encoding/json's maps lose: the file order of
// object keys (services are listed in the order the person wrote them) and
// byte offsets (errors point at line:column).
type jsonNode struct {
	kind   jsonKind
	start  int    // offset of the value's first byte
	end    int    // offset just past its last byte
	text   string // a string's value, or a number's literal text
	bool   bool
	keys   []jsonKey            // an object's keys in file order
	fields map[string]*jsonNode // an object's members
	items  []*jsonNode          // an array's elements
}

// jsonKey is an object key and the offset of its opening quote. A repeated
// key keeps its first place and takes its last value, as Python's json does.
type jsonKey struct {
	name string
	at   int
}

// parseJSONTree decodes data into a tree. Syntax errors come from
// json.Unmarshal, whose SyntaxError.Offset counts from the start of data;
// the token walk that builds the tree then runs on known-valid input.
func parseJSONTree(data []byte) (*jsonNode, error) {
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
func (b *treeBuilder) value() (*jsonNode, error) {
	n := &jsonNode{start: b.nextStart()}
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
		n.kind, n.text = kindString, t
	case json.Number:
		n.kind, n.text = kindNumber, string(t)
	case bool:
		n.kind, n.bool = kindBool, t
	default:
		n.kind = kindNull
	}
	n.end = int(b.dec.InputOffset())
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
func (b *treeBuilder) object(n *jsonNode) error {
	n.kind, n.fields = kindObject, map[string]*jsonNode{}
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
		if _, seen := n.fields[name]; !seen {
			n.keys = append(n.keys, jsonKey{name: name, at: at})
		}
		n.fields[name] = v
	}
	_, err := b.dec.Token()
	return err
}

// array reads elements up to and including the closing ']'.
func (b *treeBuilder) array(n *jsonNode) error {
	n.kind = kindArray
	for b.dec.More() {
		v, err := b.value()
		if err != nil {
			return err
		}
		n.items = append(n.items, v)
	}
	_, err := b.dec.Token()
	return err
}
