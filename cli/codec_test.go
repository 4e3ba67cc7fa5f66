package cli

import (
	"bytes"
	"testing"
)

// TestCodecRefusesInputOver64MiB: decode and encode take one message body;
// piped something larger (a log, a dump) they used to read it all (300 MB
// of input took 1.7 GB) and now stop after 64 MiB with one line.
func TestCodecRefusesInputOver64MiB(t *testing.T) {
	big := bytes.Repeat([]byte("I"), maxCodecInput+1)
	for _, verb := range []string{"decode", "encode"} {
		r := runBinaryStdin(t, big, verb, "-")
		checkOneLineError(t, r, "mqscope: input is larger than 64 MiB; mqscope "+verb+"s one message body at a time")
	}
}

// TestCodecTakesInputUpTo64MiB: the bound is past 64 MiB, not below: that
// much is read and decoded (here it is not a Neon body).
func TestCodecTakesInputUpTo64MiB(t *testing.T) {
	r := runBinaryStdin(t, bytes.Repeat([]byte("x"), maxCodecInput), "decode", "-")
	checkOneLineError(t, r, "mqscope: not a Neon body (text)")
}
