package ui

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mqscope/store"
)

// BenchmarkKeyPressDuringBurst measures how quickly the UI answers a key
// while another goroutine appends Neon messages to the store as fast as it
// can (decoding each, as the consumer goroutine does), with a store budget
// small enough that the burst keeps evicting. Goal: well within one frame
// (frameInterval, 33 ms).
//
//   - key: a key press (j or k, alternating) through Update, then View.
//   - frame+key: the frame's pull of everything appended since the last
//     one, then the key and View: the worst case, a key that arrives just
//     as a frame starts and waits for it.
//
// Besides ns/op it reports the 99th percentile and the maximum in ms, and
// the rate the appender kept up meanwhile.
func BenchmarkKeyPressDuringBurst(b *testing.B) {
	for _, withFrame := range []bool{false, true} {
		name := "key"
		if withFrame {
			name = "frame+key"
		}
		b.Run(name, func(b *testing.B) {
			s := store.New(store.Options{MaxBytes: 64 << 20})
			m := burstModel(b, s)
			stop := appendBurst(s)
			keys := []tea.KeyPressMsg{keyMsg("j"), keyMsg("k")}
			var took []time.Duration
			b.ResetTimer()
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				t := time.Now()
				if withFrame {
					m.Update(frameMsg{at: t})
				}
				m.Update(keys[i%2])
				_ = m.View()
				took = append(took, time.Since(t))
			}
			elapsed := time.Since(start)
			b.StopTimer()
			appended := stop()
			reportLatencies(b, took)
			b.ReportMetric(float64(appended)/elapsed.Seconds(), "appended-msgs/s")
		})
	}
}

// burstModel is a 200×50 model over s, already following a store that
// holds messages, with the list focused.
func burstModel(b *testing.B, s *store.Store) *Model {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	fillStore(s, 5000)
	m := newModel(env{ctx: ctx, store: s, events: newEventQueue(), service: "neon_api_connector",
		vhost: "/neon_api", watches: []string{"firehose:neon_api_input"}, names: []string{"neon_api_input"},
		theme: "dark", loc: time.UTC, now: time.Now})
	m.Update(sessionMsg{req: &fakeRequester{}})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	m.Update(frameMsg{at: t0})
	return m
}

// appendBurst appends distinct Neon requests to s through its Sink from
// one goroutine until the returned function is called; that function
// returns how many it appended.
func appendBurst(s *store.Store) (stop func() uint64) {
	var done atomic.Bool
	var n uint64
	var wg sync.WaitGroup
	sink := s.Sink(nil)
	wg.Go(func() {
		data := dict("utterance", "what time is it", "lang", "en-us")
		for i := 0; !done.Load(); i++ {
			body := dict("msg_type", "neon.get_stt", "data", data, "message_id", fmt.Sprintf("%032x", i), "seq", int64(i))
			sink(neonMsg(time.Now(), "neon_api_input", body))
			n++
		}
	})
	return func() uint64 {
		done.Store(true)
		wg.Wait()
		return n
	}
}

// reportLatencies reports the 99th percentile and the maximum of took.
func reportLatencies(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	p99 := took[min(len(took)*99/100, len(took)-1)]
	b.ReportMetric(float64(p99)/1e6, "p99-ms")
	b.ReportMetric(float64(took[len(took)-1])/1e6, "max-ms")
}
