package neonwire

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// TestDecodeB64BlocksMatchesEncoding checks the table decoder against
// encoding/base64 on random bytes, every value of every byte included,
// and that it reads every whole block of plain base64, stopping only at a
// block holding padding or a character outside the alphabet.
func TestDecodeB64BlocksMatchesEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		data := make([]byte, rng.IntN(200))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		src := []byte(base64.StdEncoding.EncodeToString(data))
		plain := len(bytes.TrimRight(src, "=")) / 16 * 16
		if rng.IntN(4) == 0 && len(src) > 0 {
			src[rng.IntN(len(src))] = "*\n= "[rng.IntN(4)]
			plain = min(plain, bytes.IndexAny(src, "*\n= ")/16*16)
		}
		dst := make([]byte, len(src)+16)
		n, read := decodeB64Blocks(dst, src)
		if read != plain {
			t.Fatalf("decodeB64Blocks read %d of %q, want %d", read, src, plain)
		}
		want := make([]byte, len(src))
		m, err := base64.StdEncoding.Decode(want, src[:read])
		if err != nil || !bytes.Equal(dst[:n], want[:m]) {
			t.Fatalf("decodeB64Blocks(%q) = %x, encoding/base64 %x (%v)", src[:read], dst[:n], want[:m], err)
		}
	}
}
