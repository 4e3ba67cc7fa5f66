package store

import (
	"bytes"
	"unicode/utf8"

	"mqscope/connector/neonwire"
)

// appendSearchText returns the lowercase text that body filters (plain
// words, body:, /regex/) search: the JSON rendering of a decoded Neon or
// base64-JSON value (what mqscope shows), the body itself for JSON and
// text, nothing for binary or an undecoded body. A rendering is appended to
// buf, which is returned for reuse; the text may be buf's bytes or the
// body's, and is valid until buf is next appended to.
//
// Why it is rendered when a filter asks rather than kept with each
// message: keeping it cost about 150 bytes per Neon message (three
// quarters of its body) and a JSON rendering per message as it arrived,
// whether or not anyone ever filtered. Rendering into a reused buffer
// costs about half a microsecond a message per scan, and a view scans in
// bounded chunks (view.go), so a filter over a million messages still
// shows its first screen at once and completes in the background.
// BenchmarkFilterFullScan measures the scan.
func appendSearchText(buf []byte, enc neonwire.Encoding, value neonwire.Value, body []byte) (text, grown []byte) {
	switch enc {
	case neonwire.EncBinary, EncUndecoded:
		return nil, buf
	case neonwire.EncJSON, neonwire.EncText:
		if !mayHaveUpper(body) {
			return body, buf
		}
		buf = lowerInPlace(append(buf[:0], body...))
		return buf, buf
	default:
		buf = lowerInPlace(neonwire.AppendJSON(buf[:0], value))
		return buf, buf
	}
}

// lowerInPlace lowercases b, which the caller owns; non-ASCII text is
// lowercased into a new slice.
func lowerInPlace(b []byte) []byte {
	if !isASCII(b) {
		return bytes.ToLower(b)
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// mayHaveUpper reports whether lowercasing could change b.
func mayHaveUpper(b []byte) bool {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
