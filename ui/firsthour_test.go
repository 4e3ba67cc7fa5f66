package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/themes"
)

// TestPKeyJumpsFromRequestToReplyAndBack (item 8).
func TestPKeyJumpsFromRequestToReplyAndBack(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 3)
	selectRow(m, 2) // the second request
	req, _ := m.selected()
	press(m, "p")
	rep, _ := m.selected()
	if rep == nil || rep.Pair == nil || !rep.Pair.IsReply || rep.Pair.Seq != req.Seq {
		t.Fatalf("p from the request selected %+v, want its reply", rep)
	}
	press(m, "p")
	if back, _ := m.selected(); back == nil || back.Seq != req.Seq {
		t.Fatalf("p from the reply selected %+v, want the request again", back)
	}
	selectRow(m, 6) // metrics: neither
	press(m, "p")
	if !m.status.isErr || !strings.Contains(m.status.text, "neither a request nor a reply") {
		t.Fatalf("status %q", m.status.text)
	}
}

// TestStatusBarSaysWhenFollowingStoppedAndWhatArrivedSince (item 8).
func TestStatusBarSaysWhenFollowingStoppedAndWhatArrivedSince(t *testing.T) {
	m, _ := testModel(t, 200, 45, "dark", 2)
	if strings.Contains(screen(m), "not following") {
		t.Fatal("a following list says nothing")
	}
	press(m, "k")
	fillStore(m.env.store, 1) // 6 more rows
	m.Update(frameMsg{})
	if s := screen(m); !strings.Contains(s, "↑ not following since 15:10:26 · 6 new rows · G follows") {
		t.Fatalf("the status bar should say since when and how many arrived:\n%s", s)
	}
	press(m, "G")
	if strings.Contains(screen(m), "not following") {
		t.Fatal("G follows again")
	}
	press(m, "space")
	fillStore(m.env.store, 1)
	m.Update(frameMsg{})
	if s := screen(m); !strings.Contains(s, "⏸ paused at 15:10:26 · 6 new rows · space resumes") || !strings.Contains(s, "space resume") {
		t.Fatalf("paused: the bar and the footer should say how to resume:\n%s", s)
	}
	press(m, "space")
	if s := screen(m); strings.Contains(s, "paused") || !strings.Contains(s, "space pause") {
		t.Fatalf("resumed:\n%s", s)
	}
}

// TestDetailPaneSaysThatItScrolls (item 8).
func TestDetailPaneSaysThatItScrolls(t *testing.T) {
	m, _ := testModel(t, 100, 24, "dark", 1)
	selectRow(m, 0)
	press(m, "l", "l", "l") // Properties & headers: longer than the pane
	if s := screen(m); !strings.Contains(s, "lines 1–") || !strings.Contains(s, "tab, then j/k scrolls") {
		t.Fatalf("the pane should say that it scrolls:\n%s", s)
	}
	press(m, "tab", "j")
	if s := screen(m); !strings.Contains(s, "lines 2–") || !strings.Contains(s, "j/k scroll") {
		t.Fatalf("scrolled:\n%s", s)
	}
}

// TestFilterWithNoMatchSaysSo (item 9).
func TestFilterWithNoMatchSaysSo(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 2)
	press(m, "/")
	typeText(m, "zzz_nothing")
	press(m, "enter")
	s := screen(m)
	if strings.Contains(s, "waiting for messages") || !strings.Contains(s, "no message matches zzz_nothing (8 hidden; / edits the filter)") {
		t.Fatalf("want the filter named and what it hides:\n%s", s)
	}
}

// TestFilterErrorGoesOnceTheFilterChanges and is wrapped whole (items 3, 9).
func TestFilterErrorGoesOnceTheFilterChanges(t *testing.T) {
	m, _ := testModel(t, 80, 24, "dark", 1)
	press(m, "/")
	typeText(m, "foo:bar")
	press(m, "enter")
	s := screen(m)
	if !strings.Contains(s, "put the term in quotes") || strings.Contains(s, "…put") {
		t.Fatalf("the whole error should show, wrapped:\n%s", s)
	}
	press(m, "backspace")
	if strings.Contains(screen(m), "unknown field") {
		t.Fatal("the error of the previous filter should go once it is edited")
	}
}

