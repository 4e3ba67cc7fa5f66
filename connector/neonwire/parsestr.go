package neonwire

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// atStringPrefix reports whether a string prefix (r, b, u, f, rb, ...)
// followed by a quote starts at p.pos.
func (p *parser) atStringPrefix() bool {
	for i := p.pos; i < len(p.src) && i <= p.pos+2; i++ {
		switch p.src[i] {
		case '\'', '"':
			return i > p.pos
		case 'r', 'R', 'b', 'B', 'u', 'U', 'f', 'F':
		default:
			return false
		}
	}
	return false
}

// tripleAt reports whether src[i:] starts with three quote characters.
func tripleAt(src string, i int, quote byte) bool {
	return i+2 < len(src) && src[i] == quote && src[i+1] == quote && src[i+2] == quote
}

// str reads one or more adjacent string literals, which Python joins.
func (p *parser) str() (Value, error) {
	s, isBytes, err := p.stringLiteral()
	if err != nil {
		return nil, err
	}
	var joined *strings.Builder
	for {
		save := p.pos
		p.skipSpace()
		if p.pos >= len(p.src) || !(p.src[p.pos] == '\'' || p.src[p.pos] == '"' || p.atStringPrefix()) {
			p.pos = save
			break
		}
		nextPos := p.pos
		next, nextBytes, err := p.stringLiteral()
		if err != nil {
			return nil, err
		}
		if nextBytes != isBytes {
			return nil, p.errorAt(nextPos, "cannot mix bytes and nonbytes literals")
		}
		if joined == nil {
			joined = &strings.Builder{}
			joined.WriteString(s)
		}
		joined.WriteString(next)
	}
	if joined != nil {
		s = joined.String()
	}
	if isBytes {
		return []byte(s), nil
	}
	return s, nil
}

// stringLiteral reads one prefixed, quoted literal. For bytes literals the
// string holds the bytes.
func (p *parser) stringLiteral() (s string, isBytes bool, err error) {
	start := p.pos
	raw := false
	for p.src[p.pos] != '\'' && p.src[p.pos] != '"' {
		p.pos++
	}
	switch strings.ToLower(p.src[start:p.pos]) {
	case "", "u":
	case "r":
		raw = true
	case "b":
		isBytes = true
	case "br", "rb":
		raw, isBytes = true, true
	case "f", "fr", "rf":
		return "", false, p.errorAt(start, "f-strings are expressions, not literals")
	default:
		return "", false, p.errorAt(start, "invalid string prefix %q", p.src[start:p.pos])
	}
	quote := p.src[p.pos]
	qlen := 1
	if tripleAt(p.src, p.pos, quote) {
		qlen = 3
	}
	p.pos += qlen
	s, err = p.stringBody(start, quote, qlen, raw, isBytes)
	return s, isBytes, err
}

// stringBody reads up to and including the closing quote. Text without
// escapes or carriage returns is returned as a slice of the source.
func (p *parser) stringBody(start int, quote byte, qlen int, raw, isBytes bool) (string, error) {
	// The text is gathered in a local slice, left in p.buf for the next
	// literal: a store to p.buf at every escape would cost a write barrier
	// whenever the collector runs, which it often does on large bodies.
	buf := p.buf[:0]
	defer func() { p.buf = buf[:0] }()
	bodyStart, run := p.pos, p.pos
	copied := false // whether buf holds the text so far
	for {
		switch {
		case copied && !raw && !isBytes:
			// Past the first escape the text is copied anyway: copy it as
			// it is scanned, in one pass.
			buf = append(buf, p.src[run:p.pos]...)
			buf, p.pos = appendStrText(buf, p.src, p.pos, quote)
			run = p.pos
		case isBytes:
			p.pos = plainRunEnd(p.src, p.pos, quote, '\\')
		default:
			p.pos = textRunEnd(p.src, p.pos, quote)
		}
		if p.pos >= len(p.src) {
			return "", p.unterminated(start, qlen)
		}
		switch c := p.src[p.pos]; {
		case c < 0x20 && c != '\n' && c != '\r', c == 0x7f, c >= utf8.RuneSelf && !isBytes:
			p.pos++ // tabs, other controls, DEL and UTF-8 stand for themselves
		case c == quote:
			if qlen == 1 || tripleAt(p.src, p.pos, quote) {
				text := p.src[bodyStart:p.pos]
				if copied {
					buf = append(buf, p.src[run:p.pos]...)
					text = string(buf)
				}
				p.pos += qlen
				return text, nil
			}
			p.pos++
		case c == '\\' && raw:
			// The character after a backslash stays in a raw literal but
			// cannot close it or end its line.
			p.pos++
			if p.pos >= len(p.src) {
				return "", p.unterminated(start, qlen)
			}
			switch p.src[p.pos] {
			case quote, '\\', '\n':
				p.pos++
			case '\r':
				buf = append(append(buf, p.src[run:p.pos]...), '\n')
				p.pos += newlineLen(p.src, p.pos)
				run, copied = p.pos, true
			}
		case c == '\\':
			buf = append(buf, p.src[run:p.pos]...)
			var err error
			if buf, err = p.escape(buf, isBytes); err != nil {
				return "", err
			}
			run, copied = p.pos, true
		case c == '\n' || c == '\r':
			if qlen == 1 {
				return "", p.errorAt(start, "unterminated string literal: the line ends before the closing quote")
			}
			if c == '\r' { // Python reads \r\n and \r as \n
				buf = append(append(buf, p.src[run:p.pos]...), '\n')
				p.pos += newlineLen(p.src, p.pos)
				run, copied = p.pos, true
				continue
			}
			p.pos++
		default:
			return "", p.errorf("bytes can only contain ASCII literal characters, found %s", describeAt(p.src, p.pos))
		}
	}
}

