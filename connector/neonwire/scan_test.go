package neonwire

import (
	"math/rand/v2"
	"testing"
)

// TestPlainRunEndMatchesByteLoop compares the word-at-a-time scan with a
// plain loop on random text biased towards the bytes that end a run.
func TestPlainRunEndMatchesByteLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []byte{0x00, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff, '"', '\'', '\\', 'a'}
	for range 20000 {
		s := randomText(rng, special, 8)
		a, b := special[rng.IntN(len(special))], byte('\\')
		start := rng.IntN(len(s) + 1)
		want := start
		for want < len(s) && !(s[want] < 0x20 || s[want] >= 0x7f || s[want] == a || s[want] == b) {
			want++
		}
		if got := plainRunEnd(s, start, a, b); got != want {
			t.Fatalf("plainRunEnd(%q, %d, %q, %q) = %d, want %d", s, start, a, b, got, want)
		}
		if got := plainRunEnd(string(s), start, a, b); got != want {
			t.Fatalf("plainRunEnd(string) = %d, want %d", got, want)
		}
	}
}

// randomText is up to 40 bytes of printable ASCII with, one time in
// oneIn, a byte from special instead.
func randomText(rng *rand.Rand, special []byte, oneIn int) []byte {
	s := make([]byte, rng.IntN(40))
	for i := range s {
		if rng.IntN(oneIn) == 0 {
			s[i] = special[rng.IntN(len(special))]
		} else {
			s[i] = byte(0x20 + rng.IntN(0x5f))
		}
	}
	return s
}

// TestTextRunEndMatchesByteLoop does the same for the scan of a str
// literal's text, and checks that appendStrText copies that text and
// decodes one-letter escapes as a plain loop does.
func TestTextRunEndMatchesByteLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	special := []byte{0x00, 0x09, '\n', 0x0d, 0x0e, 0x7f, 0x80, 0xff, '"', '\'', '\\', 'n', 'x', 'a'}
	for range 20000 {
		s, quote := string(randomText(rng, special, 4)), []byte{'\'', '"'}[rng.IntN(2)]
		start := rng.IntN(len(s) + 1)
		want := start
		for want < len(s) && !(s[want] == quote || s[want] == '\\' || s[want] < 0x0e) {
			want++
		}
		if got := textRunEnd(s, start, quote); got != want {
			t.Fatalf("textRunEnd(%q, %d, %q) = %d, want %d", s, start, quote, got, want)
		}
		// appendStrText may stop early, at a backslash, but must decode
		// what it read exactly as a plain loop does.
		for _, room := range []int{0, 64} { // with and without room for whole words
			got, end := appendStrText(make([]byte, 0, room), s, start, quote)
			want, i := decodeStrText(s, start, end, quote)
			if i != end || string(got) != string(want) || (end < len(s) && s[end] != '\\' && s[end] != quote && s[end] >= 0x0e) {
				t.Fatalf("appendStrText(%q, %d, %q) = %q, %d; a plain loop reads %q up to %d", s, start, quote, got, end, want, i)
			}
			// With room, a one-letter escape that is not in the last word
			// is read in the word loop.
			if room > 0 && end+8 <= len(s) && s[end] == '\\' && simpleEscape(s[end+1]) != 0 {
				t.Fatalf("appendStrText(%q, %d, %q) stopped at a one-letter escape at %d", s, start, quote, end)
			}
		}
	}
}

// decodeStrText reads s from i up to limit, quote or a control character
// below 0x0e as a plain loop over a str literal's text with one-letter
// escapes, and returns the text and where it stopped.
func decodeStrText(s string, i, limit int, quote byte) ([]byte, int) {
	var text []byte
	for i < limit && s[i] != quote && s[i] >= 0x0e {
		if s[i] != '\\' {
			text = append(text, s[i])
			i++
			continue
		}
		if i+1 == len(s) || simpleEscape(s[i+1]) == 0 {
			break
		}
		text = append(text, simpleEscape(s[i+1]))
		i += 2
	}
	return text, i
}
