package observe

import (
	"fmt"
	"testing"

	"mqscope/capture"

	amqp "github.com/rabbitmq/amqp091-go"
)

// exchangeIn declares a fresh auto-delete exchange of kind in testVHost.
func exchangeIn(t *testing.T, ch *amqp.Channel, kind string) string {
	t.Helper()
	name := "mqscope_test." + kind + "." + randomHex(4)
	if err := ch.ExchangeDeclare(name, kind, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.ExchangeDelete(name, false, false) })
	return name
}

func TestTapSeesFanoutPublishAndStealsNothing(t *testing.T) {
	c := testClient(t)
	ch := channelIn(t, c, testVHost)
	fanout := exchangeIn(t, ch, amqp.ExchangeFanout)
	q := queueIn(t, c, testVHost, "tap_sub")
	if err := ch.QueueBind(q, "", fanout, false, nil); err != nil {
		t.Fatal(err)
	}
	w, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Exchange: fanout, Mode: capture.ModeTap})
	bodies := realConsumer(t, c, testVHost, q)
	const n = 50
	publishNumbered(t, ch, fanout, "persona", "tap", n)
	receivesAll(t, bodies, "tap", n)
	for i := range n {
		m := waitMessage(t, msgs, fmt.Sprintf("message %d", i), bodyIs(fmt.Sprintf("tap-%d", i), capture.EventDeliver))
		if m.Mode != capture.ModeTap || m.Exchange != fanout || m.RoutingKey != "persona" || m.VHost != testVHost {
			t.Fatalf("tapped message = %+v", m)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	privateQueueGone(t, c, w)
}

func TestTapOnHeadersExchangeWithoutArgumentsSeesEverything(t *testing.T) {
	c := testClient(t)
	ch := channelIn(t, c, testVHost)
	headers := exchangeIn(t, ch, amqp.ExchangeHeaders)
	_, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Exchange: headers, Mode: capture.ModeTap})
	publishTo(t, ch, headers, "", amqp.Publishing{Body: []byte("h1"), Headers: amqp.Table{"kind": "a"}})
	publishTo(t, ch, headers, "", amqp.Publishing{Body: []byte("h2")})
	waitMessage(t, msgs, "the message with headers", bodyIs("h1", capture.EventDeliver))
	waitMessage(t, msgs, "the message without headers", bodyIs("h2", capture.EventDeliver))
}

func TestTapOnTopicExchangeUsesBindingKey(t *testing.T) {
	c := testClient(t)
	ch := channelIn(t, c, testVHost)
	topic := exchangeIn(t, ch, amqp.ExchangeTopic)
	_, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Exchange: topic, BindingKey: "chat.*", Mode: capture.ModeTap})
	publishTo(t, ch, topic, "other.x", amqp.Publishing{Body: []byte("not bound")})
	publishTo(t, ch, topic, "chat.x", amqp.Publishing{Body: []byte("bound")})
	m := waitMessage(t, msgs, "the bound message", func(m capture.Message) bool { return true })
	if string(m.Body) != "bound" || m.RoutingKey != "chat.x" {
		t.Fatalf("first tapped message = %q with key %q, want the one bound by chat.*", m.Body, m.RoutingKey)
	}
}
