package observe

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/internal/brokertest"

	amqp "github.com/rabbitmq/amqp091-go"
)

// fhVHost is where firehose tests switch tracing, which is per vhost: tests
// of other packages run at the same time in testVHost.
const fhVHost = "/mqscope_fh"

// startWatch starts a watch whose messages arrive on the returned channel and
// closes it when the test ends.
func startWatch(t *testing.T, c *Broker, spec WatchSpec) (*Watch, <-chan capture.Message) {
	t.Helper()
	msgs := make(chan capture.Message, 4096)
	w, err := c.Watch(testContext(t), spec, func(m capture.Message) { msgs <- m }, nil)
	if err != nil {
		t.Fatalf("Watch(%s): %v", spec, err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w, msgs
}

// waitMessage returns the first message on msgs for which match is true,
// failing the test, which names what, when none comes.
func waitMessage(t *testing.T, msgs <-chan capture.Message, what string, match func(capture.Message) bool) capture.Message {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case m := <-msgs:
			if match(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("never saw %s", what)
		}
	}
}

// bodyIs matches messages with the given body and event.
func bodyIs(body string, ev capture.Event) func(capture.Message) bool {
	return func(m capture.Message) bool { return string(m.Body) == body && m.Event == ev }
}

// channelIn opens a channel on vhost that lives as long as the test.
func channelIn(t *testing.T, c *Broker, vhost string) *amqp.Channel {
	t.Helper()
	conn, err := c.Dial(testContext(t), vhost)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// queueIn declares a fresh Neon-style queue in vhost and deletes it when the
// test ends.
func queueIn(t *testing.T, c *Broker, vhost, prefix string) string {
	t.Helper()
	name := "mqscope_test." + prefix + "." + randomHex(4)
	if err := declareNeonQueue(channelIn(t, c, vhost), name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if conn, err := c.Dial(ctx, vhost); err == nil {
			if ch, err := conn.Channel(); err == nil {
				_, _ = ch.QueueDelete(name, false, false, false)
			}
			conn.Close()
		}
	})
	return name
}

// publishTo publishes one message in vhost.
func publishTo(t *testing.T, ch *amqp.Channel, exchange, key string, pub amqp.Publishing) {
	t.Helper()
	if err := ch.PublishWithContext(testContext(t), exchange, key, false, false, pub); err != nil {
		t.Fatal(err)
	}
}

// queueInfo inspects one queue in vhost.
func queueInfo(t *testing.T, c *Broker, vhost, queue string) connector.QueueInfo {
	t.Helper()
	infos, err := c.InspectQueues(testContext(t), vhost, queue)
	if err != nil {
		t.Fatal(err)
	}
	return infos[0]
}

// waitMessages waits until queue holds n ready messages (publishes are
// asynchronous, so a count taken at once may be behind).
func waitMessages(t *testing.T, c *Broker, vhost, queue string, n int) {
	t.Helper()
	brokertest.WaitUntil(t, fmt.Sprintf("%d message(s) in %s", n, queue), 15*time.Second, func() bool {
		return queueInfo(t, c, vhost, queue).Messages == n
	})
}

// realConsumer consumes queue as a service would (manual ack) and sends each
// body it gets on the returned channel.
func realConsumer(t *testing.T, c *Broker, vhost, queue string) <-chan string {
	t.Helper()
	ch := channelIn(t, c, vhost)
	deliveries, err := ch.Consume(queue, "real-consumer", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	bodies := make(chan string, 4096)
	go func() {
		for d := range deliveries {
			bodies <- string(d.Body)
			_ = d.Ack(false)
		}
	}()
	return bodies
}

// receivesAll checks that bodies delivers each of the n bodies "<prefix>-<i>".
func receivesAll(t *testing.T, bodies <-chan string, prefix string, n int) {
	t.Helper()
	want := make(map[string]bool, n)
	for i := range n {
		want[fmt.Sprintf("%s-%d", prefix, i)] = true
	}
	deadline := time.After(20 * time.Second)
	for len(want) > 0 {
		select {
		case b := <-bodies:
			delete(want, b)
		case <-deadline:
			t.Fatalf("the real consumer never got %d of the %d messages", len(want), n)
		}
	}
}

// publishNumbered publishes n messages "<prefix>-<i>" to exchange/key.
func publishNumbered(t *testing.T, ch *amqp.Channel, exchange, key, prefix string, n int) {
	t.Helper()
	for i := range n {
		publishTo(t, ch, exchange, key, amqp.Publishing{Body: fmt.Appendf(nil, "%s-%d", prefix, i)})
	}
}

// privateQueueGone checks that the watch's private queue does not exist.
func privateQueueGone(t *testing.T, c *Broker, w *Watch) {
	t.Helper()
	if w.private == "" {
		t.Fatalf("watch %s has no private queue", w.Spec())
	}
	if info := queueInfo(t, c, w.spec.VHost, w.private); info.Exists {
		t.Fatalf("private queue %q still exists after Close", w.private)
	}
}
