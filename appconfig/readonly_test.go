package appconfig

import (
	"testing"
)

func TestReadOnlyIsPerFileAndSaysHowToLeaveIt(t *testing.T) {
	cases := []struct {
		text, leave string
	}{
		{`{"users": {"a": {}}}`, ""},
		{`{"users": {"a": {}}, "mqscope": {"read_only": false}}`, ""},
		{`{"users": {"a": {}}, "mqscope": {"read_only": true}}`, `set "mqscope.read_only" to false in /etc/prod.json`},
		{`{"MQ": {"users": {"a": {}}, "mqscope": {"read_only": true}}}`, `set "MQ.mqscope.read_only" to false in /etc/prod.json`},
	}
	for _, tc := range cases {
		c, err := Parse("/etc/prod.json", []byte(tc.text))
		if err != nil {
			t.Fatal(err)
		}
		if got := leaveOf(c); got != tc.leave {
			t.Errorf("%s: read-only %q, want %q", tc.text, got, tc.leave)
		}
		b, err := c.NewBroker("a")
		if err != nil {
			t.Fatal(err)
		}
		if b.ReadOnly != c.ReadOnly {
			t.Errorf("%s: the broker is not read-only as the config", tc.text)
		}
		c.SetReadOnlyFlag()
		want := "run mqscope without --read-only"
		if tc.leave != "" {
			want += " and " + tc.leave
		}
		if got := leaveOf(c); got != want {
			t.Errorf("%s with --read-only: %q, want %q", tc.text, got, want)
		}
	}
}

// leaveOf is how to leave the config's read-only mode, "" when it has none.
func leaveOf(c *Config) string {
	if c.ReadOnly == nil {
		return ""
	}
	return c.ReadOnly.Leave
}
