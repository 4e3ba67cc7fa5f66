package neonwire

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A Python str is a sequence of code points, and unlike UTF-8 text it may
// hold surrogates (U+D800..U+DFFF) on their own: '\ud800', or
// '\ud83d\ude00', which is two code points and not the emoji U+1F600.
// The str Value keeps each surrogate code point as the three bytes that
// UTF-8's bit pattern gives it (ED A0 80..ED BF BF), one sequence per
// surrogate, as Python's 'surrogatepass' error handler writes them. Such a
// Go string is not valid UTF-8, and no valid UTF-8 text is read this way,
// so a str that holds no surrogate is plain UTF-8. Other invalid bytes,
// which no Python str can hold, still read as U+FFFD.

// surrogateLead is the first byte of every surrogate sequence.
const surrogateLead = 0xed

// isSurrogateSeq reports whether s[i:] starts with a surrogate sequence.
func isSurrogateSeq[T string | []byte](s T, i int) bool {
	return i+2 < len(s) && s[i] == surrogateLead && 0xa0 <= s[i+1] && s[i+1] <= 0xbf && s[i+2]&0xc0 == 0x80
}

// decodePyRune decodes the code point at s[i:], as utf8.DecodeRune does
// but reading surrogate sequences as the surrogate they stand for.
func decodePyRune[T string | []byte](s T, i int) (rune, int) {
	if isSurrogateSeq(s, i) {
		return 0xd000 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f), 3
	}
	switch x := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(x[i:])
	case []byte:
		return utf8.DecodeRune(x[i:])
	}
	return utf8.RuneError, 1
}

// appendPyRune appends a code point of a Python str, surrogates included.
func appendPyRune(dst []byte, r rune) []byte {
	if utf16.IsSurrogate(r) {
		return append(dst, surrogateLead, 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
	}
	return utf8.AppendRune(dst, r)
}

// surrogateAt is the offset of the first surrogate sequence in s, or -1.
// Text from JSON is scanned with it on every decode, so it skips to each
// lead byte rather than looking at every byte.
func surrogateAt(s string) int {
	for off := 0; ; {
		i := strings.IndexByte(s[off:], surrogateLead)
		if i < 0 {
			return -1
		}
		if isSurrogateSeq(s, off+i) {
			return off + i
		}
		off += i + 1
	}
}
