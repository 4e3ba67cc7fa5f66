package observe

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/internal/brokertest"
)

// readOnlyVHost creates a vhost of the test's own, tracing off, with all
// permissions for the test user, deleted when the test ends: the tracer
// of the shared test vhosts is other tests' business.
func readOnlyVHost(t *testing.T, admin *Broker) string {
	t.Helper()
	vhost := "/" + brokertest.Name("mqscope_ro")
	path := "/api/vhosts/" + url.PathEscape(vhost)
	if err := admin.Mgmt.do(testContext(t), "PUT", path, map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Mgmt.do(testContext(t), "DELETE", path, nil, nil) })
	perms := map[string]string{"configure": ".*", "write": ".*", "read": ".*"}
	if err := admin.Mgmt.do(testContext(t), "PUT", "/api/permissions/"+url.PathEscape(vhost)+"/"+admin.User(), perms, nil); err != nil {
		t.Fatal(err)
	}
	return vhost
}

// TestReadOnlyFirehoseNeverSwitchesTheTracer: with the tracer off, a
// read-only firehose refuses to start, says why and how to leave
// read-only mode, and the tracer stays off; with it on, the firehose uses
// it and leaves it on when it stops.
func TestReadOnlyFirehoseNeverSwitchesTheTracer(t *testing.T) {
	b := testClient(t)
	vhost := readOnlyVHost(t, b)
	b.ReadOnly = &ReadOnly{Leave: "run mqscope without --read-only"}
	spec := WatchSpec{VHost: vhost, Mode: capture.ModeFirehose}
	_, err := b.Watch(testContext(t), spec, nil, nil)
	var ro *ReadOnlyError
	if !errors.As(err, &ro) || !strings.HasPrefix(err.Error(), `read-only: the firehose of vhost "`+vhost+`" needs the broker's tracer, which is off`) ||
		!strings.HasSuffix(err.Error(), "; to leave read-only mode, run mqscope without --read-only") {
		t.Fatalf("read-only firehose with the tracer off: %v", err)
	}
	if tracing(t, b, vhost) {
		t.Fatal("read-only mqscope switched the tracer on")
	}
	if err := b.Mgmt.SetTracing(testContext(t), vhost, true); err != nil {
		t.Fatal(err)
	}
	w, err := b.Watch(testContext(t), spec, nil, nil)
	if err != nil {
		t.Fatalf("read-only firehose with the tracer on: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !tracing(t, b, vhost) {
		t.Fatal("read-only mqscope switched the tracer off")
	}
}

// TestReadOnlyRefusesConsumeAndPeek: the modes that take messages are
// refused before anything is dialled.
func TestReadOnlyRefusesConsumeAndPeek(t *testing.T) {
	cfg, err := connector.ParseConfig("f.json", []byte(`{"server": "nowhere.invalid", "users": {"mq_handler": {}}}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := connector.NewClient(cfg, "mq_handler")
	if err != nil {
		t.Fatal(err)
	}
	b := NewBroker(c, "http://nowhere.invalid:15672")
	b.ReadOnly = &ReadOnly{Leave: "set x to false"}
	for _, mode := range []capture.Mode{capture.ModeConsume, capture.ModePeek} {
		_, err := b.Watch(testContext(t), WatchSpec{VHost: "/v", Queue: "q", Mode: mode}, nil, nil)
		if want := "read-only: " + string(mode) + " takes messages"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %q", mode, err, want)
		}
	}
}

// TestReadOnlySessionSendsNoRequest: a read-only session watches but its
// Request is refused, and nothing is published.
func TestReadOnlySessionSendsNoRequest(t *testing.T) {
	b := testClient(t)
	b.ReadOnly = &ReadOnly{Leave: "run mqscope without --read-only"}
	var sent int
	sess, err := b.OpenSession(testContext(t), SessionOptions{VHost: testVHost, Sink: func(m capture.Message) {
		if m.Mode == capture.ModeSent {
			sent++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	_, err = sess.Request(testContext(t), "neon_api_input", dictOf("q", "x"), connector.RequestOptions{})
	if want := `read-only: a request would publish to queue "neon_api_input"; to leave read-only mode, run mqscope without --read-only`; err == nil || err.Error() != want {
		t.Fatalf("Request: %v, want %q", err, want)
	}
	if sent != 0 {
		t.Fatalf("%d requests were published", sent)
	}
}
