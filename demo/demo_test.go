package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/demo"
	"mqscope/internal/brokertest"
	"mqscope/internal/demotest"
)

// The demo runs in its own vhost on the local broker (scripts/broker.sh).
const vhost = "/mqscope_test"

func client(t *testing.T) *connector.Client {
	t.Helper()
	brokertest.Need(t)
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
	demotest.Start(t, c, vhost, demo.Options{})
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
	demotest.Start(t, c, vhost, demo.Options{})
	err := demo.Run(context.Background(), c, vhost, demo.Options{Services: []string{"api"}})
	if err == nil || !strings.Contains(err.Error(), `queue "neon_api_input" in vhost "/mqscope_test" already has 1 consumer(s)`) {
		t.Fatalf("second demo: %v", err)
	}
}
