// Package textsafe is the one place that decides which text may reach a
// terminal, or the clipboard, as it is, and how JSON strings escape what
// may not.
//
// Message bodies, routing keys, queue names and headers come off the
// network: anyone who may publish or declare a queue chooses their bytes.
// Printed raw, some characters act instead of showing:
//
//   - C0 controls, DEL and the C1 controls (U+0080–U+009F) drive the
//     terminal: ESC and CSI (U+009B) start control sequences, BEL rings,
//     CR and BS overwrite what is already on the row.
//   - Bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)
//     reorder the rest of the row, so a name can show as another name.
//   - Zero-width and other invisible format characters (U+200B–U+200D,
//     U+2060–U+2064, U+FEFF, the tag characters, every other Unicode Cf)
//     and the Hangul fillers hide text: two names that differ look alike.
//   - U+2028 and U+2029 end lines.
//   - A long run of combining marks stacks above and below its base
//     character and draws over the neighbouring rows.
//
// Zero-width joiners are format characters too, so an emoji sequence
// joined by them shows its parts with \u200d between.
//
// EscapeAt is that decision for one character. Row and Lines make text
// safe for the screen; Clipboard makes it safe to paste. AppendJSONEscape
// and AppendJSONRune are the escapes of JSON strings, shared by neonwire's
// and store's JSON writers.
package textsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMarks is how many combining marks (Unicode Mn and Me) may follow one
// base character raw. Decomposed Latin, Greek, Cyrillic and Vietnamese put
// at most two on a letter; Zalgo text stacks dozens, which draw over the
// rows above and below. The marks of a run past the limit are all escaped,
// so some scripts that stack three or more (Hebrew with cantillation,
// Tibetan) show escapes too: readable, never hidden.
const MaxMarks = 2

// hidden are the characters outside the controls that hide or reorder
// text, besides Unicode's format characters (Cf): the line and paragraph
// separators and the Hangul fillers, which are letters that draw nothing.
var hidden = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x115f, Hi: 0x1160, Stride: 1},
		{Lo: 0x2028, Hi: 0x2029, Stride: 1},
		{Lo: 0x3164, Hi: 0x3164, Stride: 1},
		{Lo: 0xffa0, Hi: 0xffa0, Stride: 1},
	},
}

// Unsafe reports whether r must never reach a terminal raw, whatever
// surrounds it: a C0 control (newline and tab included), DEL, a C1
// control, a format character (Cf: the bidi controls, zero-width
// characters, the BOM, tag characters), U+2028, U+2029 or a Hangul
// filler. Combining marks depend on what precedes them: see EscapeAt.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0x80:
		return false
	case r < 0xa0:
		return true
	case r < 0x600: // the only format character below U+0600
		return r == 0xad
	}
	return unicode.In(r, unicode.Cf, hidden)
}

// isMark reports whether r combines with the character before it without
// taking a cell of its own.
func isMark(r rune) bool {
	return r >= 0x300 && unicode.In(r, unicode.Mn, unicode.Me)
}

// EscapeAt decodes the character that starts at s[i] and reports whether
// it must be escaped rather than written raw: when it is Unsafe, when it
// is not UTF-8 (r is utf8.RuneError and size 1), or when it is a combining
// mark with MaxMarks marks or more right before it in s.
func EscapeAt[T string | []byte](s T, i int) (r rune, size int, escape bool) {
	r, size = decode(s[i:])
	switch {
	case r == utf8.RuneError && size == 1:
		return r, size, true
	case r < utf8.RuneSelf:
		return r, size, r < 0x20 || r == 0x7f
	case 0x3400 <= r && r <= 0x9fff || 0xac00 <= r && r <= 0xd7a3: // CJK ideographs, Hangul syllables
		return r, size, false
	case isMark(r):
		return r, size, marksBefore(s[:i]) >= MaxMarks
	}
	return r, size, Unsafe(r)
}

// marksBefore counts the combining marks at the end of s, up to MaxMarks.
func marksBefore[T string | []byte](s T) int {
	n := 0
	for n < MaxMarks && len(s) > 0 {
		r, size := decodeLast(s)
		if !isMark(r) {
			break
		}
		n++
		s = s[:len(s)-size]
	}
	return n
}

