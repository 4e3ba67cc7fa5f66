package observe

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/internal/brokertest"
)

// tracingOffAround switches tracing of the firehose vhost off before the
// test and again after it, whatever the test did.
func tracingOffAround(t *testing.T, c *Broker) {
	t.Helper()
	off := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Mgmt.SetTracing(ctx, fhVHost, false); err != nil {
			t.Errorf("switch tracing off: %v", err)
		}
	}
	off()
	t.Cleanup(off)
}

func tracing(t *testing.T, c *Broker, vhost string) bool {
	t.Helper()
	info, err := c.Mgmt.VHost(testContext(t), vhost)
	if err != nil {
		t.Fatal(err)
	}
	return info.Tracing
}

func TestFirehoseUnwrapsPublishAndDeliver(t *testing.T) {
	c := testClient(t)
	tracingOffAround(t, c)
	q := queueIn(t, c, fhVHost, "fh")
	_, msgs := startWatch(t, c, WatchSpec{VHost: fhVHost, Queue: q, Mode: capture.ModeFirehose})
	bodies := realConsumer(t, c, fhVHost, q)

	body := "hello " + randomHex(4)
	publishTo(t, channelIn(t, c, fhVHost), "", q, amqp.Publishing{
		Body: []byte(body), Expiration: "1000", ContentType: "text/plain", MessageId: "m-1",
		Headers: amqp.Table{"color": "blue", "n": int32(7)},
	})
	pub := waitMessage(t, msgs, "the publish", bodyIs(body, capture.EventPublish))
	if pub.Mode != capture.ModeFirehose || pub.Exchange != "" || pub.RoutingKey != q || pub.Queue != q || pub.VHost != fhVHost {
		t.Errorf("publish = %+v", pub)
	}
	if p := pub.Properties; p.Expiration != "1000" || p.ContentType != "text/plain" || p.MessageID != "m-1" {
		t.Errorf("properties = %+v", p)
	}
	if pub.Headers["color"] != "blue" || pub.Headers["n"] != int32(7) || pub.Headers[TraceUserHeader] != "guest" {
		t.Errorf("headers = %v", pub.Headers)
	}
	if !slices.Equal(pub.RoutedQueues, []string{q}) || pub.Unroutable {
		t.Errorf("routed queues = %v, unroutable %v", pub.RoutedQueues, pub.Unroutable)
	}
	del := waitMessage(t, msgs, "the delivery", bodyIs(body, capture.EventDeliver))
	if del.Queue != q || del.Redelivered || del.Properties.Expiration != "1000" || del.Headers["color"] != "blue" {
		t.Errorf("delivery = %+v", del)
	}
	if got := <-bodies; got != body {
		t.Errorf("the real consumer got %q", got)
	}
}

func TestFirehoseFlagsUnroutablePublish(t *testing.T) {
	c := testClient(t)
	tracingOffAround(t, c)
	_, msgs := startWatch(t, c, WatchSpec{VHost: fhVHost, Mode: capture.ModeFirehose})
	nowhere := "mqscope_test.nowhere." + randomHex(4)
	publishTo(t, channelIn(t, c, fhVHost), "", nowhere, amqp.Publishing{Body: []byte(nowhere)})
	m := waitMessage(t, msgs, "the unroutable publish", bodyIs(nowhere, capture.EventPublish))
	if !m.Unroutable || len(m.RoutedQueues) != 0 || m.Queue != nowhere {
		t.Fatalf("unroutable publish = %+v", m)
	}
}

