package record

import (
	"fmt"
	"testing"
	"time"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// benchBody is a Neon request body of about 200 bytes on the wire.
var benchBody = neonBody("{'service': 'api_test_endpoint', 'routing_key': '5f0c3ad8e1b94e0f9d3c2b7a6e1f4d20', " +
	"'message_id': 'c0ffee00c0ffee00c0ffee00c0ffee00'}")

// BenchmarkWriterAppend measures sustained recording throughput: b.N
// messages appended, then Close, which returns once all are committed. The
// buffer holds b.N so that none is dropped and the time is the writer's.
func BenchmarkWriterAppend(b *testing.B) {
	if n := len(benchBody); n < 180 || n > 220 {
		b.Fatalf("benchBody is %d bytes, want about 200", n)
	}
	pre := neonwire.Decode(benchBody)
	for _, c := range []struct {
		name string
		d    *neonwire.Decoded
	}{{"decode-in-writer", nil}, {"predecoded", &pre}} {
		b.Run(c.name, func(b *testing.B) {
			w, err := Create(testPath(b), Options{Buffer: b.N})
			if err != nil {
				b.Fatal(err)
			}
			m := capture.Message{
				Time: time.Now(), VHost: "/neon_api", RoutingKey: "neon_api_input", Queue: "neon_api_input",
				Event: capture.EventPublish, Mode: capture.ModeFirehose,
				Properties: capture.Properties{Expiration: "1000"}, Body: benchBody,
				RoutedQueues: []string{"neon_api_input"},
			}
			b.SetBytes(int64(len(benchBody)))
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				w.Append(m, c.d)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if s := w.Stats(); s.Written != uint64(b.N) {
				b.Fatalf("stats %+v, want all %d written", s, b.N)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
		})
	}
}

// BenchmarkWriterBatchSize compares batch sizes on messages that each carry
// their own message_id, as real traffic does: every batch then touches
// pages all over the message_id index and adds new terms to the full-text
// index, and each commit writes those pages again, so larger batches cost
// less per message. BatchInterval is long, so that every batch is full: 1000
// was the old default, 2500 is about what the 100 ms interval gathers at
// 25,000 msg/s, and DefaultBatchSize is what a backlog is written in.
func BenchmarkWriterBatchSize(b *testing.B) {
	for _, size := range []int{1000, 2500, DefaultBatchSize} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			bodies := make([][]byte, b.N)
			decoded := make([]neonwire.Decoded, b.N)
			for i := range b.N {
				bodies[i] = neonBody(fmt.Sprintf("{'service': 'api_test_endpoint', 'routing_key': '5f0c3ad8e1b94e0f9d3c2b7a6e1f4d20', "+
					"'message_id': '%032x'}", uint64(i)*0x9e3779b97f4a7c15))
				decoded[i] = neonwire.Decode(bodies[i])
			}
			w, err := Create(testPath(b), Options{Buffer: b.N, BatchSize: size, BatchInterval: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				w.Append(capture.Message{
					Time: time.Now(), VHost: "/neon_api", RoutingKey: "neon_api_input", Queue: "neon_api_input",
					Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: bodies[i],
				}, &decoded[i])
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if s := w.Stats(); s.Written != uint64(b.N) {
				b.Fatalf("stats %+v, want all %d written", s, b.N)
			}
		})
	}
}
