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
		s := make([]byte, rng.IntN(40))
		for i := range s {
			if rng.IntN(8) == 0 {
				s[i] = special[rng.IntN(len(special))]
			} else {
				s[i] = byte(0x20 + rng.IntN(0x5f))
			}
		}
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
