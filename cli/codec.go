package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"mqscope/connector/neonwire"
)

func runEncode(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("encode", "'{python or json dict}' | -")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("encode: give one JSON or Python literal (or - for stdin)")
	}
	v, err := readValue(fs.Arg(0), "encode")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", neonwire.Encode(v))
	return err
}

func runDecode(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("decode", "BASE64 | -")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("decode: give one wire body (or - for stdin)")
	}
	src, err := argOrStdin(fs.Arg(0))
	if err != nil {
		return err
	}
	body := []byte(strings.TrimSpace(src))
	d := neonwire.Decode(body)
	switch d.Encoding {
	case neonwire.EncNeon:
	case neonwire.EncB64JSON, neonwire.EncJSON:
		fmt.Fprintf(os.Stderr, "mqscope: note: body is %s, not Neon-encoded (real Neon services reject it)%s\n", d.Encoding, reason(d.Err))
	default:
		return notNeonError(d, body)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", neonwire.ToJSONIndent(d.Value, "  "))
	return err
}

// notNeonError says why decode cannot print a body: the decoder's reason
// when the body looked like an attempt at Neon, else where the strict
// reading failed ("not base64: …", "base64, but not JSON: …"), which also
// tells apart text from valid base64 of something else.
func notNeonError(d neonwire.Decoded, body []byte) error {
	err := d.Err
	if err == nil {
		_, err = neonwire.DecodeNeon(body)
	}
	return fmt.Errorf("not a Neon body (%s)%s", d.Encoding, reason(err))
}

// reason is ": err", or "" when err is nil.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}
