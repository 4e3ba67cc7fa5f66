package neonwire

import "math/bits"

// The codec's hot loops copy long runs of plain ASCII. plainRunEnd finds
// the end of such a run eight bytes at a time, with the classic SWAR tests
// for "some byte is below n", "above n" and "equal to c" on a 64-bit word.
// Each test can flag a byte wrongly only above one it flags rightly (a
// borrow or carry spreads upwards from a byte that is itself a match), so
// the lowest flagged byte of a word is exactly the first match in it: the
// scans return its index directly instead of going over the word again a
// byte at a time. Runs between escapes are short (a JSON-escaped chat text
// has a backslash every 15 bytes or so), which makes that matter.

const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// plainRunEnd returns the index of the first byte at or after i that is a
// control character (below 0x20), DEL or non-ASCII (0x7f and above), or
// equal to a or b; len(s) if there is none.
func plainRunEnd[T string | []byte](s T, i int, a, b byte) int {
	aa, bb := lsbs*uint64(a), lsbs*uint64(b) // hoisted: the compiler does not
	for ; i+8 <= len(s); i += 8 {
		if m := specialBytes(load64(s, i), aa, bb); m != 0 {
			return i + firstFlagged(m)
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
// end a run of a str literal's text: quote, backslash, or a control
// character below 0x0e, which include the line ends (the others stand for
// themselves, and are rare enough to be passed one by one); len(s) if
// there is none. Unlike plainRunEnd it passes over UTF-8 and other
// controls, which stand for themselves in a str literal, so text with
// non-ASCII characters is scanned a word at a time rather than a byte.
func textRunEnd(s string, i int, quote byte) int {
	quotes := lsbs * uint64(quote)
	for ; i+8 <= len(s); i += 8 {
		if m := textStopBytes(load64(s, i), quotes); m != 0 {
			return i + firstFlagged(m)
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == quote || c == '\\' || c < 0x0e {
			return i
		}
	}
	return i
}

// textStopBytes flags (see firstFlagged) the bytes of w that textRunEnd
// stops at: the byte repeated in quotes, a backslash, or one below 0x0e
// (one test covers \n and \r, cheaper than testing for each).
func textStopBytes(w, quotes uint64) uint64 {
	below := (w - lsbs*0x0e) &^ w
	return (below | zeroBytes(w^quotes) | zeroBytes(w^(lsbs*'\\'))) & msbs
}

// load64 reads s[i:i+8] as a little-endian word, so that s[i] is its
// lowest byte; the compiler turns it into one load.
func load64[T string | []byte](s T, i int) uint64 {
	q := s[i : i+8]
	return uint64(q[0]) | uint64(q[1])<<8 | uint64(q[2])<<16 | uint64(q[3])<<24 |
		uint64(q[4])<<32 | uint64(q[5])<<40 | uint64(q[6])<<48 | uint64(q[7])<<56
}

// firstFlagged is the index in its word of the lowest byte whose top bit
// is set in m, which is not 0.
func firstFlagged(m uint64) int { return bits.TrailingZeros64(m) >> 3 }

// specialBytes flags (top bit set, see firstFlagged) the bytes of w that
// are below 0x20, at or above 0x7f, or equal to the byte repeated in aa or
// bb; 0 if there are none.
func specialBytes(w, aa, bb uint64) uint64 {
	below := (w - lsbs*0x20) &^ w
	above := (w + lsbs) | w // 0x7f+1 and every byte from 0x80 set the top bit
	return (below | above | zeroBytes(w^aa) | zeroBytes(w^bb)) & msbs
}

// zeroBytes sets the top bit of (at least) the lowest zero byte of v.
func zeroBytes(v uint64) uint64 {
	return (v - lsbs) &^ v
}
