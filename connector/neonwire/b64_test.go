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

// TestDecodeBase64MatchesEncoding checks that decodeBase64 gives what
// base64.StdEncoding.Decode gives, bytes and error (with its offset), on
// random base64 with a character spoilt now and then and line breaks.
func TestDecodeBase64MatchesEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	corrupted := 0
	for range 3000 {
		data := make([]byte, rng.IntN(300))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		src := []byte(base64.StdEncoding.EncodeToString(data))
		if rng.IntN(3) == 0 && len(src) > 0 {
			src[rng.IntN(len(src))] = "*\n=\r-"[rng.IntN(5)]
		}
		want := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
		wn, werr := base64.StdEncoding.Decode(want, src)
		got := make([]byte, len(want))
		gn, gerr := decodeBase64(got, src)
		if werr != nil {
			corrupted++
		}
		if gerr != werr || gn != wn || !bytes.Equal(got[:gn], want[:wn]) {
			t.Fatalf("decodeBase64(%q) = %x, %v; encoding/base64 %x, %v", src, got[:gn], gerr, want[:wn], werr)
		}
	}
	if corrupted == 0 {
		t.Fatal("no input was corrupt: the errors were not compared")
	}
}
