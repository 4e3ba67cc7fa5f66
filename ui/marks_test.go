package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestMarksShowAtEveryWidthAndAreCounted: a marked row shows the mark in
// the list at the widest and the narrowest screens, and the status bar
// counts the marks; m again unmarks.
func TestMarksShowAtEveryWidthAndAreCounted(t *testing.T) {
	m, _ := testModel(t, 200, 40, "dark", 2)
	selectRow(m, 0)
	press(m, "m")
	selectRow(m, 2)
	press(m, "m")
	for _, w := range []int{200, 100, 60} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		lines := strings.Split(ansi.Strip(m.list.render(m.view.Range(0, 4), w, &m.st, true, m.rowCtx(), "")), "\n")
		for i, want := range []bool{true, false, true, false} {
			if got := strings.Contains(lines[i+1], markGlyph); got != want {
				t.Errorf("width %d, row %d: marked shown %v, want %v: %q", w, i, got, want, lines[i+1])
			}
		}
	}
	if s := screen(m); !strings.Contains(s, "2 marked") {
		t.Fatalf("the status bar should count the marks:\n%s", s)
	}
	press(m, "m") // row 2 is still selected
	if len(m.marks.seqs) != 1 || strings.Contains(screen(m), "2 marked") {
		t.Fatalf("m on a marked row should unmark it: %v", m.marks.seqs)
	}
}

// TestMarksSurviveFiltering: a filter that hides a marked row keeps its
// mark (R and d still act on it) and the count says how many are hidden;
// clearing the store drops marks of rows no longer held.
func TestMarksSurviveFiltering(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 2)
	selectRow(m, 0) // a request on neon_api_input
	press(m, "m")
	selectRow(m, 1) // its reply, on the reply queue
	press(m, "m")
	press(m, "/")
	typeText(m, "queue:neon_api_input")
	press(m, "enter")
	if m.view.Len() != 2 || len(m.marks.seqs) != 2 {
		t.Fatalf("after the filter: %d rows, marks %v", m.view.Len(), m.marks.seqs)
	}
	if s := screen(m); !strings.Contains(s, "2 marked") {
		t.Fatalf("the count should include the hidden mark:\n%s", s)
	}
	selectRow(m, 1) // the second request: marked now too
	press(m, "m")
	if !strings.HasSuffix(m.status.text, "3 marked (1 hidden by the filter)") {
		t.Fatalf("status %q", m.status.text)
	}
	press(m, "x")
	if len(m.marks.seqs) != 0 {
		t.Fatalf("x cleared the rows but marks %v remain", m.marks.seqs)
	}
}
