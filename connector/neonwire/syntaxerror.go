package neonwire

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds how deeply containers may nest in a Python literal or a
// JSON document. Python's own parser stops at 200 nested brackets; the limit
// here is higher so that nothing Neon produces is refused, and low enough that
// hostile input cannot exhaust the stack.
const maxDepth = 1000

// SyntaxError reports where a Python literal or JSON text could not be read
// and what was expected there.
type SyntaxError struct {
	Offset int    // byte offset into the source
	Line   int    // 1-based line
	Col    int    // 1-based column, counted in characters
	Msg    string // what is wrong or what was expected
}

// Error returns "line L:C: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d:%d: %s", e.Line, e.Col, e.Msg)
}

// newSyntaxError locates byte offset off in src as a line and column. Line
// breaks are \n, \r\n and \r, as in Python source.
func newSyntaxError(src string, off int, msg string) *SyntaxError {
	off = min(max(off, 0), len(src))
	line, col := 1, 1
	for i := 0; i < off; {
		switch c := src[i]; {
		case c == '\n' || (c == '\r' && (i+1 >= len(src) || src[i+1] != '\n')):
			line, col = line+1, 1
			i++
		case c == '\r':
			i++ // the \n that follows ends the line
		default:
			_, size := decodePyRune(src, i)
			i += size
			col++
		}
	}
	return &SyntaxError{Offset: off, Line: line, Col: col, Msg: msg}
}

// describeAt names the character at src[off] for an error message.
func describeAt(src string, off int) string {
	if off >= len(src) {
		return "end of input"
	}
	r, size := decodePyRune(src, off)
	switch {
	case r == '\n' || r == '\r':
		return "end of line"
	case r == utf8.RuneError && size == 1:
		return fmt.Sprintf("byte 0x%02x", src[off])
	case utf16.IsSurrogate(r):
		return fmt.Sprintf("lone surrogate U+%04X", r)
	}
	return strconv.QuoteRune(r)
}
