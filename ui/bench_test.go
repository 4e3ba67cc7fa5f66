package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mqscope/capture"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector/neonwire"
	"mqscope/store"
)

// bulkStore holds n messages: n-1000 identical metrics messages (decoded
// once and shared, so building a million is quick) followed by the
// realistic mix of fillStore.
func bulkStore(n int) *store.Store {
	s := store.New(store.Options{MaxMessages: n + 2000})
	body := neonwire.Encode(dict("metric", "cpu", "value", 0.5, "host", "node-1"))
	d := neonwire.Decode(body)
	m := capture.Message{VHost: "/neon_metrics", Queue: "neon_metrics_input", Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: body}
	for i := range max(n-1000, 0) {
		m.Time = t0.Add(time.Duration(i) * time.Millisecond)
		s.AppendDecoded(m, d)
	}
	fillStore(s, 500-4)
	return s
}

// BenchmarkView renders a 200×50 frame over stores of 1k and 1M messages:
// the time must not depend on the store's size (goal ≤ 2 ms).
func BenchmarkView(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		s := bulkStore(n)
		b.Run(fmt.Sprintf("%d", n), func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			m := newModel(env{ctx: ctx, store: s, events: newEventQueue(), service: "neon_api_connector",
				vhost: "/neon_api", theme: "dark", loc: time.UTC, now: time.Now})
			m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
			m.Update(frameMsg{})
			press(m, "k") // selection off the tail, as while reading
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m.Update(frameMsg{}) // a frame pulls, then draws
				_ = m.View()
			}
		})
	}
}