// TestEmptyFilterPromptDoesNotLookTyped (item 9): the placeholder is shown
// whole, starting with words no filter starts with.
func TestEmptyFilterPromptDoesNotLookTyped(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 1)
	press(m, "/")
	line := strings.Split(screen(m), "\n")[1]
	if !strings.HasPrefix(line, "/e.g.  queue:neon_api_input") || !strings.Contains(line, "esc cancels") {
		t.Fatalf("filter line %q", line)
	}
}

// TestRecordingShowsOnlyWhatWorks (item 10): no rates, no pause, no
// compose; c says why.
func TestRecordingShowsOnlyWhatWorks(t *testing.T) {
	m := offlineModel(t, t0.Add(time.Minute))
	s := screen(m)
	for _, absent := range []string{"msg/s", "rows/s", "space", "compose", "change what is watched"} {
		if strings.Contains(s, absent) {
			t.Errorf("a recording should not offer %q:\n%s", absent, s)
		}
	}
	press(m, "c")
	if m.mode == modeCompose || !strings.Contains(m.status.text, "no broker") {
		t.Fatalf("c in a recording: mode %v status %q", m.mode, m.status.text)
	}
	press(m, "space")
	if m.paused {
		t.Fatal("nothing arrives in a recording: space does nothing")
	}
}

// TestRecordingShowsTheDateWhenNotFromToday (item 10).
func TestRecordingShowsTheDateWhenNotFromToday(t *testing.T) {
	if s := screen(offlineModel(t, t0.Add(time.Minute))); strings.Contains(s, "2026-03-14") {
		t.Fatalf("rows of today need no date:\n%s", s)
	}
	if s := screen(offlineModel(t, t0.Add(48*time.Hour))); !strings.Contains(s, "2026-03-14 15:09:26.535") {
		t.Fatalf("rows of another day should show it:\n%s", s)
	}
}

// offlineModel is a model browsing a recording of testModel's traffic,
// with the clock at now.
func offlineModel(t *testing.T, now time.Time) *Model {
	t.Helper()
	m, _ := testModel(t, 160, 40, "dark", 2)
	e := m.env
	e.offline, e.now = "recording rec.db", func() time.Time { return now }
	m = newModel(e)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	m.Update(frameMsg{})
	return m
}

// TestHeaderNamesWhatFailed (item 11): with one queue watched there are
// two workers; the header names which failed and what still works.
func TestHeaderNamesWhatFailed(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 0)
	m.Update(eventsMsg{
		stateMsg{state: connector.State{Worker: "requests /neon_api", Kind: connector.StateConnected}},
		stateMsg{state: connector.State{Worker: "firehose /neon_api neon_api_input", Kind: connector.StateFailed}},
	})
	if s := screen(m); !strings.Contains(s, "✖ firehose failed · requests up") || strings.Contains(s, "1 of 2") {
		t.Fatalf("header:\n%s", strings.Split(s, "\n")[0])
	}
}

// TestTooSmallSaysBothSizes (item 4).
func TestTooSmallSaysBothSizes(t *testing.T) {
	m, _ := testModel(t, 50, 12, "dark", 0)
	if s := screen(m); !strings.Contains(s, "terminal too small: 50×12") || !strings.Contains(s, "mqscope needs at least 60×15") {
		t.Fatalf("too-small screen:\n%s", s)
	}
}

// TestEventMarkerAtEveryWidth (item 4): a publish and its deliver never
// look alike, however narrow.
func TestEventMarkerAtEveryWidth(t *testing.T) {
	for _, w := range []int{60, 80, 150} {
		cols, _ := listColumns(w, len(timeOfDay))
		if cols[1].title != "" || cols[1].width != 1 {
			t.Fatalf("width %d: columns %+v, want the one-character marker second", w, cols)
		}
	}
}

// TestComposeAt60x15HasAReply (item 4).
func TestComposeAt60x15HasAReply(t *testing.T) {
	m, req := testModel(t, 60, 15, "dark", 1)
	req.answer = func(queue string, v neonwire.Value) (*connector.Response, error) {
		return &connector.Response{MessageID: neonwire.MessageID(v), Latency: 3 * time.Millisecond, Value: dict("success", false, "code", int64(404))}, nil
	}
	selectRow(m, 0)
	press(m, "c")
	m.Update(collect(t, press(m, "ctrl+s"), isType(replyMsg{})))
	s := screen(m)
	if !strings.Contains(s, "↩ reply in 3.00ms") || !strings.Contains(s, `"success": false`) {
		t.Fatalf("compose at 60×15 should show the reply:\n%s", s)
	}
	checkFrame(t, m, "compose at 60x15")
}

