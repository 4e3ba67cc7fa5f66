package ui

import (
	"errors"
	"strings"
	"testing"

	"mqscope/store/record"
)

// TestStatusBarSaysWhatTheRecordingCouldNotKeep shows the recording's
// note as the writer's counters change: plain while everything is written,
// in the danger colour with the count (and the error, on one line) once
// messages could not be recorded.
func TestStatusBarSaysWhatTheRecordingCouldNotKeep(t *testing.T) {
	m, _ := testModel(t, 200, 45, "dark", 1)
	var stats record.Stats
	m.env.record = func() recordNote { return recordStatus("rec.db", stats) }
	cases := []struct {
		stats record.Stats
		text  string
		lossy bool
	}{
		{record.Stats{Written: 120}, "rec rec.db: 120 written", false},
		{record.Stats{Written: 120, Dropped: 3}, "rec rec.db: 120 written, 3 not recorded", true},
		{record.Stats{Written: 120, Dropped: 40, LastErr: errors.New("recording rec.db: disk I/O error\nstack")},
			"rec rec.db: 120 written, 40 not recorded: recording rec.db: disk I/O error", true},
	}
	for _, tc := range cases {
		stats = tc.stats
		bar := m.renderStatus()
		style := m.st.BarKey
		if tc.lossy {
			style = m.st.BarError
		}
		if !strings.Contains(bar, style.Render(tc.text)) {
			t.Errorf("stats %+v: the bar %q does not show %q in the %s style", tc.stats, bar, tc.text, map[bool]string{true: "danger", false: "plain"}[tc.lossy])
		}
		if strings.Contains(bar, "stack") {
			t.Errorf("the bar shows more than the error's first line: %q", bar)
		}
	}
}
