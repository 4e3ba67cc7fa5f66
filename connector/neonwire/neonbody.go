package neonwire

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// neonText is the fast path of Decode and DecodeNeon for the bodies Neon
// services send: the base64, with no line breaks inside it, of a JSON
// string and nothing else but blanks after it. It returns the string's
// text, or false for any other body; the general path (unbase64, then
// parseJSONDoc) then reads that body, and says what is wrong with it.
// Whenever neonText returns true, the general path gives the same text.
//
// The general path decodes the whole body into one buffer, checks that
// buffer is UTF-8, and unescapes it into another: for a 1 MB body, three
// passes over about 800 KB. neonText decodes the base64 a few KB at a
// time into a window, unescapes the window into a second one, checking
// UTF-8 as it goes, and appends that to the text: both windows stay in
// the CPU's cache.
func neonText(body []byte) (string, bool) {
	body = trimASCIISpace(body)
	if len(body) == 0 || body[0] != 'I' {
		// The base64 of a JSON string starts with that of '"', as looksNeon
		// knows: any other body (b64json's object, text, binary) would
		// have a window decoded here for nothing before the general path
		// decodes it again.
		return "", false
	}
	buf := getBuf()
	defer putBuf(buf)
	if cap(*buf) < 2*windowBytes {
		*buf = make([]byte, 2*windowBytes)
	}
	// The unescaped text of a window is never longer than the window.
	win, unescaped := (*buf)[:windowBytes], (*buf)[windowBytes:2*windowBytes]
	var (
		text   strings.Builder // grown once, and made a string without a copy
		u      jsonUnescaper
		carry  int // bytes of an escape or character cut by the last window's end
		opened bool
	)
	for {
		final := len(body) <= b64Window
		chunk := body[:min(len(body), b64Window)]
		body = body[len(chunk):]
		n, ok := decodeB64Chunk(win[carry:], chunk, final)
		if !ok {
			return "", false
		}
		src := win[:carry+n]
		if !opened {
			if len(src) == 0 || src[0] != '"' {
				return "", false
			}
			text.Grow(base64.StdEncoding.DecodedLen(len(chunk) + len(body)))
			src, opened = src[1:], true
		}
		n, used, ok := u.feed(unescaped, src, final)
		if !ok {
			return "", false
		}
		text.Write(unescaped[:n])
		if final {
			break
		}
		carry = copy(win, src[used:])
	}
	if !u.closed {
		return "", false
	}
	return text.String(), true
}

const (
	// b64Window is how many base64 characters neonText decodes at a time:
	// a multiple of 4, so that a window holds whole quanta.
	b64Window = 4096
	// jsonLookahead is the longest JSON escape, a surrogate pair
	// (\ud83d\ude00): an escape that starts fewer bytes than this before a
	// window's end is read with the next window.
	jsonLookahead = 12
	// windowBytes is the most a window holds: a decoded b64Window and
	// what the last one carried over.
	windowBytes = b64Window/4*3 + jsonLookahead
)

// decodeB64Chunk decodes one window of neonText's body into dst, which
// has room for it: the plain blocks that make up nearly all of a body
// with decodeB64Blocks, the rest with encoding/base64. Base64 decoders
// skip line breaks, and a padded quantum ends the data, so a window other
// than the last must decode to exactly three bytes for every four
// characters for the windows to read as the whole body does; false sends
// the body to the general path.
func decodeB64Chunk(dst, chunk []byte, final bool) (int, bool) {
	n, err := decodeBase64(dst, chunk)
	return n, err == nil && (final || n == len(chunk)/4*3)
}

// jsonUnescaper reads a JSON string after its opening quote, a window at
// a time, exactly as jsonParser.str does, and then the blanks that may
// follow it.
type jsonUnescaper struct {
	closed bool // the closing quote has been read
}

// feed unescapes src, the next window, into dst, which is at least as long
// (unescaping never lengthens text), and returns how many bytes it wrote.
// Unless final, it stops before an escape or a UTF-8 character that the
// window's end may cut, and returns where, for the next window to start
// with those bytes. false means the text is not a JSON string followed by
// blanks, or holds something the general path must explain (invalid
// UTF-8, a control character, a bad escape).
func (u *jsonUnescaper) feed(dst, src []byte, final bool) (n, used int, ok bool) {
	i := 0
	for i < len(src) && !u.closed {
		if n, i = unescapePlain(dst, src, n, i); i == len(src) {
			break
		}
		switch c := src[i]; {
		case c == '"':
			u.closed = true
			i++
		case c == '\\':
			if !final && len(src)-i < jsonLookahead {
				return n, i, true
			}
			size := 0
			if n, size = unescapeJSON(dst, src[i:], n); size == 0 {
				return n, i, false
			}
			i += size
		case c >= utf8.RuneSelf:
			if !final && len(src)-i < utf8.UTFMax {
				return n, i, true
			}
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size == 1 {
				return n, i, false
			}
			n += copy(dst[n:], src[i:i+size])
			i += size
		case c == 0x7f: // DEL is valid as it is
			dst[n] = c
			n, i = n+1, i+1
		default: // a control character
			return n, i, false
		}
	}
	for ; i < len(src); i++ {
		if !isJSONSpace(src[i]) {
			return n, i, false
		}
	}
	return n, i, true
}