// appendStrText appends the text of a str literal from src[i:] to buf, up
// to the next byte that needs stringBody's attention (see textRunEnd),
// and returns that byte's index. It decodes the one-letter escapes (\n \'
// \\ ...) itself, which are nearly all a repr writes, and copies a word at
// a time, storing each word whole before it knows how much of it is text:
// the bytes past the run land in buf's spare capacity, to be overwritten
// by what comes next.
func appendStrText(buf []byte, src string, i int, quote byte) ([]byte, int) {
	quotes := lsbs * uint64(quote)
	for i+8 <= len(src) && cap(buf)-len(buf) >= 8 {
		w, n := load64(src, i), len(buf)
		binary.LittleEndian.PutUint64(buf[n:n+8], w)
		m := textStopBytes(w, quotes)
		if m == 0 {
			buf, i = buf[:n+8], i+8
			continue
		}
		k := firstFlagged(m)
		buf, i = buf[:n+k], i+k
		if src[i] != '\\' || i+1 == len(src) {
			return buf, i
		}
		c := pySimpleEscape[src[i+1]]
		if c == 0 {
			return buf, i
		}
		buf, i = append(buf, c), i+2
	}
	end := textRunEnd(src, i, quote)
	return append(buf, src[i:end]...), end
}

func (p *parser) unterminated(start, qlen int) error {
	if qlen == 3 {
		return p.errorAt(start, "unterminated triple-quoted string literal")
	}
	return p.errorAt(start, "unterminated string literal")
}

// escape decodes the escape sequence after a backslash at p.pos, appending
// its value to buf. Unknown escapes keep the backslash, as Python does.
func (p *parser) escape(buf []byte, isBytes bool) ([]byte, error) {
	at := p.pos
	p.pos++
	if p.pos >= len(p.src) {
		return buf, p.errorAt(at, "unterminated string literal: it ends with a backslash")
	}
	c := p.src[p.pos]
	if simple := simpleEscape(c); simple != 0 {
		p.pos++
		return append(buf, simple), nil
	}
	switch {
	case c == '\n' || c == '\r':
		p.pos += newlineLen(p.src, p.pos) // line continuation
	case '0' <= c && c <= '7':
		return p.octalEscape(buf, isBytes), nil
	case c == 'x':
		return p.hexEscape(buf, at, 2, isBytes)
	case c == 'u' && !isBytes:
		return p.hexEscape(buf, at, 4, false)
	case c == 'U' && !isBytes:
		return p.hexEscape(buf, at, 8, false)
	case c == 'N' && !isBytes:
		return buf, p.errorAt(at, `\N{...} named escapes are not supported; write the character itself or a \u escape`)
	default:
		return append(buf, '\\'), nil
	}
	return buf, nil
}

// simpleEscape is the byte a one-letter escape stands for, or 0.
func simpleEscape(c byte) byte {
	switch c {
	case '\\', '\'', '"':
		return c
	case 'a':
		return '\a'
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'v':
		return '\v'
	}
	return 0
}

// pySimpleEscape is simpleEscape as a table, for appendStrText's loop.
var pySimpleEscape = func() (t [256]byte) {
	for c := range t {
		t[c] = simpleEscape(byte(c))
	}
	return t
}()

// octalEscape reads up to three octal digits. In bytes the value is taken
// modulo 256, as Python 3.11 does for \400-\777.
func (p *parser) octalEscape(buf []byte, isBytes bool) []byte {
	v := 0
	for n := 0; n < 3 && p.pos < len(p.src) && '0' <= p.src[p.pos] && p.src[p.pos] <= '7'; n++ {
		v = v*8 + int(p.src[p.pos]-'0')
		p.pos++
	}
	return appendCode(buf, v, isBytes)
}

// hexEscape reads \xhh, \uhhhh or \Uhhhhhhhh.
func (p *parser) hexEscape(buf []byte, at, digits int, isBytes bool) ([]byte, error) {
	p.pos++
	v := 0
	for range digits {
		if p.pos >= len(p.src) || digitValue(p.src[p.pos]) >= 16 {
			return buf, p.errorAt(at, `truncated \%c escape: expected %d hex digits`, p.src[at+1], digits)
		}
		v = v*16 + digitValue(p.src[p.pos])
		p.pos++
	}
	if v > utf8.MaxRune {
		return buf, p.errorAt(at, `illegal Unicode character in \U escape: above U+10FFFF`)
	}
	return appendCode(buf, v, isBytes), nil
}

// appendCode appends a code point (str) or a byte (bytes). A surrogate
// ('\ud800') is kept as its surrogate sequence, as the Value type says.
func appendCode(buf []byte, v int, isBytes bool) []byte {
	if isBytes {
		return append(buf, byte(v))
	}
	return appendPyRune(buf, rune(v))
}