// TestJSONWrapLeavesNoLoneComma (item 4): a value that fills the line
// does not leave its comma alone on the next one.
func TestJSONWrapLeavesNoLoneComma(t *testing.T) {
	st := NewStyles(mustPalette(t, "mono"))
	v := dict("error", "User does not exist", "message_id", strings.Repeat("e6", 16), "code", int64(404))
	for width := 12; width <= 60; width++ {
		for _, l := range jsonLines(v, width, &st) {
			plain := strings.TrimSpace(ansi.Strip(l))
			if plain == "," || plain == "}," || plain == "]," {
				t.Fatalf("width %d: a lone %q line in\n%s", width, plain, strings.Join(jsonLines(v, width, &st), "\n"))
			}
			if w := ansi.StringWidth(l); w > width {
				t.Fatalf("width %d: line %q is %d wide", width, plain, w)
			}
		}
	}
}

// TestErrorsAreWrappedNotCut (item 3): the line:col of a syntax error
// comes first, and long errors are shown whole.
func TestErrorsAreWrappedNotCut(t *testing.T) {
	if got := positionFirst(`not a valid Python literal: line 3:7: expected ':' after dict key, found '2'`); got != `line 3:7: not a valid Python literal: expected ':' after dict key, found '2'` {
		t.Fatalf("positionFirst = %q", got)
	}
	m, _ := testModel(t, 60, 15, "dark", 0)
	press(m, "x", "c")
	m.compose.body.SetValue("{\n  \"a\": 1,\n  \"b\" 2\n}")
	m.compose.revalidate()
	if s := screen(m); !strings.Contains(s, "line 3:7") {
		t.Fatalf("at 60×15 the error's line:col should show:\n%s", s)
	}
	long := `unroutable: no queue "no_such_queue" in vhost "/neon_api" — check the queue name`
	joined := strings.Join(wrapText(long, 30), " ")
	if joined != long {
		t.Fatalf("wrapping lost text: %q", joined)
	}
}

// TestStatusMessageTooLongIsWrappedAndReadableInFull (item 3).
func TestStatusMessageTooLongIsWrappedAndReadableInFull(t *testing.T) {
	m, _ := testModel(t, 150, 40, "dark", 1)
	msg := "copied body as JSON (1.2 KB) via OSC52 only (no system clipboard: xclip, xsel or wl-copy not found; install one or use a terminal that supports OSC52)"
	m.setStatus(msg, false)
	s := screen(m)
	if !strings.Contains(strings.ReplaceAll(s, "\n  ", " "), "via OSC52 only (no system clipboard") {
		t.Fatalf("the message should be whole:\n%s", s)
	}
	checkFrame(t, m, "long status")
	press(m, "!")
	if s := screen(m); !strings.Contains(s, "last message: copied") || !strings.Contains(s, "no system clipboard") {
		t.Fatalf("! should show the last message in full:\n%s", s)
	}
}

func mustPalette(t *testing.T, name string) themes.Palette {
	t.Helper()
	p, err := themes.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLongConnectionProblemIsReadableInFull (item 3): the alert line has
// three lines; what does not fit is a key press away.
func TestLongConnectionProblemIsReadableInFull(t *testing.T) {
	m, _ := testModel(t, 60, 15, "dark", 0)
	long := "TLS: certificate of mq.example.org:5671 signed by unknown authority (x509: certificate signed by unknown authority, possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"mqscope test CA\") — set mqscope.tls.ca_file to the CA that signed it"
	m.Update(sessionMsg{err: errors.New(long)})
	if s := screen(m); !strings.Contains(s, "… ! shows it all") {
		t.Fatalf("the cut alert should say how to read it all:\n%s", s)
	}
	press(m, "!")
	if s := strings.Join(strings.Fields(screen(m)), " "); !strings.Contains(s, "set mqscope.tls.ca_file to the CA that signed it") {
		t.Fatalf("! should show the whole problem:\n%s", screen(m))
	}
}
