package neonwire

// The codec's hot loops copy long runs of plain ASCII. plainRunEnd finds
// the end of such a run eight bytes at a time, with the classic SWAR tests
// for "some byte is below n", "above n" and "equal to c" on a 64-bit word.

const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// plainRunEnd returns the index of the first byte at or after i that is a
// control character (below 0x20), DEL or non-ASCII (0x7f and above), or
// equal to a or b; len(s) if there is none.
func plainRunEnd[T string | []byte](s T, i int, a, b byte) int {
	for ; i+8 <= len(s); i += 8 {
		q := s[i : i+8]
		w := uint64(q[0]) | uint64(q[1])<<8 | uint64(q[2])<<16 | uint64(q[3])<<24 |
			uint64(q[4])<<32 | uint64(q[5])<<40 | uint64(q[6])<<48 | uint64(q[7])<<56
		if hasSpecial(w, a, b) {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == a || c == b {
			return i
		}
	}
	return i
}

// textRunEnd returns the index of the first byte at or after i that can
// end a run of a str literal's text: quote, backslash, or a line end;
// len(s) if there is none. Unlike plainRunEnd it passes over UTF-8 and
// other controls, which stand for themselves in a str literal, so text with
// non-ASCII characters is scanned a word at a time rather than a byte.
func textRunEnd(s string, i int, quote byte) int {
	for ; i+8 <= len(s); i += 8 {
		q := s[i : i+8]
		w := uint64(q[0]) | uint64(q[1])<<8 | uint64(q[2])<<16 | uint64(q[3])<<24 |
			uint64(q[4])<<32 | uint64(q[5])<<40 | uint64(q[6])<<48 | uint64(q[7])<<56
		if (zeroBytes(w^lsbs*uint64(quote))|zeroBytes(w^lsbs*'\\')|zeroBytes(w^lsbs*'\n')|zeroBytes(w^lsbs*'\r'))&msbs != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == quote || c == '\\' || c == '\n' || c == '\r' {
			return i
		}
	}
	return i
}

// hasSpecial reports whether some byte of w is below 0x20, at or above
// 0x7f, or equal to a or b. Borrows and carries only spread from a byte
// that is itself special, so the answer for the whole word is exact.
func hasSpecial(w uint64, a, b byte) bool {
	below := (w - lsbs*0x20) &^ w
	above := (w + lsbs) | w // 0x7f+1 and every byte from 0x80 set the top bit
	return (below|above|zeroBytes(w^lsbs*uint64(a))|zeroBytes(w^lsbs*uint64(b)))&msbs != 0
}

// zeroBytes sets the top bit of (at least) the lowest zero byte of v.
func zeroBytes(v uint64) uint64 {
	return (v - lsbs) &^ v
}
