package connector

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector/neonwire"
	"mqscope/internal/brokertest"
)

// startEcho runs an echo service on queue and returns when its consumer is
// ready.
func startEcho(t *testing.T, c *Client, queue string, answer Handler) *Service {
	t.Helper()
	svc := newEcho(t, c, queue, answer)
	runService(t, svc, queue)
	return svc
}

// newEcho builds (without starting) a service on queue whose handler is
// answer, by default one that replies {'echo': <request's q>}.
func newEcho(t *testing.T, c *Client, queue string, answer Handler) *Service {
	t.Helper()
	if answer == nil {
		answer = func(ctx context.Context, d *Delivery) error {
			q, _ := d.Value.(*neonwire.Dict).Get("q")
			return d.Reply(ctx, dictOf("echo", q))
		}
	}
	svc := NewService(c, testVHost)
	if err := svc.AddConsumer(Consumer{Name: "echo", Queue: queue, Handler: answer}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// runService runs svc until the test ends, once its consumer is ready.
func runService(t *testing.T, svc *Service, queue string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitConsumers(t, svc.client, queue, 1)
}

// waitConsumers waits until queue has n consumers.
func waitConsumers(t *testing.T, c *Client, queue string, n int) {
	t.Helper()
	brokertest.WaitUntil(t, fmt.Sprintf("%d consumer(s) on %s", n, queue), 15*time.Second, func() bool {
		return brokertest.Inspect(t, testVHost, queue).Consumers >= n
	})
}

func newRequester(t *testing.T, c *Client, opts RequesterOptions) *Requester {
	t.Helper()
	r, err := c.NewRequester(testContext(t), testVHost, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func dictOf(kv ...any) *neonwire.Dict {
	d := &neonwire.Dict{}
	for i := 0; i < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

func TestRequestRoundTripFillsMessageIDAndRoutingKey(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "echo")
	var seen *neonwire.Dict
	startEcho(t, c, queue, func(ctx context.Context, d *Delivery) error {
		seen = d.Value.(*neonwire.Dict)
		return d.Reply(ctx, dictOf("echo", "pong"))
	})
	r := newRequester(t, c, RequesterOptions{})
	resp, err := r.Request(testContext(t), queue, dictOf("q", "ping"), RequestOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := resp.Value.(*neonwire.Dict).Get("echo"); got != "pong" {
		t.Fatalf("reply = %s", neonwire.Repr(resp.Value))
	}
	id, _ := seen.Get("message_id")
	rk, _ := seen.Get("routing_key")
	if id != resp.MessageID || len(resp.MessageID) != 32 {
		t.Errorf("service saw message_id %v, response has %q", id, resp.MessageID)
	}
	if rk != r.ReplyQueue() {
		t.Errorf("service saw routing_key %v, want the reply queue %q", rk, r.ReplyQueue())
	}
	if got, _ := resp.Value.(*neonwire.Dict).Get("message_id"); got != resp.MessageID {
		t.Errorf("Reply did not copy message_id: %v", got)
	}
	if resp.Latency <= 0 {
		t.Errorf("latency %v", resp.Latency)
	}
}

func TestRequestKeepsCallersMessageID(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "echo")
	startEcho(t, c, queue, nil)
	r := newRequester(t, c, RequesterOptions{})
	resp, err := r.Request(testContext(t), queue, dictOf("q", 1, "message_id", "mine0001"), RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.MessageID != "mine0001" {
		t.Fatalf("message_id = %q", resp.MessageID)
	}
}

func TestConcurrentRequestsAllMatchTheirReplies(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "echo")
	startEcho(t, c, queue, nil)
	r := newRequester(t, c, RequesterOptions{})
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			resp, err := r.Request(testContext(t), queue, dictOf("q", int64(i)), RequestOptions{Timeout: 20 * time.Second})
			if err != nil {
				errs <- err
				return
			}
			if got, _ := resp.Value.(*neonwire.Dict).Get("echo"); got != int64(i) {
				errs <- fmt.Errorf("request %d got reply %s", i, neonwire.Repr(resp.Value))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestRequestMatchesContextMQMessageID(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "ctx")
	startEcho(t, c, queue, func(ctx context.Context, d *Delivery) error {
		req := d.Value.(*neonwire.Dict)
		id, _ := req.Get("message_id")
		// A reply whose top-level message_id is wrong but whose
		// context.mq.message_id is right must match (Neon's rule).
		reply := dictOf("message_id", "not-it", "context", dictOf("mq", dictOf("message_id", id)), "ok", true)
		return d.Reply(ctx, reply)
	})
	r := newRequester(t, c, RequesterOptions{})
	resp, err := r.Request(testContext(t), queue, dictOf("q", "x"), RequestOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := resp.Value.(*neonwire.Dict).Get("ok"); ok != true {
		t.Fatalf("reply = %s", neonwire.Repr(resp.Value))
	}
}

func TestUnmatchedReplyIsReported(t *testing.T) {
	c := testClient(t)
	unmatched := make(chan Message, 1)
	r := newRequester(t, c, RequesterOptions{OnUnmatched: func(m Message) { unmatched <- m }})
	publishRaw(t, c, r.ReplyQueue(), neonwire.Encode(dictOf("message_id", "nobody-asked", "x", 1)))
	select {
	case m := <-unmatched:
		if m.Queue != r.ReplyQueue() {
			t.Fatalf("unmatched message = %+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("unmatched reply was not reported")
	}
}

func TestRequestTimesOutWithTypedError(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "silent")
	declareTestQueue(t, c, queue) // exists, but nobody answers
	r := newRequester(t, c, RequesterOptions{})
	_, err := r.Request(testContext(t), queue, dictOf("q", 1), RequestOptions{Timeout: 300 * time.Millisecond})
	var te *TimeoutError
	if !errors.Is(err, ErrTimeout) || !errors.As(err, &te) || te.Queue != queue {
		t.Fatalf("err = %v, want a *TimeoutError for %q", err, queue)
	}
}

func TestUnroutableRequestFailsFast(t *testing.T) {
	c := testClient(t)
	r := newRequester(t, c, RequesterOptions{})
	_, err := r.Request(testContext(t), "mqscope_test.no_such_queue", dictOf("q", 1), RequestOptions{Timeout: 20 * time.Second})
	var nr *NoRouteError
	if !errors.As(err, &nr) {
		t.Fatalf("err = %v, want *NoRouteError", err)
	}
	want := `no queue "mqscope_test.no_such_queue" in vhost "/mqscope_test"`
	if err.Error() != want {
		t.Fatalf("error text = %q, want %q", err, want)
	}
}

func TestRequestDeclareTargetOption(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "declared")
	r := newRequester(t, c, RequesterOptions{})
	_, err := r.Request(testContext(t), queue, dictOf("q", 1), RequestOptions{Timeout: 200 * time.Millisecond, DeclareTarget: true})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("with DeclareTarget the request should be routed and time out, got %v", err)
	}
}

func TestRequesterDeletesReplyQueueOnClose(t *testing.T) {
	c := testClient(t)
	r, err := c.NewRequester(testContext(t), testVHost, RequesterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q := r.ReplyQueue()
	r.Close()
	infos, err := c.InspectQueues(context.Background(), testVHost, q)
	if err != nil {
		t.Fatal(err)
	}
	if infos[0].Exists {
		t.Fatalf("reply queue %q still exists after Close", q)
	}
}

func TestHooksSeeRequestAndReply(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "echo")
	startEcho(t, c, queue, nil)
	var mu sync.Mutex
	var sent, received []Message
	r := newRequester(t, c, RequesterOptions{
		OnSent:     func(m Message) { mu.Lock(); sent = append(sent, m); mu.Unlock() },
		OnReceived: func(m Message) { mu.Lock(); received = append(received, m); mu.Unlock() },
	})
	if _, err := r.Request(testContext(t), queue, dictOf("q", 1), RequestOptions{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 1 || len(received) != 1 || sent[0].Queue != queue || received[0].Queue != r.ReplyQueue() {
		t.Fatalf("sent %+v, received %+v", sent, received)
	}
}

func publishRaw(t *testing.T, c *Client, queue string, body []byte) {
	t.Helper()
	conn, err := c.Dial(testContext(t), testVHost)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.PublishWithContext(testContext(t), "", queue, false, false, amqp.Publishing{Body: body}); err != nil {
		t.Fatal(err)
	}
}

func declareTestQueue(t *testing.T, c *Client, queue string) {
	t.Helper()
	conn, err := c.Dial(testContext(t), testVHost)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := declareNeonQueue(ch, queue); err != nil {
		t.Fatal(err)
	}
}
