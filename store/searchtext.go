package store

import (
	"bytes"
	"unicode/utf8"

	"mqscope/connector/neonwire"
)

// searchText returns the lowercase text that body filters (plain words,
// body:, /regex/) search: the JSON rendering of a decoded Neon or
// base64-JSON value (what mqscope shows), the body itself for JSON and
// text, nothing for binary or an undecoded body.
//
// Why precompute it: a filter typed over a million messages must finish in
// a blink, and rendering each value again per scan costs about a
// microsecond a message (a second per keystroke at 1M). Keeping the text
// costs about 0.75 of a Neon body (the JSON is shorter than its base64 wire
// form) and nothing at all for lowercase JSON and text bodies, which share
// the body's bytes. BenchmarkMemoryPerMessage and BenchmarkFilterFullScan
// measure both sides of this trade.
func searchText(d neonwire.Decoded, body []byte) []byte {
	switch d.Encoding {
	case neonwire.EncBinary, EncUndecoded:
		return nil
	case neonwire.EncJSON, neonwire.EncText:
		return lowerShared(body)
	default:
		return lowerOwned(neonwire.ToJSON(d.Value))
	}
}

// lowerShared returns b lowercased, b itself when it has no upper case.
func lowerShared(b []byte) []byte {
	if !mayHaveUpper(b) {
		return b
	}
	return lowerOwned(bytes.Clone(b))
}

// lowerOwned lowercases b, which the caller owns, and returns it without
// spare capacity: the result is kept for the message's lifetime.
func lowerOwned(b []byte) []byte {
	if isASCII(b) {
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
	} else {
		b = bytes.ToLower(b)
	}
	if cap(b) == len(b) {
		return b
	}
	return append(make([]byte, 0, len(b)), b...)
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
