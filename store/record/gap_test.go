package record

import (
	"testing"
	"time"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

func TestGapMarkerSurvivesARecording(t *testing.T) {
	from := time.Date(2026, 11, 28, 7, 31, 2, 0, time.UTC)
	g := capture.Gap{Watch: "tap /llm persona #", From: from, To: from.Add(7 * time.Second), Reason: "private queue lost"}
	m := g.Marker("/llm", "persona", "", capture.ModeTap)
	path := testPath(t)
	w := mustCreate(t, path, Options{})
	d := neonwire.Decode(m.Body)
	w.Append(m, &d)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, path)
	if len(got) != 1 {
		t.Fatalf("read %d messages, want the marker", len(got))
	}
	back, ok := capture.GapOf(&got[0])
	if !ok || back.Watch != g.Watch || !back.From.Equal(g.From) || !back.To.Equal(g.To) || back.Reason != g.Reason {
		t.Fatalf("GapOf(read back) = %+v, %v; want %+v", back, ok, g)
	}
}
