package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/demo"
	"mqscope/internal/brokertest"
	"mqscope/internal/demotest"
)

// tailVerdicts runs tail on the whole vhost while send runs, for a few
// seconds, and returns the verdict lines it printed.
func tailVerdicts(t *testing.T, path string, send func(), args ...string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		time.Sleep(time.Second) // once tail watches
		send()
	}()
	out, code, msg := run(t, ctx, append([]string{"tail", "--config", path, "--vhost", cliVHost}, args...)...)
	<-sent
	if code != 0 {
		t.Fatalf("tail exit %d: %s", code, msg)
	}
	var verdicts []map[string]any
	for _, l := range jsonLines(t, out) {
		if l["event"] == "verdict" {
			verdicts = append(verdicts, l)
		}
	}
	return verdicts
}

// about keeps the verdicts of one request: the vhost is shared with other
// tests' traffic.
func about(verdicts []map[string]any, id string) []map[string]any {
	var mine []map[string]any
	for _, v := range verdicts {
		if v["message_id"] == id {
			mine = append(mine, v)
		}
	}
	return mine
}

// sendRequest sends one request with the library and gives up after wait.
func sendRequest(t *testing.T, c *connector.Client, queue string, wait time.Duration) string {
	req, err := c.NewRequester(brokertest.Context(t), cliVHost, connector.RequesterOptions{})
	if err != nil {
		t.Error(err)
		return ""
	}
	defer req.Close()
	body := &neonwire.Dict{}
	body.Set("service", "api_test_endpoint")
	body.Set("message_id", connector.NewMessageID())
	id, _ := body.Get("message_id")
	_, _ = req.Request(context.Background(), queue, body, connector.RequestOptions{Timeout: wait})
	return id.(string)
}

func TestTailSaysARequestToAQueueWithoutConsumerExpired(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	queue := brokertest.Queue(t, cliVHost, "noconsumer")
	var id string
	verdicts := about(tailVerdicts(t, path, func() { id = sendRequest(t, c, queue, 2*time.Second) }), id)
	if len(verdicts) != 1 || verdicts[0]["verdict"] != "expired" || verdicts[0]["message_id"] != id || verdicts[0]["queue"] != queue {
		t.Fatalf("verdicts %v; want one expired for %s", verdicts, id)
	}
	if d, _ := verdicts[0]["detail"].(string); !strings.Contains(d, "never delivered before its 1000 ms expiration") {
		t.Fatalf("detail %q", d)
	}
}

func TestTailSaysReplied(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	demotest.Start(t, c, cliVHost, demo.Options{Services: []string{"api"}})
	var id string
	mine := about(tailVerdicts(t, path, func() { id = sendRequest(t, c, "neon_api_input", 3*time.Second) }), id)
	if len(mine) != 1 || mine[0]["verdict"] != "replied" || mine[0]["latency_ms"] == nil {
		t.Fatalf("verdicts for %s: %v", id, mine)
	}
}

func TestTailSaysNoReplyAfterTheWindow(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	queue := brokertest.Queue(t, cliVHost, "silent")
	ch := brokertest.Channel(t, cliVHost)
	deliveries, err := ch.Consume(queue, "", true, false, false, false, nil) // takes requests, never answers
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range deliveries {
		}
	}()
	var id string
	verdicts := about(tailVerdicts(t, path, func() { id = sendRequest(t, c, queue, 500*time.Millisecond) }, "--reply-window", "2s"), id)
	if len(verdicts) != 1 || verdicts[0]["verdict"] != "no_reply" || verdicts[0]["message_id"] != id {
		t.Fatalf("verdicts %v; want one no_reply for %s", verdicts, id)
	}
	if d, _ := verdicts[0]["detail"].(string); !strings.Contains(d, "delivered to connection") {
		t.Fatalf("detail %q does not name the consumer's connection", d)
	}
}

func TestWhyReadsTheTimelineFromARecording(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	demotest.Start(t, c, cliVHost, demo.Options{Services: []string{"api"}})
	silent := brokertest.Queue(t, cliVHost, "why_silent")
	db := t.TempDir() + "/why.db"
	var replied, expired string
	tailVerdicts(t, path, func() {
		replied = sendRequest(t, c, "neon_api_input", 3*time.Second)
		expired = sendRequest(t, c, silent, 2*time.Second)
	}, "--record", db)

	out, code, msg := run(t, context.Background(), "why", replied, "--record", db)
	if code != 0 || !strings.Contains(out, "verdict replied") || !strings.Contains(out, `request delivered from "neon_api_input" to connection`) ||
		!strings.Contains(out, "reply published to") {
		t.Fatalf("why replied: exit %d %s\n%s", code, msg, out)
	}
	out, code, _ = run(t, context.Background(), "why", expired, "--record", db)
	if code != 1 || !strings.Contains(out, "+1.00 s  verdict expired") || strings.Contains(out, "request delivered") {
		t.Fatalf("why expired: exit %d\n%s", code, out)
	}
	_, code, msg = run(t, context.Background(), "why", "00000000000000000000000000000000", "--record", db)
	if code != 1 || !strings.Contains(msg, "no request with message_id 00000000000000000000000000000000") {
		t.Fatalf("why unknown: exit %d %s", code, msg)
	}
}

