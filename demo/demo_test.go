package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// The demo runs in its own vhost on the local broker (scripts/broker.sh).
const vhost = "/mqscope_test"

func client(t *testing.T) *connector.Client {
	t.Helper()
	cfg, err := connector.ParseConfig("demo-test.json", []byte(`{"server": "127.0.0.1", "users": {"mq_handler": {}}}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := connector.NewClient(cfg, "mq_handler")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startDemo runs the demo services (no traffic) until the test ends and
// returns once they consume.
func startDemo(t *testing.T, c *connector.Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- Run(ctx, c, vhost, Options{Ready: func() { close(ready) }}) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("demo stopped: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("demo consumers never appeared")
	}
}

func request(t *testing.T, r *connector.Requester, queue, literal string) *neonwire.Dict {
	t.Helper()
	v, err := neonwire.ParseLiteral(literal)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := r.Request(context.Background(), queue, v, connector.RequestOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("%s %s: %v", queue, literal, err)
	}
	return resp.Value.(*neonwire.Dict)
}

func TestDemoServicesAnswerLikeNeon(t *testing.T) {
	c := client(t)
	startDemo(t, c)
	r, err := c.NewRequester(context.Background(), vhost, connector.RequesterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	cases := []struct{ queue, request, want string }{
		{"neon_api_input", "{'service': 'api_test_endpoint'}", "{'status_code': 200, 'content': 'Success', 'encoding': None, 'message_id': ID}"},
		{"neon_api_input", "{'service': 'weather'}", "{'status_code': 401, 'content': 'Unresolved service name: weather', 'encoding': 'utf-8', 'message_id': ID}"},
		{"neon_users_input", "{'operation': 'read', 'user_spec': 'carol'}", "{'success': False, 'error': 'User does not exist', 'code': 404, 'message_id': ID}"},
		{"chat_gpt_input", "{'query': 'hi', 'history': [('user', 'hello'), ('llm', 'hey')]}", "{'routing_key': RK, 'response': 'You said \"hi\". We have spoken 2 times before.', 'message_id': ID}"},
	}
	for _, tc := range cases {
		got := request(t, r, tc.queue, tc.request)
		id, _ := got.Get("message_id")
		want := strings.ReplaceAll(tc.want, "ID", neonwire.Repr(id))
		want = strings.ReplaceAll(want, "RK", neonwire.Repr(r.ReplyQueue()))
		if neonwire.Repr(got) != want {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.queue, tc.request, neonwire.Repr(got), want)
		}
	}
}

func TestDemoRefusesQueuesThatAlreadyHaveConsumers(t *testing.T) {
	c := client(t)
	startDemo(t, c)
	err := Run(context.Background(), c, vhost, Options{Services: []string{"api"}})
	if err == nil || !strings.Contains(err.Error(), `queue "neon_api_input" in vhost "/mqscope_test" already has 1 consumer(s)`) {
		t.Fatalf("second demo: %v", err)
	}
}

func TestDemoTrafficGeneratorGetsReplies(t *testing.T) {
	c := client(t)
	startDemo(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var stats trafficStats
	generate(ctx, c, vhost, ServiceNames, 20, &stats, func(string, ...any) {})
	// Requests still in flight at the end are cut off by ctx; every one that
	// finished must have been answered.
	if stats.sent.Load() < 20 || stats.failed.Load() != 0 || stats.replied.Load() < stats.sent.Load()-5 {
		t.Fatalf("sent %d, replied %d, failed %d", stats.sent.Load(), stats.replied.Load(), stats.failed.Load())
	}
}

func TestUnknownDemoServiceIsAnError(t *testing.T) {
	_, err := selectServices([]string{"api", "weather"})
	if err == nil || !strings.Contains(err.Error(), `unknown demo service "weather"`) {
		t.Fatalf("err = %v", err)
	}
}
