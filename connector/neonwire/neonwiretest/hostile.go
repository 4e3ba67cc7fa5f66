// Package neonwiretest holds message bodies that a broker may deliver and
// that no well-behaved Neon service sends: huge, binary, malformed, deeply
// nested, or written to drive a terminal. The store, UI and command tests
// push the same table through every path a body takes, so it lives here
// rather than in each package's tests. Only tests import it.
package neonwiretest

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"mqscope/connector/neonwire"
)

// Huge is the size of the large bodies: RabbitMQ's default limit is 128 MiB,
// and 16 MiB is what a service sending files or embeddings produces.
const Huge = 16 << 20

// Body is one hostile body and what neonwire.Decode makes of it.
type Body struct {
	Name     string
	Data     []byte
	Encoding neonwire.Encoding
	// Err is a substring of Decoded.Err, or "" when Decoded.Err is nil.
	Err string
	// Big is set for the bodies of about Huge bytes, which paths must
	// show in part rather than lay out whole.
	Big bool
}

// Bodies returns the table. It is built once per process (the big bodies
// take a moment, much more under the race detector) and shared: callers
// must not change it.
func Bodies() []Body {
	bodiesOnce.Do(func() { bodies = buildBodies() })
	return bodies
}

var (
	bodiesOnce sync.Once
	bodies     []Body
)

func buildBodies() []Body {
	return []Body{
		{Name: "neon 16 MiB", Data: bigNeon(), Encoding: neonwire.EncNeon, Big: true},
		{Name: "neon 60k items", Data: manyItems(60000), Encoding: neonwire.EncNeon},
		{Name: "text 16 MiB", Data: bigText(), Encoding: neonwire.EncText, Big: true},
		{Name: "text 16 MiB one line", Data: []byte(strings.Repeat("x", Huge)), Encoding: neonwire.EncText, Big: true},
		{Name: "binary 16 MiB", Data: randomBytes(Huge, 1), Encoding: neonwire.EncBinary, Big: true},
		{Name: "invalid UTF-8", Data: []byte("caf\xe9 au lait \xff\xfe"), Encoding: neonwire.EncBinary},
		{Name: "NUL bytes", Data: []byte("hello\x00world\x00"), Encoding: neonwire.EncBinary},
		{Name: "terminal escapes", Data: []byte(Escapes), Encoding: neonwire.EncText},
		{Name: "neon nested too deep", Data: Wire(strings.Repeat("[", 5000) + strings.Repeat("]", 5000)),
			Encoding: neonwire.EncB64JSON, Err: "nesting deeper than 1000 levels"},
		{Name: "neon nested to the limit", Data: Wire(strings.Repeat("{'a': ", 999) + "1" + strings.Repeat("}", 999)),
			Encoding: neonwire.EncNeon},
		{Name: "json nested too deep", Data: []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)),
			Encoding: neonwire.EncText},
		{Name: "neon holding Python code", Data: Wire("__import__('os').system('touch /tmp/mqscope-evaluated')"),
			Encoding: neonwire.EncB64JSON, Err: "not a Python literal"},
		{Name: "neon with NUL in the literal", Data: Wire("{'a': '\x00'}"), Encoding: neonwire.EncB64JSON, Err: "NUL byte"},
		{Name: "neon with a lone surrogate", Data: base64JSON(`"{'a': '\udc80'}"`), Encoding: neonwire.EncB64JSON, Err: "lone surrogate U+DC80"},
		{Name: "base64 of garbage", Data: []byte(base64.StdEncoding.EncodeToString(randomBytes(3000, 2))), Encoding: neonwire.EncText},
		{Name: "base64 of garbage that looks neon", Data: []byte(base64.StdEncoding.EncodeToString(append([]byte{'"'}, randomBytes(3000, 3)...))),
			Encoding: neonwire.EncText, Err: "base64, but not JSON"},
		{Name: "empty", Data: []byte{}, Encoding: neonwire.EncText, Err: "empty body"},
	}
}

// Escapes is text that would clear the screen, set the window title,
// write the clipboard (OSC 52) and ring the bell if it reached a terminal
// unfiltered.
const Escapes = "before\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4=\x07\u009b31m after"

// Wire is the Neon body of a literal: base64 of a JSON string holding it,
// as neon_mq_connector's dict_to_b64 writes it.
func Wire(literal string) []byte {
	q, err := json.Marshal(literal)
	if err != nil {
		panic(err) // a Go string always marshals
	}
	return []byte(base64.StdEncoding.EncodeToString(q))
}

// base64JSON is the base64 of raw JSON text, for escapes that json.Marshal
// would not write (a lone surrogate).
func base64JSON(raw string) []byte {
	return []byte(base64.StdEncoding.EncodeToString([]byte(raw)))
}

// bigNeon is a Neon request of about Huge bytes: one long string value.
func bigNeon() []byte {
	// base64 grows the JSON by 4/3; the repr adds a few dozen bytes.
	blob := strings.Repeat("0123456789abcdef", Huge*3/4/16-8)
	d := &neonwire.Dict{Items: []neonwire.Item{
		{Key: "message_id", Value: strings.Repeat("ab", 16)},
		{Key: "blob", Value: blob},
	}}
	return neonwire.Encode(d)
}

// manyItems is a Neon dict of n small items: the shape that costs the most
// to lay out per byte.
func manyItems(n int) []byte {
	d := &neonwire.Dict{Items: make([]neonwire.Item, n)}
	for i := range d.Items {
		d.Items[i] = neonwire.Item{Key: "key_" + strconv.Itoa(i), Value: int64(i)}
	}
	return neonwire.Encode(d)
}

// bigText is Huge bytes of lines of prose.
func bigText() []byte {
	const line = "The quick brown fox jumps over the lazy dog, again and again.\n"
	text := strings.Repeat(line, Huge/len(line)+1)
	return []byte(text[:Huge])
}

// randomBytes is n bytes from a fixed seed: the same body on every run.
func randomBytes(n int, seed byte) []byte {
	var key [32]byte
	key[0] = seed
	out := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(out) // never fails
	return out
}
