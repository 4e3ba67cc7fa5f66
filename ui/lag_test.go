package ui

import (
	"strings"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/store"
)

// lagClock is the fixed "now" of the lag tests.
var lagClock = time.Date(2026, 12, 3, 12, 0, 10, 0, time.UTC)

func TestEntryLag(t *testing.T) {
	captured := lagClock.Add(-200 * time.Millisecond)
	for _, tc := range []struct {
		name string
		msg  capture.Message
		want time.Duration
	}{
		{"broker header, in ms", capture.Message{Time: captured, Headers: map[string]any{"timestamp_in_ms": lagClock.Add(-3200 * time.Millisecond).UnixMilli()}}, 3 * time.Second},
		{"publisher timestamp, read at the end of its second", capture.Message{Time: captured, Properties: capture.Properties{Timestamp: capture.Timestamp{Time: lagClock.Add(-5500 * time.Millisecond)}}}, 4800 * time.Millisecond},
		{"no stamp says nothing", capture.Message{Time: captured}, 0},
		{"a stamp after the capture is not believed", capture.Message{Time: captured, Headers: map[string]any{"timestamp_in_ms": lagClock.Add(time.Minute).UnixMilli()}}, 0},
		{"a stamp from long before is not believed", capture.Message{Time: captured, Headers: map[string]any{"timestamp_in_ms": int32(5)}}, 0},
		{"no longer news", capture.Message{Time: lagClock.Add(-3 * time.Second), Headers: map[string]any{"timestamp_in_ms": lagClock.Add(-9 * time.Second).UnixMilli()}}, 0},
		{"a verdict is mqscope's own", capture.Message{Time: captured, Event: capture.EventVerdict, Headers: map[string]any{"timestamp_in_ms": lagClock.Add(-9 * time.Second).UnixMilli()}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := store.Entry{Msg: tc.msg}
			if got := entryLag(&e, lagClock); got != tc.want {
				t.Fatalf("lag = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLagBehindReadsTheNewestRow(t *testing.T) {
	s := store.New(store.Options{})
	if got := lagBehind(s, lagClock); got != 0 {
		t.Fatalf("empty store: lag = %v", got)
	}
	captured := lagClock.Add(-100 * time.Millisecond)
	s.Append(capture.Message{Time: captured, Headers: map[string]any{"timestamp_in_ms": lagClock.Add(-8 * time.Second).UnixMilli()}, Body: []byte("old")})
	s.Append(capture.Message{Time: captured, Headers: map[string]any{"timestamp_in_ms": lagClock.Add(-1500 * time.Millisecond).UnixMilli()}, Body: []byte("new")})
	if got := lagBehind(s, lagClock); got != 1400*time.Millisecond {
		t.Fatalf("lag = %v, want the newest row's 1.4s", got)
	}
}

func TestLagText(t *testing.T) {
	if got := lagText(time.Second); got != "" {
		t.Fatalf("1 s shows %q, want nothing", got)
	}
	if got := lagText(3200 * time.Millisecond); got != "⏱ 3.2 s behind" {
		t.Fatalf("lagText = %q", got)
	}
	st := NewStyles(mustPalette(t, "mono"))
	line := strings.Join(statusLines(statusInfo{count: 7, lag: 3200 * time.Millisecond}, &st, 120, 1), "\n")
	if !strings.Contains(line, "⏱ 3.2 s behind") {
		t.Fatalf("status bar %q does not show the lag", line)
	}
	line = strings.Join(statusLines(statusInfo{count: 7, lag: 900 * time.Millisecond}, &st, 120, 1), "\n")
	if strings.Contains(line, "behind") {
		t.Fatalf("status bar %q shows a lag under a second", line)
	}
}
