package store

import (
	"testing"
	"time"

	"mqscope/capture"
)

// gapMarker is the marker a firehose watch of /neon_api reports after
// losing its private queue for seven seconds.
func gapMarker() capture.Message {
	from := time.Date(2026, 11, 28, 7, 31, 2, 0, time.UTC)
	g := capture.Gap{Watch: "firehose /neon_api", From: from, To: from.Add(7 * time.Second), Reason: "private queue lost"}
	return g.Marker("/neon_api", "", "", capture.ModeFirehose)
}

func TestGapMarkerIsAJSONLineOfEventGap(t *testing.T) {
	s := New(Options{})
	e, _ := s.Get(s.Append(gapMarker()))
	obj, _ := writeLine(t, e)
	if obj["event"] != "gap" || obj["mode"] != "firehose" || obj["vhost"] != "/neon_api" || obj["time"] != "2026-11-28T07:31:09Z" {
		t.Fatalf("line = %v", obj)
	}
	h, _ := obj["headers"].(map[string]any)
	if h[capture.GapFromHeader] != "2026-11-28T07:31:02Z" || h[capture.GapToHeader] != "2026-11-28T07:31:09Z" ||
		h[capture.GapReasonHeader] != "private queue lost" || h[capture.GapWatchHeader] != "firehose /neon_api" {
		t.Fatalf("headers = %v", h)
	}
	if obj["body"] != "firehose /neon_api not watching from 2026-11-28T07:31:02.000Z to 2026-11-28T07:31:09.000Z (private queue lost)" {
		t.Fatalf("body = %v", obj["body"])
	}
	if _, ok := obj["message_id"]; ok || e.Pair != nil {
		t.Fatalf("a gap is no message to pair: %v", obj)
	}
}

func TestFilterFindsGaps(t *testing.T) {
	s := New(Options{})
	s.Append(capture.Message{VHost: "/neon_api", Queue: "q", Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: []byte("x")})
	gap := s.Append(gapMarker())
	f, err := ParseFilter("event:gap")
	if err != nil {
		t.Fatal(err)
	}
	var matched []uint64
	entries, _ := s.Since(0)
	for i := range entries {
		if f.Match(&entries[i]) {
			matched = append(matched, entries[i].Seq)
		}
	}
	if len(matched) != 1 || matched[0] != gap {
		t.Fatalf("event:gap matched %v, want only %d", matched, gap)
	}
}