func TestFirehoseQueueFilterKeepsRepliesAndDropsOtherTraffic(t *testing.T) {
	c := testClient(t)
	tracingOffAround(t, c)
	q := queueIn(t, c, fhVHost, "fh_svc")
	other := queueIn(t, c, fhVHost, "fh_other")
	runEchoIn(t, c, fhVHost, q)
	_, msgs := startWatch(t, c, WatchSpec{VHost: fhVHost, Queue: q, Mode: capture.ModeFirehose})
	r, err := c.NewRequester(testContext(t), fhVHost, connector.RequesterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)

	ch := channelIn(t, c, fhVHost)
	publishTo(t, ch, "", other, amqp.Publishing{Body: []byte("unrelated")})
	resp, err := r.Request(testContext(t), q, dictOf("q", "ping"), connector.RequestOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	isOurs := func(m capture.Message) bool {
		v, err := neonwire.DecodeNeon(m.Body)
		return err == nil && neonwire.MessageID(v) == resp.MessageID
	}
	waitMessage(t, msgs, "the request", func(m capture.Message) bool { return isOurs(m) && m.Event == capture.EventPublish && m.Queue == q })
	reply := waitMessage(t, msgs, "the reply", func(m capture.Message) bool {
		return isOurs(m) && m.Event == capture.EventPublish && m.Queue == r.ReplyQueue()
	})
	if !slices.Equal(reply.RoutedQueues, []string{r.ReplyQueue()}) {
		t.Errorf("reply routed to %v", reply.RoutedQueues)
	}
	// Trace copies of one channel's publishes arrive in order, so once the
	// marker is seen the unrelated message would have been too.
	publishTo(t, ch, "", q, amqp.Publishing{Body: []byte("marker")})
	waitMessage(t, msgs, "the marker", func(m capture.Message) bool {
		if string(m.Body) == "unrelated" {
			t.Errorf("the filter on %q kept traffic of %q: %+v", q, other, m)
		}
		return string(m.Body) == "marker"
	})
}

// runEchoIn runs an echo service on queue in vhost until the test ends.
func runEchoIn(t *testing.T, c *Broker, vhost, queue string) {
	t.Helper()
	svc := connector.NewService(c.Client, vhost)
	err := svc.AddConsumer(connector.Consumer{Name: "echo", Queue: queue, Handler: func(ctx context.Context, d *connector.Delivery) error {
		return d.Reply(ctx, dictOf("echo", true))
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	brokertest.WaitUntil(t, "the echo service consuming "+queue, 15*time.Second, func() bool {
		return queueInfo(t, c, vhost, queue).Consumers > 0
	})
}

func TestFirehoseSwitchesTracingOffOnlyIfItSwitchedItOn(t *testing.T) {
	c := testClient(t)
	tracingOffAround(t, c)
	spec := WatchSpec{VHost: fhVHost, Mode: capture.ModeFirehose}

	w, _ := startWatch(t, c, spec)
	if !tracing(t, c, fhVHost) {
		t.Fatal("tracing is off while a firehose watches")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if tracing(t, c, fhVHost) {
		t.Fatal("tracing still on after Close, though it was off before")
	}
	privateQueueGone(t, c, w)

	if err := c.Mgmt.SetTracing(testContext(t), fhVHost, true); err != nil {
		t.Fatal(err)
	}
	w, _ = startWatch(t, c, spec)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !tracing(t, c, fhVHost) {
		t.Fatal("Close switched off tracing that someone else had switched on")
	}
}

func TestTwoFirehoseWatchesShareTheTracer(t *testing.T) {
	c := testClient(t)
	tracingOffAround(t, c)
	spec := WatchSpec{VHost: fhVHost, Mode: capture.ModeFirehose}
	first, _ := startWatch(t, c, spec)
	second, _ := startWatch(t, c, spec)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if !tracing(t, c, fhVHost) {
		t.Fatal("closing one of two firehose watches switched tracing off")
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if tracing(t, c, fhVHost) {
		t.Fatal("tracing still on after both firehose watches closed")
	}
}

func TestFirehoseRestoresTracingWhenContextEnds(t *testing.T) {
	c := testClient(t)
	tracingOffAround(t, c)
	ctx, cancel := context.WithCancel(testContext(t))
	w, err := c.Watch(ctx, WatchSpec{VHost: fhVHost, Mode: capture.ModeFirehose}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel() // what a Ctrl-C does to the context of the caller
	<-w.Done()
	if tracing(t, c, fhVHost) {
		t.Fatal("tracing still on after the watch's context ended")
	}
	if w.Err() != nil {
		t.Fatalf("a watch stopped by its context reports %v", w.Err())
	}
	privateQueueGone(t, c, w)
}

// A user without the management tag cannot tell whether tracing is on:
// the firehose starts all the same, and says so, and how an administrator
// switches tracing on if nothing arrives.
func TestFirehoseWithoutManagementRightsSaysHowToSwitchTracingOn(t *testing.T) {
	testClient(t)
	const pw = "mqscope-limited-secret"
	c := testClientWith(t, `{"server": "127.0.0.1", "users": {"mq_handler": {"user": "mqscope_limited", "password": "`+pw+`"}}}`)
	states := make(chan connector.State, 16)
	w, err := c.Watch(testContext(t), WatchSpec{VHost: testVHost, Mode: capture.ModeFirehose}, nil, func(s connector.State) { states <- s })
	if err != nil {
		t.Fatalf("a firehose of a user without the management tag did not start: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	first := <-states
	if first.Kind != connector.StateConnected || first.Err == nil {
		t.Fatalf("first state %+v, want connected with a caveat", first)
	}
	msg := first.Err.Error()
	for _, want := range []string{`user "mqscope_limited"`, "rabbitmqctl trace_on -p /mqscope_test", `vhost "/mqscope_test"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("caveat %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, pw) || strings.Contains(msg, "\n") {
		t.Errorf("caveat leaks the password or is not one line: %q", msg)
	}
}

func TestFirehoseStealsNothing(t *testing.T) {
	c := testClient(t)
	tracingOffAround(t, c)
	q := queueIn(t, c, fhVHost, "fh_steal")
	_, msgs := startWatch(t, c, WatchSpec{VHost: fhVHost, Queue: q, Mode: capture.ModeFirehose})
	bodies := realConsumer(t, c, fhVHost, q)
	const n = 50
	publishNumbered(t, channelIn(t, c, fhVHost), "", q, "fh", n)
	receivesAll(t, bodies, "fh", n)
	for i := range n {
		waitMessage(t, msgs, fmt.Sprintf("publish %d", i), bodyIs(fmt.Sprintf("fh-%d", i), capture.EventPublish))
	}
}
