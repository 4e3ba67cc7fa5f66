package textsafe

import "unicode/utf16"

// The escapes of JSON strings, in the one form both encoding/json and
// Python's json.dumps write: lowercase hex, the short escapes where JSON
// has one. The JSON writers differ in what they escape (Python's
// ensure_ascii escapes all non-ASCII, encoding/json only what JSON or
// JavaScript cannot hold, the display writer what EscapeAt says), not in
// how; each decides what, and these write it.

// AppendJSONEscape appends the escape of the ASCII byte c inside a JSON
// string: \" and \\, \b \f \n \r \t, and \u00XX for any other byte (the
// other C0 controls, DEL, or anything a writer chooses to escape).
func AppendJSONEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// AppendJSONRune appends r as \uXXXX, or as a UTF-16 surrogate pair of
// two such escapes above U+FFFF.
func AppendJSONRune(dst []byte, r rune) []byte {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		return appendU(appendU(dst, hi), lo)
	}
	return appendU(dst, r)
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