func TestTailSaysARequestToAFullRejectPublishQueueWasRefused(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	queue := brokertest.Name("full")
	ch := brokertest.Channel(t, cliVHost)
	if _, err := ch.QueueDeclare(queue, false, false, false, false, amqp.Table{"x-max-length": int32(1), "x-overflow": "reject-publish"}); err != nil {
		t.Fatal(err)
	}
	brokertest.DeleteAtEnd(t, cliVHost, queue)
	brokertest.Publish(t, ch, "", queue, amqp.Publishing{Body: []byte("fills it")})
	var id string
	verdicts := about(tailVerdicts(t, path, func() { id = sendRequest(t, c, queue, 2*time.Second) }), id)
	if len(verdicts) != 1 || verdicts[0]["verdict"] != "refused" {
		t.Fatalf("verdicts %v; want one refused", verdicts)
	}
	if d, _ := verdicts[0]["detail"].(string); !strings.Contains(d, "is full") || !strings.Contains(d, "reject-publish") {
		t.Fatalf("detail %q", d)
	}
}

// fakeService consumes queue and, after delay, publishes what reply makes
// of each request to the request's routing_key, as a Neon service would.
func fakeService(t *testing.T, queue string, delay time.Duration, reply func(req *neonwire.Dict) *neonwire.Dict) {
	t.Helper()
	ch := brokertest.Channel(t, cliVHost)
	deliveries, err := ch.Consume(queue, "", true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for d := range deliveries {
			v, err := neonwire.DecodeNeon(d.Body)
			req, ok := v.(*neonwire.Dict)
			if err != nil || !ok {
				continue
			}
			rk, _ := req.Get("routing_key")
			time.Sleep(delay)
			_ = ch.Publish("", rk.(string), false, false, amqp.Publishing{Body: neonwire.Encode(reply(req)), Expiration: "1000"})
		}
	}()
}

// answer is a reply carrying the request's message_id.
func answer(pairs ...any) func(req *neonwire.Dict) *neonwire.Dict {
	return func(req *neonwire.Dict) *neonwire.Dict {
		d := &neonwire.Dict{}
		for i := 0; i < len(pairs); i += 2 {
			d.Set(pairs[i].(string), pairs[i+1])
		}
		if _, set := d.Get("message_id"); !set {
			id, _ := req.Get("message_id")
			d.Set("message_id", id)
		}
		return d
	}
}

func TestTailVerdictsForEachWayAReplyGoesWrong(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	cases := []struct {
		name   string
		delay  time.Duration
		reply  func(*neonwire.Dict) *neonwire.Dict
		wait   time.Duration // how long the caller waits
		queue  string        // "" : a fake service's queue
		want   []string
		window string // the reply window, default 2s
	}{
		{name: "error_reply", reply: answer("status_code", int64(401), "content", "Unresolved service name: x"), wait: 2 * time.Second, want: []string{"error_reply"}},
		{name: "unroutable", queue: "mqscope_test.nosuchqueue", wait: 2 * time.Second, want: []string{"unroutable"}},
		// A window longer than the reply's delay: the verdict is about where
		// the reply went, not when.
		{name: "reply_unroutable", delay: 1500 * time.Millisecond, reply: answer("content", "too late"), wait: 300 * time.Millisecond, want: []string{"reply_unroutable"}, window: "10s"},
		{name: "late_reply", delay: 2500 * time.Millisecond, reply: answer("content", "late"), wait: 4 * time.Second, want: []string{"no_reply", "late_reply"}},
		{name: "id_mismatch", reply: answer("content", "x", "message_id", "somebody-else"), wait: 2500 * time.Millisecond, want: []string{"id_mismatch"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			queue := tc.queue
			if queue == "" {
				queue = brokertest.Queue(t, cliVHost, tc.name)
				fakeService(t, queue, tc.delay, tc.reply)
			}
			window := tc.window
			if window == "" {
				window = "2s"
			}
			var id string
			verdicts := about(tailVerdicts(t, path, func() { id = sendRequest(t, c, queue, tc.wait) }, "--reply-window", window), id)
			var got []string
			for _, v := range verdicts {
				got = append(got, v["verdict"].(string))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("verdicts %v, want %v (%v)", got, tc.want, verdicts)
			}
		})
	}
}

func TestRequestToAQueueWithoutConsumerFailsAfterItsExpiration(t *testing.T) {
	path := writeConfig(t, "guest")
	queue := brokertest.Queue(t, cliVHost, "nobody_home")
	r := runBinary(t, "request", "--config", path, "--vhost", cliVHost, "--queue", queue, "--json", `{"q": 1}`, "--timeout", "60s")
	if r.code != 1 || !strings.Contains(r.stderr, `mqscope: no consumer on "`+queue+`": the request will expire after 1000 ms`) ||
		!strings.Contains(r.stderr, "the request expired after 1000 ms (give --wait") {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
}

func TestWhyWatchesTheVHostForTheRequest(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	demotest.Start(t, c, cliVHost, demo.Options{Services: []string{"api"}})
	id := connector.NewMessageID()
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		time.Sleep(time.Second) // once why watches
		req, err := c.NewRequester(brokertest.Context(t), cliVHost, connector.RequesterOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		defer req.Close()
		body := &neonwire.Dict{}
		body.Set("service", "api_test_endpoint")
		body.Set("message_id", id)
		_, _ = req.Request(context.Background(), "neon_api_input", body, connector.RequestOptions{Timeout: 5 * time.Second})
	}()
	out, code, msg := run(t, brokertest.Context(t), "why", id, "--config", path, "--vhost", cliVHost, "--reply-window", "5s")
	<-sent
	if code != 0 || !strings.Contains(out, "request "+id) || !strings.Contains(out, "verdict replied") {
		t.Fatalf("why --vhost: exit %d %s\n%s", code, msg, out)
	}
}
