package observe

import (
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/internal/brokertest"
)

// TestDeleteOrphanReplyQueueOnlyWhileOrphan: an orphan reply queue goes
// with its messages; one that has a consumer again stays, and says why.
func TestDeleteOrphanReplyQueueOnlyWhileOrphan(t *testing.T) {
	c := testClient(t)
	ch := channelIn(t, c, testVHost)
	orphan, used := randomHex(16), randomHex(16)
	for _, q := range []string{orphan, used} {
		if err := declareNeonQueue(ch, q); err != nil {
			t.Fatal(err)
		}
		brokertest.DeleteAtEnd(t, testVHost, q)
	}
	if err := ch.PublishWithContext(testContext(t), "", orphan, false, false, amqp.Publishing{Body: []byte("late reply")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Consume(used, "", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteOrphanReplyQueue(testContext(t), testVHost, orphan); err != nil {
		t.Fatalf("an orphan with a message in it was not deleted: %v", err)
	}
	if brokertest.Inspect(t, testVHost, orphan).Exists {
		t.Fatal("the orphan reply queue is still there")
	}
	if err := c.DeleteOrphanReplyQueue(testContext(t), testVHost, used); err == nil {
		t.Fatal("a reply queue with a consumer was deleted")
	}
	if !brokertest.Inspect(t, testVHost, used).Exists {
		t.Fatal("the reply queue with a consumer is gone")
	}
}

// TestDeadLetterQueues: a queue another dead-letters into through the
// default exchange, or through a named exchange it is bound to, is one;
// an ordinary queue is not.
func TestDeadLetterQueues(t *testing.T) {
	c := testClient(t)
	ch := channelIn(t, c, testVHost)
	dlqDefault := queueIn(t, c, testVHost, "dlq_default")
	dlqBound := queueIn(t, c, testVHost, "dlq_bound")
	plain := queueIn(t, c, testVHost, "plain")
	dlx := "mqscope_test.dlx." + randomHex(4)
	if err := ch.ExchangeDeclare(dlx, "fanout", false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if ch, err := c.Dial(testContext(t), testVHost); err == nil {
			if x, err := ch.Channel(); err == nil {
				_ = x.ExchangeDelete(dlx, false, false)
			}
			ch.Close()
		}
	})
	if err := ch.QueueBind(dlqBound, "", dlx, false, nil); err != nil {
		t.Fatal(err)
	}
	for _, src := range []struct {
		name string
		args amqp.Table
	}{
		{"mqscope_test.src_default." + randomHex(4), amqp.Table{"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlqDefault}},
		{"mqscope_test.src_bound." + randomHex(4), amqp.Table{"x-dead-letter-exchange": dlx}},
	} {
		if _, err := ch.QueueDeclare(src.name, false, false, false, false, src.args); err != nil {
			t.Fatal(err)
		}
		brokertest.DeleteAtEnd(t, testVHost, src.name)
	}
	got, err := c.DeadLetterQueues(testContext(t), testVHost)
	if err != nil {
		t.Fatal(err)
	}
	if !got[dlqDefault] || !got[dlqBound] || got[plain] {
		t.Fatalf("dead-letter queues %v: want %s and %s, not %s", got, dlqDefault, dlqBound, plain)
	}
}

// TestUnconsumedHookTellsAQueueNobodyConsumes: true only for a queue that
// exists and has no consumer.
func TestUnconsumedHookTellsAQueueNobodyConsumes(t *testing.T) {
	c := testClient(t)
	ch := channelIn(t, c, testVHost)
	idle, busy := "unconsumed_"+randomHex(4), "consumed_"+randomHex(4)
	for _, q := range []string{idle, busy} {
		if err := declareNeonQueue(ch, q); err != nil {
			t.Fatal(err)
		}
		brokertest.DeleteAtEnd(t, testVHost, q)
	}
	if _, err := ch.Consume(busy, "", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	hook := c.UnconsumedHook(testContext(t))
	for q, want := range map[string]bool{idle: true, busy: false, "missing_" + randomHex(4): false} {
		if got := hook(testVHost, q); got != want {
			t.Errorf("unconsumed(%q) = %v, want %v", q, got, want)
		}
	}
}
