package observe

import (
	"fmt"
	"sync/atomic"
	"testing"

	"mqscope/capture"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestConsumeTakesTheMessages(t *testing.T) {
	c := testClient(t)
	q := queueIn(t, c, testVHost, "consume")
	ch := channelIn(t, c, testVHost)
	const n = 120 // more than one ack batch, fewer than the prefetch
	publishNumbered(t, ch, "", q, "take", n)
	waitMessages(t, c, testVHost, q, n)
	w, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume})
	for i := range n {
		m := waitMessage(t, msgs, fmt.Sprintf("message %d", i), bodyIs(fmt.Sprintf("take-%d", i), capture.EventConsume))
		if m.Mode != capture.ModeConsume || m.Queue != q {
			t.Fatalf("consumed = %+v", m)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if info := queueInfo(t, c, testVHost, q); info.Messages != 0 {
		t.Fatalf("queue still holds %d messages after consume", info.Messages)
	}
}

func TestConsumeLimitTakesExactlyThatMany(t *testing.T) {
	c := testClient(t)
	q := queueIn(t, c, testVHost, "limit")
	ch := channelIn(t, c, testVHost)
	publishNumbered(t, ch, "", q, "lim", 10)
	waitMessages(t, c, testVHost, q, 10)
	w, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume, Limit: 3})
	for i := range 3 {
		waitMessage(t, msgs, fmt.Sprintf("message %d", i), bodyIs(fmt.Sprintf("lim-%d", i), capture.EventConsume))
	}
	// The rest must go back to (or stay in) the queue, however many the
	// broker had delivered before the limit was reached.
	waitMessages(t, c, testVHost, q, 7)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if info := queueInfo(t, c, testVHost, q); info.Messages != 7 {
		t.Fatalf("queue holds %d messages after a limit-3 consume of 10, want 7", info.Messages)
	}
	select {
	case m := <-msgs:
		t.Fatalf("watch delivered past its limit: %s", m.Body)
	default:
	}
}

// BenchmarkConsumeWatch measures consume throughput end to end: publish b.N
// messages, then consume them through a watch into a counting sink.
func BenchmarkConsumeWatch(b *testing.B) {
	c := testClient(b)
	ctx := testContext(b)
	conn, err := c.Dial(ctx, testVHost)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		b.Fatal(err)
	}
	q := "mqscope_test.bench." + randomHex(4)
	if err := declareNeonQueue(ch, q); err != nil {
		b.Fatal(err)
	}
	defer ch.QueueDelete(q, false, false, false)
	body := make([]byte, 200)
	for range b.N {
		if err := ch.PublishWithContext(ctx, "", q, false, false, amqp.Publishing{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
	got := make(chan struct{})
	var count atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	w, err := c.Watch(ctx, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume}, func(capture.Message) {
		if count.Add(1) == int64(b.N) {
			close(got)
		}
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	select {
	case <-got:
	case <-ctx.Done():
		b.Fatalf("consumed %d of %d", count.Load(), b.N)
	}
	b.StopTimer()
	_ = w.Close()
}

// A consume with a limit must not be delivered anything past it: a message
// delivered and put back reaches the service later marked redelivered.
func TestConsumeLimitNeverTouchesAMessageBeyondIt(t *testing.T) {
	for _, tc := range []struct{ n, limit int }{{10, 3}, {400, 130}} {
		t.Run(fmt.Sprintf("%d of %d", tc.limit, tc.n), func(t *testing.T) {
			c := testClient(t)
			q := queueIn(t, c, testVHost, "limit")
			ch := channelIn(t, c, testVHost)
			publishNumbered(t, ch, "", q, "lim", tc.n)
			waitMessages(t, c, testVHost, q, tc.n)
			w, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume, Limit: tc.limit})
			for i := range tc.limit {
				waitMessage(t, msgs, fmt.Sprintf("message %d", i), bodyIs(fmt.Sprintf("lim-%d", i), capture.EventConsume))
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			for i := tc.limit; i < tc.n; i++ {
				d, ok, err := ch.Get(q, true)
				if err != nil || !ok {
					t.Fatalf("message %d: %v %v", i, ok, err)
				}
				if want := fmt.Sprintf("lim-%d", i); string(d.Body) != want || d.Redelivered {
					t.Fatalf("got %s (redelivered %v), want %s never delivered before", d.Body, d.Redelivered, want)
				}
			}
		})
	}
}
