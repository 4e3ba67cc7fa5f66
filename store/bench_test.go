package store

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// Benchmarks run over Neon request/reply traffic of 240- and 180-byte bodies:
// even messages are requests to neon_api_input, odd ones their replies on
// one reply queue, so every reply pairs.
//
//	go test -run '^$' -bench . -benchtime 1x ./store/   (the 1M benchmarks)
//	go test -run '^$' -bench Append ./store/

const (
	benchReplyQueue = "f1e2d3c4b5a697887766554433221100"
	benchMessages   = 1_000_000
)

var (
	benchRequestRepr = "{'service': 'api_test_endpoint', 'query': 'weather in Lisbon', 'lang': 'en', " +
		"'routing_key': '" + benchReplyQueue + "', 'message_id': '%032x'}"
	benchReplyRepr = "{'status_code': 200, 'content': 'Sunny, 21 degrees, light wind', " +
		"'encoding': None, 'message_id': '%032x'}"
)

// benchMessage returns message i of the benchmark traffic, with its own
// freshly allocated body.
func benchMessage(i int) capture.Message {
	id := i / 2
	if i%2 == 0 {
		return capture.Message{Time: t0, VHost: "/neon_api", RoutingKey: "neon_api_input", Queue: "neon_api_input",
			Event: capture.EventConsume, Mode: capture.ModeConsume,
			Properties: capture.Properties{Expiration: "1000"},
			Body:       neonBody(fmt.Sprintf(benchRequestRepr, id))}
	}
	return capture.Message{Time: t0, VHost: "/neon_api", RoutingKey: benchReplyQueue, Queue: benchReplyQueue,
		Event: capture.EventConsume, Mode: capture.ModeReply,
		Properties: capture.Properties{Expiration: "1000"},
		Body:       neonBody(fmt.Sprintf(benchReplyRepr, id))}
}

// benchPool is a set of distinct messages cycled through by the append
// benchmarks; the store they fill holds fewer, so ids are evicted before
// they come round again.
var benchPool = sync.OnceValue(func() []capture.Message {
	pool := make([]capture.Message, 1<<16)
	for i := range pool {
		pool[i] = benchMessage(i)
	}
	return pool
})

// fillStore appends n benchmark messages to a new store.
func fillStore(n int) *Store {
	s := New(Options{MaxMessages: n, MaxBytes: 1 << 40})
	for i := range n {
		s.Append(benchMessage(i))
	}
	return s
}

// bigStore is the 1M-message store shared by the read benchmarks.
var bigStore = sync.OnceValue(func() *Store { return fillStore(benchMessages) })

func BenchmarkAppend(b *testing.B) {
	pool := benchPool()
	s := New(Options{MaxMessages: len(pool) / 2})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Append(pool[i%len(pool)])
		i++
	}
}

// BenchmarkAppendDecoded is the store's own share of Append: the body is
// decoded beforehand, as a consumer that already decoded it would.
func BenchmarkAppendDecoded(b *testing.B) {
	pool := benchPool()
	decoded := make([]neonwire.Decoded, len(pool))
	for i, m := range pool {
		decoded[i] = neonwire.Decode(m.Body)
	}
	s := New(Options{MaxMessages: len(pool) / 2})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % len(pool)
		s.AppendDecoded(pool[k], decoded[k])
		i++
	}
}

func BenchmarkAppendParallel(b *testing.B) {
	pool := benchPool()
	s := New(Options{MaxMessages: len(pool) / 2})
	var next sync.Mutex
	i := 0
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			next.Lock()
			k := i % len(pool)
			i++
			next.Unlock()
			s.Append(pool[k])
		}
	})
}

// BenchmarkMemoryPerMessage fills a store with 1M messages and reports the
// live heap per message beyond the body bytes and what the store counts
// against MaxBytes per message, which should be a little above the heap.
func BenchmarkMemoryPerMessage(b *testing.B) {
	var perMsg, counted, bodyLen float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s := fillStore(benchMessages)
		runtime.GC()
		runtime.ReadMemStats(&after)
		perMsg = float64(after.HeapAlloc-before.HeapAlloc) / benchMessages
		counted = float64(s.Stats().Bytes) / benchMessages
		bodyLen = s.averageBodyLength()
		runtime.KeepAlive(s)
	}
	b.ReportMetric(perMsg, "heap-B/msg")
	b.ReportMetric(counted, "counted-B/msg")
	b.ReportMetric(bodyLen, "body-B/msg")
	b.ReportMetric(perMsg-bodyLen, "beyond-body-B/msg")
}

// averageBodyLength returns the mean body length.
func (s *Store) averageBodyLength() float64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var nb int
	for seq := s.ring.first; seq < s.ring.next; seq++ {
		nb += len(s.ring.at(seq).body)
	}
	return float64(nb) / float64(s.ring.len())
}

// BenchmarkFilterFirstMatch is the time from a new filter to its first
// screen over 1M messages: one budgeted catch-up and 50 rows.
func BenchmarkFilterFirstMatch(b *testing.B) {
	s := bigStore()
	f := mustFilter(b, "lisbon")
	for b.Loop() {
		v := s.NewView(f)
		v.Len()
		if len(v.Range(0, 50)) != 50 {
			b.Fatal("no first screen")
		}
	}
}

// BenchmarkFilterFullScan applies filters that match nothing, so every
// one of the 1M messages is tested; a body term renders each message's
// search text as it goes (appendSearchText).
func BenchmarkFilterFullScan(b *testing.B) {
	s := bigStore()
	for _, q := range []string{"nowhere-to-be-found", "queue:nowhere", "/nowhere.*found/", "-enc:neon"} {
		b.Run(q, func(b *testing.B) {
			f := mustFilter(b, q)
			for b.Loop() {
				v := s.NewView(f)
				for v.Len(); v.Scanning(); v.Len() {
				}
				if v.Len() != 0 {
					b.Fatal("the filter matched")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchMessages, "ns/msg")
		})
	}
}

func BenchmarkRange50At1M(b *testing.B) {
	s := bigStore()
	b.ReportAllocs()
	for b.Loop() {
		if len(s.Range(s.Len()/2, 50)) != 50 {
			b.Fatal("short range")
		}
	}
}

func BenchmarkViewRange50At1M(b *testing.B) {
	s := bigStore()
	v := s.NewView(mustFilter(b, "mode:reply"))
	for v.Len(); v.Scanning(); v.Len() {
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(v.Range(v.Len()/2, 50)) != 50 {
			b.Fatal("short range")
		}
	}
}

func mustFilter(b *testing.B, q string) *Filter {
	b.Helper()
	f, err := ParseFilter(q)
	if err != nil {
		b.Fatal(err)
	}
	return f
}
