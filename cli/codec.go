package cli

import (
	"bufio"
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
	src, err := codecInput(fs.Arg(0), "encodes")
	if err != nil {
		return err
	}
	v, err := neonwire.ParseUserValue(src)
	if err != nil {
		return fmt.Errorf("encode: %v", err)
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
	src, err := codecInput(fs.Arg(0), "decodes")
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

// maxCodecInput bounds what encode and decode read: they take one message
// body, and reading whatever is piped in (a log, a dump) whole made 300 MB
// of input take 1.7 GB.
const maxCodecInput = 64 << 20

// codecInput returns arg, or stdin when arg is "-", refusing input longer
// than maxCodecInput. verb is what the command does ("decodes"), for the
// error.
func codecInput(arg, verb string) (string, error) {
	src := arg
	if arg == "-" {
		data, err := io.ReadAll(io.LimitReader(bufio.NewReader(os.Stdin), maxCodecInput+1))
		if err != nil {
			return "", fmt.Errorf("reading stdin: %w", err)
		}
		src = string(data)
	}
	if len(src) > maxCodecInput {
		return "", fmt.Errorf("input is larger than %d MiB; mqscope %s one message body at a time", maxCodecInput>>20, verb)
	}
	return src, nil
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
