package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDiffOfTwoMarkedMessages: d with two marked messages shows each
// field that was added, removed or changed, with its path, in colour; y
// copies the same as plain text; esc closes.
func TestDiffOfTwoMarkedMessages(t *testing.T) {
	clip := stubClipboard(t, nil)
	m, _ := testModel(t, 160, 40, "dark", 0)
	press(m, "x")
	sink := m.env.store.Sink(nil)
	sink(neonMsg(t0, "users", dict("user", dict("name", "ada", "units", dict("time", "12h")), "age", int64(36))))
	sink(neonMsg(t0.Add(time.Second), "users", dict("user", dict("name", "ada", "units", dict("time", "24h")), "email", "ada@example.org")))
	m.Update(frameMsg{at: t0})
	selectRow(m, 1)
	press(m, "m")
	selectRow(m, 0)
	press(m, "m")
	press(m, "d")
	if m.mode != modeDiff {
		t.Fatalf("mode %v, status %q: want the diff", m.mode, m.status.text)
	}
	s := screen(m)
	if strings.Count(s, "(seq ") != 2 {
		t.Errorf("the title should name both messages:\n%s", s)
	}
	for _, w := range []string{"3 changes: 1 added, 1 removed, 1 changed",
		"~ user.units.time: '12h' → '24h'", "- age: 36", "+ email: 'ada@example.org'"} {
		if !strings.Contains(s, w) {
			t.Errorf("the diff lacks %q:\n%s", w, s)
		}
	}
	if r := m.render(); !strings.Contains(r, "\x1b[") {
		t.Error("the diff should be in colour")
	}
	collect(t, press(m, "y"), isType(copiedMsg{}))
	clip.mu.Lock()
	copied := clip.text
	clip.mu.Unlock()
	if !strings.HasSuffix(copied, "+ email: 'ada@example.org'\n") || !strings.Contains(copied, "~ user.units.time: '12h' → '24h'\n") || strings.Contains(copied, "\x1b") {
		t.Fatalf("y copied %q, want the plain text", copied)
	}
	press(m, "esc")
	if m.mode != modeList {
		t.Fatalf("esc: mode %v", m.mode)
	}
}

// TestDiffScrolls: a diff longer than the screen scrolls with j and k.
func TestDiffScrolls(t *testing.T) {
	m, _ := testModel(t, 100, 20, "dark", 0)
	a, b := dict(), dict()
	for i := range 60 {
		k := fmt.Sprintf("f%02d", i)
		a.Set(k, int64(i))
		b.Set(k, int64(i+1))
	}
	press(m, "x")
	sink := m.env.store.Sink(nil)
	sink(neonMsg(t0, "q", a))
	sink(neonMsg(t0, "q", b))
	m.Update(frameMsg{at: t0})
	selectRow(m, 0)
	press(m, "m")
	selectRow(m, 1)
	press(m, "m", "d")
	if s := screen(m); !strings.Contains(s, "~ f00: 0 → 1") || strings.Contains(s, "~ f59") {
		t.Fatalf("the top of the diff:\n%s", s)
	}
	press(m, "G")
	if s := screen(m); !strings.Contains(s, "~ f59: 59 → 60") || strings.Contains(s, "~ f00:") {
		t.Fatalf("the end of the diff:\n%s", s)
	}
	press(m, "k")
	if m.diff.scroll == 0 {
		t.Fatal("k should scroll up by one")
	}
}

// TestDiffSaysWhatItNeeds: d with one or three marks, or with none on a
// row that was not re-sent, says what to do.
func TestDiffSaysWhatItNeeds(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 2)
	selectRow(m, 0)
	press(m, "d")
	if m.mode == modeDiff || !strings.Contains(m.status.text, "mark two messages with m, or re-send with r first") {
		t.Fatalf("d with nothing: %q", m.status.text)
	}
	press(m, "m", "d")
	if !strings.HasPrefix(m.status.text, "1 marked: mark one more") {
		t.Fatalf("d with one mark: %q", m.status.text)
	}
	for _, row := range []int{1, 2} {
		selectRow(m, row)
		press(m, "m")
	}
	press(m, "d")
	if !strings.HasPrefix(m.status.text, "3 marked: d diffs two messages") {
		t.Fatalf("d with three marks: %q", m.status.text)
	}
}

// TestDiffWithNoMarksShowsTheResentReply: after r, d on the selected
// reply compares it with the reply its re-send got.
func TestDiffWithNoMarksShowsTheResentReply(t *testing.T) {
	m, req := testModel(t, 160, 40, "dark", 2)
	req.answer = answerWith("Changed")
	selectRow(m, 1)
	m.Update(collect(t, press(m, "r"), isType(replyMsg{})))
	press(m, "d")
	if s := screen(m); m.mode != modeDiff || !strings.Contains(s, "~ content: 'Success' → 'Changed'") || strings.Contains(s, "message_id") && strings.Contains(s, "~ message_id") {
		t.Fatalf("mode %v:\n%s", m.mode, s)
	}
}
