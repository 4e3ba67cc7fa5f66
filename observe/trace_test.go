package observe

import (
	"fmt"
	"slices"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/capture"
	"mqscope/connector/neonwire"
)

func TestUnwrapTraceReadsWhatRabbitMQ310Sends(t *testing.T) {
	// Headers as amqp091 decodes them from RabbitMQ 3.10 (docs/wire.md §6).
	d := &amqp.Delivery{RoutingKey: "deliver.neon_api_input", Body: []byte("Insn"), Headers: amqp.Table{
		"exchange_name": "", "routing_keys": []any{"neon_api_input"}, "redelivered": int32(1),
		"properties": amqp.Table{"expiration": "1000", "delivery_mode": int32(2), "priority": int32(3),
			"timestamp": int32(1700000000), "headers": amqp.Table{"x": amqp.Table{"y": int32(1)}}},
		"user": "neon_api", "connection": "10.0.0.1:5000 -> 10.0.0.2:5672", "node": "rabbit@mq", "channel": int32(1),
	}}
	m, ok := unwrapTrace(d, "/neon_api")
	if !ok || m.Event != capture.EventDeliver || m.Queue != "neon_api_input" || !m.Redelivered || m.RoutingKey != "neon_api_input" {
		t.Fatalf("unwrapped = %+v", m)
	}
	p := m.Properties
	if p.Expiration != "1000" || p.DeliveryMode != 2 || p.Priority != 3 || !p.Timestamp.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("properties = %+v", p)
	}
	if x, _ := m.Headers["x"].(map[string]any); x["y"] != int32(1) {
		t.Errorf("nested header = %v", m.Headers["x"])
	}
	if m.Headers[TraceUserHeader] != "neon_api" || m.Headers[TraceNodeHeader] != "rabbit@mq" || m.Headers["channel"] != nil {
		t.Errorf("trace origin headers = %v", m.Headers)
	}
}

func TestUnwrapTraceToleratesOddHeaders(t *testing.T) {
	odd := []amqp.Table{
		nil,
		{"routing_keys": "not a list", "properties": "not a table", "routed_queues": int32(4)},
		{"routing_keys": []any{int32(1), nil}, "redelivered": true, "properties": amqp.Table{"delivery_mode": int64(1 << 40), "priority": int8(-3), "timestamp": "soon"}},
	}
	for i, h := range odd {
		m, ok := unwrapTrace(&amqp.Delivery{RoutingKey: "publish.x", Headers: h}, "/v")
		if !ok || m.Event != capture.EventPublish {
			t.Fatalf("case %d: unwrapped = %+v, %v", i, m, ok)
		}
		if m.Properties.DeliveryMode != 0 && m.Properties.DeliveryMode != 255 || m.Properties.Priority != 0 {
			t.Errorf("case %d: properties out of range: %+v", i, m.Properties)
		}
	}
	if _, ok := unwrapTrace(&amqp.Delivery{RoutingKey: "something.else"}, "/v"); ok {
		t.Error("a routing key the tracer does not use was unwrapped")
	}
}

func TestTraceFilterForgetsOldestReplyQueues(t *testing.T) {
	f := newTraceFilter(WatchSpec{Queue: "in"})
	request := func(rk string) *capture.Message {
		return &capture.Message{Event: capture.EventPublish, Queue: "in", RoutedQueues: []string{"in"}, Body: neonwire.Encode(dictOf("routing_key", rk))}
	}
	reply := func(q string) *capture.Message {
		return &capture.Message{Event: capture.EventPublish, Queue: q, RoutedQueues: []string{q}}
	}
	for i := range replyMemory + 1 {
		m := request(fmt.Sprintf("r%d", i))
		if rk, _ := neonReplyQueue(m.Body); !f.keep(m, rk) {
			t.Fatal("request to the watched queue dropped")
		}
	}
	if f.keep(reply("r0"), "") {
		t.Error("the oldest reply queue was not forgotten")
	}
	if !f.keep(reply("r1"), "") || !f.keep(reply(fmt.Sprintf("r%d", replyMemory)), "") {
		t.Error("a remembered reply queue was dropped")
	}
	if len(f.replies) != replyMemory || len(f.order) != replyMemory {
		t.Errorf("filter holds %d/%d reply queues, want %d", len(f.replies), len(f.order), replyMemory)
	}
	if f.keep(reply("elsewhere"), "") || f.keep(&capture.Message{Event: capture.EventDeliver, Queue: "elsewhere"}, "") {
		t.Error("unrelated traffic kept")
	}
}

func TestTraceFilterDropsDeliveriesToMqscopeQueues(t *testing.T) {
	f := newTraceFilter(WatchSpec{})
	if f.keep(&capture.Message{Event: capture.EventDeliver, Queue: "mqscope.tap.0a1b2c"}, "") {
		t.Error("delivery to a private tap queue kept")
	}
	if !f.keep(&capture.Message{Event: capture.EventDeliver, Queue: "mqscope_test.x"}, "") {
		t.Error("delivery to an ordinary queue dropped")
	}
}

func TestTraceFilterByExchange(t *testing.T) {
	f := newTraceFilter(WatchSpec{Exchange: "persona"})
	if !f.keep(&capture.Message{Event: capture.EventPublish, Exchange: "persona"}, "") || !f.keep(&capture.Message{Event: capture.EventDeliver, Exchange: "persona", Queue: "sub"}, "") {
		t.Error("traffic of the exchange dropped")
	}
	if f.keep(&capture.Message{Event: capture.EventPublish, Exchange: "", Queue: "q"}, "") {
		t.Error("traffic of another exchange kept")
	}
}

func TestQueueCheckTrustsWhatItSaw(t *testing.T) {
	// No connection: every answer here must come from what was seen.
	qc := newQueueCheck(nil)
	now := time.Now()
	qc.settle(&capture.Message{Event: capture.EventDeliver, Queue: "svc", Time: now}, "")
	req := &capture.Message{Event: capture.EventPublish, Queue: "svc", RoutedQueues: []string{"svc"}, Time: now}
	qc.settle(req, "reply1")
	if req.Unroutable || !slices.Equal(req.RoutedQueues, []string{"svc"}) {
		t.Errorf("request to a queue seen delivering = %+v", req)
	}
	rep := &capture.Message{Event: capture.EventPublish, Queue: "reply1", RoutedQueues: []string{"reply1"}, Time: now}
	qc.settle(rep, "")
	if rep.Unroutable {
		t.Error("reply to the routing_key of a request flagged unroutable")
	}
	named := &capture.Message{Event: capture.EventPublish, Exchange: "fan", RoutedQueues: []string{}, Unroutable: true, Time: now}
	qc.settle(named, "")
	if !named.Unroutable {
		t.Error("a named exchange's routes were second-guessed")
	}
}
