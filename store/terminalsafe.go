package store

import (
	"unicode/utf8"

	"mqscope/internal/textsafe"
)

// escapeTerminalUnsafe rewrites, in the JSON text b, every non-ASCII
// character that must not reach a terminal raw (textsafe.EscapeAt: C1
// controls, bidi and zero-width characters, a run of combining marks past
// textsafe.MaxMarks…) as a JSON \u escape. It returns b itself when there
// is none. The JSON lines of `mqscope tail` go to terminals, and headers
// and properties come off the network: printed raw, U+009B starts a
// control sequence just as ESC [ does, and U+202E shows the rest of the
// line reversed. encoding/json, which renders them, escapes only the C0
// controls. Outside strings JSON text is ASCII, so every character found
// is inside a string and the escape reads back as the same character.
// DEL, which encoding/json leaves, stays: the line is encoding/json's byte
// for byte apart from these escapes, and terminals draw nothing for DEL.
func escapeTerminalUnsafe(b []byte) []byte {
	first := indexTerminalUnsafe(b)
	if first < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:first]...)
	for i := first; i < len(b); {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, size, escape := textsafe.EscapeAt(b, i)
		if escape && !(r == utf8.RuneError && size == 1) {
			out = textsafe.AppendJSONRune(out, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// indexTerminalUnsafe returns the offset of the first non-ASCII character
// of b that escapeTerminalUnsafe rewrites, or -1. Invalid UTF-8 is left:
// encoding/json never produces it.
func indexTerminalUnsafe(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size, escape := textsafe.EscapeAt(b, i)
		if escape && !(r == utf8.RuneError && size == 1) {
			return i
		}
		i += size
	}
	return -1
}
