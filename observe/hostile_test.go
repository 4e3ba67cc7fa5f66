package observe

import (
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/capture"
)

// deepHeaders is nested deeper than amqp091-go reads (32 levels).
func deepHeaders() amqp.Table {
	t := amqp.Table{"leaf": "x"}
	for range 40 {
		t = amqp.Table{"n": t}
	}
	return t
}

// One message with headers too deep to read, published by anyone, used to
// blind every firehose of its vhost for ever; now it is shown as an
// unreadable marker and the watch goes on.
func TestFirehoseShowsUnreadableMessageAndGoesOn(t *testing.T) {
	c := testClient(t)
	tracingOffAround(t, c)
	q := queueIn(t, c, fhVHost, "deep")
	_, msgs := startWatch(t, c, WatchSpec{VHost: fhVHost, Queue: q, Mode: capture.ModeFirehose})
	ch := channelIn(t, c, fhVHost)
	publishTo(t, ch, "", q, amqp.Publishing{Body: []byte("deep " + q), Headers: deepHeaders()})
	publishTo(t, ch, "", q, amqp.Publishing{Body: []byte("after " + q)})
	m := waitMessage(t, msgs, "the unreadable marker", bodyIs("deep "+q, capture.EventUnreadable))
	why, _ := m.Headers[capture.UnreadableHeader].(string)
	if !strings.Contains(why, "publish of a message the client cannot read whole") || !strings.Contains(why, "nested more than 32 levels deep") {
		t.Fatalf("marker header %q does not say what and why", why)
	}
	waitMessage(t, msgs, "the next message", bodyIs("after "+q, capture.EventPublish))
}

// A consume watch leaves an unreadable message in its queue and stops with
// the reason, instead of taking it again and again.
func TestConsumeStopsAtAnUnreadableMessageAndLeavesIt(t *testing.T) {
	c := testClient(t)
	q := queueIn(t, c, testVHost, "deepc")
	ch := channelIn(t, c, testVHost)
	publishTo(t, ch, "", q, amqp.Publishing{Body: []byte("first")})
	publishTo(t, ch, "", q, amqp.Publishing{Body: []byte("deep"), Headers: deepHeaders()})
	publishTo(t, ch, "", q, amqp.Publishing{Body: []byte("third")})
	waitMessages(t, c, testVHost, q, 3)
	w, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume})
	waitMessage(t, msgs, "the first message", bodyIs("first", capture.EventConsume))
	waitMessage(t, msgs, "the marker", bodyIs("deep", capture.EventUnreadable))
	select {
	case <-w.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the watch did not stop at the unreadable message")
	}
	if err := w.Err(); err == nil || !strings.Contains(err.Error(), "left in the queue") {
		t.Fatalf("watch error = %v", err)
	}
	waitMessages(t, c, testVHost, q, 2) // the unreadable one and the one after it
}
