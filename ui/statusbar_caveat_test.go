package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"mqscope/connector"
)

// A watch that is connected with a caveat (observe.Watch: the queue does
// not exist, the tracer's state is unknown) shows it on the alert line,
// after any failure.
func TestAlertLineShowsTheCaveatOfAConnectedWatch(t *testing.T) {
	c := newConns()
	c.update(connector.State{Worker: "firehose /v q", Kind: connector.StateConnected, Err: errors.New(`no queue "q" in vhost "/v" (yet)`)})
	if got := c.problem(time.Now()); got != `⚠ firehose /v q: no queue "q" in vhost "/v" (yet)` {
		t.Fatalf("alert line %q", got)
	}
	c.update(connector.State{Worker: "consume /v p", Kind: connector.StateFailed, Err: errors.New("boom")})
	if got := c.problem(time.Now()); !strings.HasPrefix(got, "✖ consume /v p failed") {
		t.Fatalf("alert line %q, want the failure first", got)
	}
}
