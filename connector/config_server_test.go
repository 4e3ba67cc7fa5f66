package connector

import (
	"strings"
	"testing"
)

// TestServerMustBeAHostName: the values people put in "server" by mistake
// (a URL, host:port, a bracketed IPv6 address, spaces) are refused when the
// file is read, with the cause and without quoting the value, instead of
// failing at connect time with a URL error that blames the password.
func TestServerMustBeAHostName(t *testing.T) {
	for _, ok := range []string{"localhost", "mq.example.org", "10.0.0.1", "::1", "fe80::1%eth0", "rabbit_1"} {
		if _, err := ParseConfig("f.json", []byte(`{"server": "`+ok+`"}`)); err != nil {
			t.Errorf("server %q: %v", ok, err)
		}
	}
	bad := map[string]string{
		"amqp://u:secret@host": "is a URL",
		"host:5672":            `looks like "host:port"`,
		"[::1]":                "without brackets",
		" host":                "spaces",
		"host\t":               "spaces",
		"mq/example":           "is not a host name",
		"user@host":            "is not a host name",
	}
	for value, want := range bad {
		_, err := ParseConfig("f.json", []byte(`{"server": "`+strings.ReplaceAll(value, "\t", `\t`)+`"}`))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("server %q: error %v, want it to say %q", value, err, want)
		}
		if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "password")) {
			t.Errorf("server %q: error %q quotes the value or blames the password", value, err)
		}
	}
}
