package capture

import (
	"testing"
	"time"
)

func TestGapMarkerSaysWhatWasMissed(t *testing.T) {
	from := time.Date(2026, 11, 28, 7, 31, 2, 123e6, time.UTC)
	g := Gap{Watch: "firehose /neon_api", From: from, To: from.Add(7 * time.Second), Reason: "private queue lost"}
	m := g.Marker("/neon_api", "", "", ModeFirehose)
	if m.Event != EventGap || m.Mode != ModeFirehose || m.VHost != "/neon_api" || !m.Time.Equal(g.To) {
		t.Fatalf("marker = %+v", m)
	}
	want := "firehose /neon_api not watching from 2026-11-28T07:31:02.123Z to 2026-11-28T07:31:09.123Z (private queue lost)"
	if string(m.Body) != want {
		t.Fatalf("body = %q, want %q", m.Body, want)
	}
	back, ok := GapOf(&m)
	if !ok || back.Watch != g.Watch || !back.From.Equal(g.From) || !back.To.Equal(g.To) || back.Reason != g.Reason {
		t.Fatalf("GapOf = %+v, %v; want %+v", back, ok, g)
	}
	if _, ok := GapOf(&Message{Event: EventPublish, Headers: m.Headers}); ok {
		t.Fatal("a message that is not a gap was read as one")
	}
	m.Headers = map[string]any{GapFromHeader: "yesterday"}
	if _, ok := GapOf(&m); ok {
		t.Fatal("a marker with unreadable headers was read as a gap")
	}
}
