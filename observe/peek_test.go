package observe

import (
	"testing"
	"time"

	"mqscope/capture"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestPeekSeesMessageAndLeavesItInTheQueue(t *testing.T) {
	c := testClient(t)
	q := queueIn(t, c, testVHost, "peek")
	ch := channelIn(t, c, testVHost)
	publishTo(t, ch, "", q, amqp.Publishing{Body: []byte("look"), Headers: amqp.Table{"a": "b"}})
	waitMessages(t, c, testVHost, q, 1)

	w, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModePeek, PeekInterval: 10 * time.Millisecond})
	first := waitMessage(t, msgs, "the message", bodyIs("look", capture.EventPeek))
	if first.Mode != capture.ModePeek || first.Queue != q || first.Headers["a"] != "b" {
		t.Errorf("peeked = %+v", first)
	}
	again := waitMessage(t, msgs, "the message a second time", bodyIs("look", capture.EventPeek))
	if !again.Redelivered {
		t.Error("a message peeked a second time is not marked redelivered")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	waitMessages(t, c, testVHost, q, 1)
	d, ok, err := ch.Get(q, true)
	if err != nil || !ok || string(d.Body) != "look" || !d.Redelivered {
		t.Fatalf("after peek the queue holds %q (ok %v, redelivered %v, err %v)", d.Body, ok, d.Redelivered, err)
	}
}

func TestPeekStealsNothing(t *testing.T) {
	c := testClient(t)
	q := queueIn(t, c, testVHost, "peek_steal")
	_, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModePeek, PeekInterval: time.Millisecond})
	const n = 50
	publishNumbered(t, channelIn(t, c, testVHost), "", q, "peek", n)
	// Let peek hold some of them before the real consumer starts.
	waitMessage(t, msgs, "any message", func(capture.Message) bool { return true })
	receivesAll(t, realConsumer(t, c, testVHost, q), "peek", n)
}
