package neonwire

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// ParseLiteral reads src as Python's ast.literal_eval would: dicts, lists,
// tuples, sets, set(), frozenset(...), str and bytes literals (all prefixes,
// escapes and implicit concatenation), ints of any size, floats, True, False
// and None. It also accepts the bare names inf and nan that Python's repr
// writes for non-finite floats. Nothing is evaluated. Keys and set elements
// that are equal in Python are collapsed as Python does. Errors are
// *SyntaxError values naming the line, column and what was expected.
func ParseLiteral(src string) (Value, error) {
	return parseLiteral(src, false)
}

// parseLiteral is ParseLiteral, skipping the UTF-8 check when the caller
// knows src is valid (text unescaped from validated JSON is).
func parseLiteral(src string, validUTF8 bool) (Value, error) {
	v, _, err := parse(src, validUTF8, false)
	return v, err
}

// parse reads one value; with allowExpr it also reads the expressions of
// parseexpr.go, and returns which kinds it met.
func parse(src string, validUTF8, allowExpr bool) (Value, exprKind, error) {
	p := parserPool.Get().(*parser)
	defer p.release()
	p.src, p.allowExpr = src, allowExpr
	v, err := p.whole(validUTF8)
	return v, p.exprs, err
}

// whole reads the source as one value with only blanks around it.
func (p *parser) whole(validUTF8 bool) (Value, error) {
	if err := p.checkSource(validUTF8); err != nil {
		return nil, err
	}
	p.skipSpaceAndLines()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpaceAndLines()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %s after the value", describeAt(p.src, p.pos))
	}
	return v, nil
}

// parser is a recursive-descent reader of one Python literal.
type parser struct {
	src   string
	pos   int
	depth int        // open brackets; newlines are insignificant when > 0
	stack valueStack // elements of the containers being read
	buf   []byte     // scratch for string literals with escapes
	keys  keyIndex
	// allowExpr makes the parser read the expressions b64_to_dict's eval
	// evaluates besides literals (parseexpr.go); exprs says which it met.
	allowExpr bool
	exprs     exprKind
}

// Parsers are pooled with their scratch space: a busy inspector parses
// every message it shows.
var parserPool = sync.Pool{New: func() any { return new(parser) }}

// release forgets the text and values of the last parse and pools p.
func (p *parser) release() {
	clear(p.stack)
	p.keys.release()
	*p = parser{stack: p.stack[:0], buf: p.buf[:0], keys: p.keys}
	if cap(p.buf) <= maxPooled {
		parserPool.Put(p)
	}
}

func (p *parser) errorf(format string, args ...any) error {
	return p.errorAt(p.pos, format, args...)
}

func (p *parser) errorAt(off int, format string, args ...any) error {
	return newSyntaxError(p.src, off, fmt.Sprintf(format, args...))
}

// checkSource rejects what Python rejects before tokenizing: invalid UTF-8
// and NUL bytes. Text unescaped from JSON is valid UTF-8 but for the
// surrogates that a JSON \udXXX escape can give it, and eval and
// literal_eval both fail on those (UnicodeEncodeError: surrogates not
// allowed), since Python encodes the source to UTF-8 before reading it.
func (p *parser) checkSource(validUTF8 bool) error {
	if !validUTF8 {
		if i := invalidUTF8(p.src); i >= 0 {
			return p.errorAt(i, "invalid UTF-8 (byte 0x%02x)", p.src[i])
		}
	}
	if i := surrogateAt(p.src); validUTF8 && i >= 0 {
		r, _ := decodePyRune(p.src, i)
		return p.errorAt(i, "lone surrogate U+%04X in the literal's text: Python cannot compile it (UnicodeEncodeError)", r)
	}
	if i := strings.IndexByte(p.src, 0); i >= 0 {
		return p.errorAt(i, "NUL byte in a Python literal")
	}
	return nil
}

// skipSpace skips blanks, comments and backslash line continuations, and
// newlines too inside brackets, where Python ignores them.
func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\f':
			p.pos++
		case '\n', '\r':
			if p.depth == 0 {
				return
			}
			p.pos++
		case '#':
			p.skipComment()
		case '\\':
			n := newlineLen(p.src, p.pos+1)
			if n == 0 {
				return
			}
			p.pos += 1 + n
		default:
			return
		}
	}
}

// skipSpaceAndLines skips blank lines as well, as Python does around the one
// expression that eval and literal_eval accept.
func (p *parser) skipSpaceAndLines() {
	depth := p.depth
	p.depth = 1
	p.skipSpace()
	p.depth = depth
}

func (p *parser) skipComment() {
	for p.pos < len(p.src) && p.src[p.pos] != '\n' && p.src[p.pos] != '\r' {
		p.pos++
	}
}

// newlineLen is the length of the line break at src[i], or 0.
func newlineLen(src string, i int) int {
	switch {
	case i >= len(src):
		return 0
	case src[i] == '\n':
		return 1
	case src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n':
		return 2
	case src[i] == '\r':
		return 1
	}
	return 0
}

// value reads one value at the current position.
func (p *parser) value() (Value, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.errorf("expected a value, found end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.braces()
	case c == '[':
		return p.list()
	case c == '(':
		return p.parens()
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+':
		return p.complexTail(p.signed())
	case c == '.' && p.allowExpr && strings.HasPrefix(p.src[p.pos:], "..."):
		p.pos += 3
		return p.expr(exprEllipsis), nil
	case isDigit(c) || c == '.':
		return p.complexTail(p.number())
	case isNameStart(c):
		if p.atStringPrefix() {
			return p.str()
		}
		return p.name()
	}
	return nil, p.errorf("expected a value, found %s", describeAt(p.src, p.pos))
}

// open enters a bracket, enforcing the nesting limit.
func (p *parser) open() error {
	if p.depth >= maxDepth {
		return p.errorf("nesting deeper than %d levels", maxDepth)
	}
	p.depth++
	p.pos++
	return nil
}

// expect consumes byte c after optional space.
func (p *parser) expect(c byte, context string) error {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return nil
	}
	return p.errorf("expected %q %s, found %s", c, context, describeAt(p.src, p.pos))
}

// peek returns the next byte after optional space, or 0 at the end.
func (p *parser) peek() byte {
	p.skipSpace()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// invalidUTF8 is the offset of the first byte of s that is not valid UTF-8,
// or -1.
func invalidUTF8[T string | []byte](s T) int {
	var valid bool
	switch x := any(s).(type) {
	case string:
		valid = utf8.ValidString(x)
	case []byte:
		valid = utf8.Valid(x)
	}
	if valid {
		return -1
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// valueStack holds the elements of the containers a parser has open, so
// that each container is allocated once, at its final size, when it closes.
type valueStack []Value

// take pops the values pushed since base into a slice of their own.
func (s *valueStack) take(base int) []Value {
	out := make([]Value, len(*s)-base)
	copy(out, (*s)[base:])
	clear((*s)[base:])
	*s = (*s)[:base]
	return out
}

// takeItems pops the keys and values pushed alternately since base.
func (s *valueStack) takeItems(base int) []Item {
	pairs := (*s)[base:]
	items := make([]Item, len(pairs)/2)
	for i := range items {
		items[i] = Item{Key: pairs[2*i], Value: pairs[2*i+1]}
	}
	clear(pairs)
	*s = (*s)[:base]
	return items
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isNameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= utf8.RuneSelf
}

func isNameChar(c byte) bool { return isNameStart(c) || isDigit(c) }
