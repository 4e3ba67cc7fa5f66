package observe

import (
	"bytes"
	"context"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/capture"
	"mqscope/internal/brokertest"
)

// BenchmarkTracingCost measures what the tracer costs the broker's own
// traffic: messages of 200 B published and consumed through one queue of
// tracerVHost with tracing off, on with nobody reading the copies, and on
// with an mqscope firehose reading them. Compare the msg/s of the three
// (README, "What the firehose costs the broker"):
//
//	go test -run '^$' -bench TracingCost -benchtime 20000x ./observe
func BenchmarkTracingCost(b *testing.B) {
	c := testClient(b)
	for _, tc := range []struct {
		name     string
		tracing  bool
		firehose bool
	}{{"off", false, false}, {"on-unread", true, false}, {"on-firehose", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			if err := c.Mgmt.SetTracing(context.Background(), tracerVHost, tc.tracing); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = c.Mgmt.SetTracing(context.Background(), tracerVHost, false) })
			if tc.firehose {
				w, err := c.Watch(context.Background(), WatchSpec{VHost: tracerVHost, Mode: capture.ModeFirehose}, func(capture.Message) {}, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = w.Close() })
			}
			pipeThrough(b, tracerVHost)
		})
	}
}

// pipeThrough publishes b.N messages to a fresh queue of vhost and waits
// until a consumer has had them all, reporting msg/s.
func pipeThrough(b *testing.B, vhost string) {
	q := brokertest.Queue(b, vhost, "bench")
	pub, sub := brokertest.Channel(b, vhost), brokertest.Channel(b, vhost)
	if err := sub.Qos(200, 0, false); err != nil {
		b.Fatal(err)
	}
	deliveries, err := sub.Consume(q, "", true, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 200)
	b.ResetTimer()
	start := time.Now()
	go func() {
		for range b.N {
			_ = pub.PublishWithContext(context.Background(), "", q, false, false, amqp.Publishing{Body: body})
		}
	}()
	for range b.N {
		<-deliveries
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msg/s")
}