func decode[T string | []byte](s T) (rune, int) {
	if len(s) > 0 && s[0] < utf8.RuneSelf {
		return rune(s[0]), 1
	}
	switch s := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(s)
	case []byte:
		return utf8.DecodeRune(s)
	}
	panic("unreachable")
}

func decodeLast[T string | []byte](s T) (rune, int) {
	if c := s[len(s)-1]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	switch s := any(s).(type) {
	case string:
		return utf8.DecodeLastRuneInString(s)
	case []byte:
		return utf8.DecodeLastRune(s)
	}
	panic("unreachable")
}

// Row makes s safe to draw on one terminal row. Every character EscapeAt
// escapes is written as a visible escape instead: \n, \r and \t, \x1b for
// the other C0 controls and DEL, \u202e (four hex digits) or \U000e0041
// (eight) for the rest, and \xff for a byte that is not UTF-8. Everything
// else is kept, so the result reads as s does and holds no line break. It
// is for reading, not for reading back: a backslash in s stays as it is.
// Text that needs no escape is returned as it is, without copying.
func Row(s string) string { return escape(s, false) }

// Lines is Row for text drawn over several rows: newlines are kept.
func Lines(s string) string { return escape(s, true) }

func escape(s string, keepNewlines bool) string {
	first := firstEscape(s, keepNewlines)
	if first < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:first])
	for i := first; i < len(s); {
		r, size, esc := EscapeAt(s, i)
		if esc && !(keepNewlines && r == '\n') {
			writeEscape(&b, r, size, s[i])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstEscape is the index of the first character escape rewrites, or -1.
func firstEscape(s string, keepNewlines bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size, esc := EscapeAt(s, i)
		if esc && !(keepNewlines && r == '\n') {
			return i
		}
		i += size
	}
	return -1
}

const hexDigits = "0123456789abcdef"

// writeEscape writes the visible escape of r, encoded in size bytes from
// c on: a byte that is not UTF-8 (utf8.RuneError, size 1) shows as itself.
func writeEscape(b *strings.Builder, r rune, size int, c byte) {
	switch {
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r < utf8.RuneSelf:
		b.Write([]byte{'\\', 'x', hexDigits[r>>4], hexDigits[r&0xf]})
	case r == utf8.RuneError && size == 1:
		b.Write([]byte{'\\', 'x', hexDigits[c>>4], hexDigits[c&0xf]})
	case r > 0xffff:
		b.WriteString(`\U`)
		writeHex(b, r, 8)
	default:
		b.WriteString(`\u`)
		writeHex(b, r, 4)
	}
}

func writeHex(b *strings.Builder, r rune, digits int) {
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}

// Clipboard is s as text to put on the clipboard, from where it is pasted
// into shells, editors and chat. Text stays text: letters, combining
// marks, bidi and zero-width characters, newlines and tabs are kept as
// they are, because the clipboard is for taking the text elsewhere, and
// right-to-left text needs its marks there. What a paste would make the
// receiving terminal or program do is not kept: the C0 controls other
// than newline and tab (ESC, BEL, NUL, BS…), DEL and the C1 controls are
// written as the visible escapes of Row (\x1b, \x07, \u009b), and so are
// bytes that are not UTF-8 (\xff). A CR right before a newline is dropped,
// so CRLF line ends paste as newlines; a CR anywhere else is written \r.
// A paste of the result can neither drive a terminal nor end a bracketed
// paste early (ESC [ 2 0 1 ~).
func Clipboard(s string) string {
	first := -1
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			i++
			continue
		}
		r, size := decode(s[i:])
		if clipEscapes(r, size) {
			first = i
			break
		}
		i += size
	}
	if first < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:first])
	for i := first; i < len(s); {
		r, size := decode(s[i:])
		switch {
		case !clipEscapes(r, size):
			b.WriteString(s[i : i+size])
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// CRLF: the newline that follows is kept
		default:
			writeEscape(&b, r, size, s[i])
		}
		i += size
	}
	return b.String()
}

// clipEscapes reports whether Clipboard rewrites the character r of the
// given encoded size.
func clipEscapes(r rune, size int) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0) || (r == utf8.RuneError && size == 1)
}
