package observe

import (
	"errors"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/internal/brokertest"
)

// watchWithStates starts a watch whose messages and states arrive on the
// returned channels, closed when the test ends.
func watchWithStates(t *testing.T, c *Broker, spec WatchSpec) (<-chan capture.Message, <-chan connector.State) {
	t.Helper()
	msgs := make(chan capture.Message, 256)
	states := make(chan connector.State, 256)
	w, err := c.Watch(testContext(t), spec, func(m capture.Message) { msgs <- m }, func(s connector.State) { states <- s })
	if err != nil {
		t.Fatalf("Watch(%s): %v", spec, err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return msgs, states
}

// nextState is the next state reported, failing the test after 15 s.
func nextState(t *testing.T, states <-chan connector.State) connector.State {
	t.Helper()
	select {
	case s := <-states:
		return s
	case <-time.After(15 * time.Second):
		t.Fatal("no state reported")
	}
	return connector.State{}
}

// fastQueuePolls makes watches look for missing queues every 50 ms.
func fastQueuePolls(t *testing.T) {
	old := QueuePollInterval
	QueuePollInterval = 50 * time.Millisecond
	t.Cleanup(func() { QueuePollInterval = old })
}

func TestFirehoseOfAMissingQueueSaysSoUntilItIsDeclared(t *testing.T) {
	fastQueuePolls(t)
	c := testClient(t)
	setTracerVHost(t, c, false)
	q := brokertest.Name("later")
	brokertest.DeleteAtEnd(t, tracerVHost, q)
	_, states := watchWithStates(t, c, WatchSpec{VHost: tracerVHost, Queue: q, Mode: capture.ModeFirehose})
	first := nextState(t, states)
	if first.Kind != connector.StateConnected || first.Err == nil || !strings.Contains(first.Err.Error(), `no queue "`+q+`"`) {
		t.Fatalf("first state %+v, want connected with a warning that the queue does not exist", first)
	}
	if _, err := channelIn(t, c, tracerVHost).QueueDeclare(q, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if s := nextState(t, states); s.Kind != connector.StateConnected || s.Err != nil {
		t.Fatalf("after the queue was declared: %+v, want connected without a warning", s)
	}
}

func TestConsumeWaitsForAQueueThatDoesNotExistYet(t *testing.T) {
	fastQueuePolls(t)
	c := testClient(t)
	q := brokertest.Name("later")
	brokertest.DeleteAtEnd(t, testVHost, q)
	msgs, states := watchWithStates(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume, WaitForQueue: true})
	first := nextState(t, states)
	var missing *QueueMissingError
	if first.Kind != connector.StateReconnecting || !errors.As(first.Err, &missing) || !Waiting(first.Err) {
		t.Fatalf("first state %+v, want waiting for the queue", first)
	}
	ch := channelIn(t, c, testVHost)
	if _, err := ch.QueueDeclare(q, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	publishTo(t, ch, "", q, amqp.Publishing{Body: []byte("first")})
	waitMessage(t, msgs, "the first message", bodyIs("first", capture.EventConsume))
}

func TestConsumeOnStandbyOfASingleActiveConsumerQueueSaysSo(t *testing.T) {
	c := testClient(t)
	q := uniqueQueue(t, c, "sac")
	if _, err := channelIn(t, c, testVHost).QueueDeclare(q, false, false, false, false, amqp.Table{"x-single-active-consumer": true}); err != nil {
		t.Fatal(err)
	}
	realConsumer(t, c, testVHost, q)
	_, states := watchWithStates(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume})
	if s := nextState(t, states); s.Kind != connector.StateConnected || s.Err == nil || !strings.Contains(s.Err.Error(), "standby") {
		t.Fatalf("state %+v, want connected with a warning that mqscope is on standby", s)
	}
}

func TestConsumeOfAStreamSaysItIsNotDestructive(t *testing.T) {
	c := testClient(t)
	q := uniqueQueue(t, c, "stream")
	if _, err := channelIn(t, c, testVHost).QueueDeclare(q, true, false, false, false, amqp.Table{"x-queue-type": "stream"}); err != nil {
		t.Fatal(err)
	}
	_, states := watchWithStates(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume})
	if s := nextState(t, states); s.Kind != connector.StateConnected || s.Err == nil || !strings.Contains(s.Err.Error(), "not destructive") {
		t.Fatalf("state %+v, want connected with a warning that a stream is not consumed away", s)
	}
}
