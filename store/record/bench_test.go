package record

import (
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