// unescapePlain unescapes src from i into dst from n, up to the next byte
// that needs feed's attention: a quote, a control character, DEL or
// non-ASCII byte, an invalid escape, or anything near the window's end. It
// returns where it stopped in both. It handles what nearly all of a Neon
// body's JSON is made of: runs of plain ASCII and escapes, between which
// the runs are short (a JSON-escaped chat text has an escape every 20
// bytes). So it copies a word at a time, storing each word whole before it
// knows how much of it is plain (the bytes past the run are overwritten by
// what comes next), and decodes escapes without leaving the loop. It
// writes by index rather than append: dst is as long as src, and the text
// never gets ahead of the JSON, so every store fits.
func unescapePlain(dst, src []byte, n, i int) (int, int) {
	quotes, backslashes := uint64(lsbs*'"'), uint64(lsbs*'\\')
	for i+8 <= len(src) {
		w := load64(src, i)
		binary.LittleEndian.PutUint64(dst[n:n+8], w)
		m := specialBytes(w, quotes, backslashes)
		if m == 0 {
			n, i = n+8, i+8
			continue
		}
		k := firstFlagged(m)
		n, i = n+k, i+k
		if src[i] != '\\' || i+1 == len(src) {
			return n, i
		}
		if c := jsonSimpleEscape[src[i+1]]; c != 0 {
			dst[n] = c
			n, i = n+1, i+2
			continue
		}
		if src[i+1] == 'u' {
			// Half a chat text's escapes are \u escapes of characters
			// outside ASCII, nearly all below U+10000: decoded here.
			if r, ok := hex4At(src, i+2); ok && (r < 0xd800 || r >= 0xe000) {
				n, i = n+putBMP(dst[n:], r), i+6
				continue
			}
		}
		if len(src)-i < jsonLookahead {
			return n, i // feed knows whether the window's end cuts it
		}
		size := 0
		if n, size = unescapeJSON(dst, src[i:], n); size == 0 {
			return n, i
		}
		i += size
	}
	end := plainRunEnd(src, i, '"', '\\')
	return n + copy(dst[n:], src[i:end]), end
}

// unescapeJSON writes what the escape at the start of src stands for to
// dst from n, as jsonParser.escape reads it, and returns where it stopped
// writing and the escape's length; 0 if it is not a valid escape.
func unescapeJSON(dst, src []byte, n int) (int, int) {
	if len(src) < 2 {
		return n, 0
	}
	if c := jsonSimpleEscape[src[1]]; c != 0 {
		dst[n] = c
		return n + 1, 2
	}
	if src[1] != 'u' {
		return n, 0
	}
	r, size := jsonUEscape(src, 0)
	if size == 0 {
		return n, 0
	}
	return len(appendPyRune(dst[:n], r)), size
}

// putBMP writes the UTF-8 of r, a code point below U+10000 that is not a
// surrogate, to the start of dst, as utf8.EncodeRune does without its
// call, and returns its length.
func putBMP(dst []byte, r rune) int {
	switch {
	case r < 0x80:
		dst[0] = byte(r)
		return 1
	case r < 0x800:
		_ = dst[1]
		dst[0], dst[1] = 0xc0|byte(r>>6), 0x80|byte(r)&0x3f
		return 2
	}
	_ = dst[2]
	dst[0], dst[1], dst[2] = 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f
	return 3
}

// jsonSimpleEscape is the byte each one-letter JSON escape stands for
// (\" \\ \/ \b \f \n \r \t), and 0 for every other letter.
var jsonSimpleEscape = [256]byte{
	'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t',
}

// hex4At reads the four hex digits at src[i:] (for the general path's
// parser too, whose text may be a string).
func hex4At[T string | []byte](src T, i int) (rune, bool) {
	if len(src)-i < 4 {
		return 0, false
	}
	h := src[i : i+4]
	v := hexValue[h[0]]<<12 | hexValue[h[1]]<<8 | hexValue[h[2]]<<4 | hexValue[h[3]]
	return rune(v), v < 0x10000
}

// hexValue is the value of each hex digit, either case, and 0x10000 for
// every other byte, which keeps hex4At's result above 0xffff wherever it
// is shifted to: a table, because \u escapes are half the escapes in a
// chat text's JSON.
var hexValue = func() (t [256]uint32) {
	for c := range t {
		t[c] = 0x10000
		if d := digitValue(byte(c)); d < 16 {
			t[c] = uint32(d)
		}
	}
	return t
}()

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
