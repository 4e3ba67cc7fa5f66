package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mqscope/capture"
	"mqscope/store"
	"mqscope/store/record"
	"mqscope/verdict"
)

// recordFilled writes a recording of fillStore's traffic and returns its
// path.
func recordFilled(t *testing.T, pairs int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec.db")
	w, err := record.Create(path, record.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	src := store.New(store.Options{})
	fillStore(src, pairs)
	for _, e := range src.Range(0, src.Len()) {
		w.Append(e.Msg, &e.Decoded)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// exportLines is what `mqscope export F.db --filter F` prints: its loop
// (cli/export.go), each row written as soon as the store holds it.
func exportLines(t *testing.T, path, filter string) []byte {
	t.Helper()
	f, err := store.ParseFilter(filter)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	st := store.New(store.Options{})
	if err := record.ReadFile(path, func(m capture.Message) error {
		e, ok := st.Get(st.Append(m))
		if !ok || !f.Match(&e) {
			return nil
		}
		return store.WriteJSONLine(&out, e)
	}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// recordingModel is the model of `mqscope open path` without a broker.
func recordingModel(t *testing.T, path string) *Model {
	t.Helper()
	st := store.New(store.Options{})
	if err := loadRecording(path, st); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := newModel(env{ctx: ctx, store: st, events: newEventQueue(), offline: "recording rec.db",
		noBroker: "no broker is configured", loc: time.UTC, now: func() time.Time { return t0.Add(time.Minute) }})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	m.Update(frameMsg{at: t0})
	return m
}

// exportFrom opens a recording as `mqscope open` does, filters it, and
// exports the view to name in dir through the prompt.
func exportFrom(t *testing.T, path, filter, name string) (*Model, string) {
	t.Helper()
	m := recordingModel(t, path)
	if filter != "" {
		press(m, "/")
		typeText(m, filter)
		press(m, "enter")
	}
	out := filepath.Join(t.TempDir(), name)
	press(m, "e")
	if m.mode != modeExport || !strings.HasPrefix(m.export.input.Value(), "./mqscope-export-20260314-151026.jsonl") {
		t.Fatalf("e: mode %v, default name %q", m.mode, m.export.input.Value())
	}
	m.export.input.SetValue(out)
	cmd := press(m, "enter")
	m.Update(collect(t, cmd, isType(exportedMsg{})))
	return m, out
}

// TestExportJSONLinesEqualsMqscopeExport: the JSON lines e writes from a
// filtered view of a recording are byte for byte what `mqscope export`
// writes with the same filter; the status says how many and where.
func TestExportJSONLinesEqualsMqscopeExport(t *testing.T) {
	path := recordFilled(t, 5)
	for _, filter := range []string{"", "queue:neon_api_input", "-event:deliver status_code"} {
		m, out := exportFrom(t, path, filter, "view.jsonl")
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("filter %q: %v (status %q)", filter, err, m.status.text)
		}
		want := exportLines(t, path, filter)
		if !bytes.Equal(got, want) {
			t.Fatalf("filter %q: the UI wrote\n%s\nmqscope export writes\n%s", filter, got, want)
		}
		rows := bytes.Count(want, []byte("\n"))
		if wantStatus := "exported " + strconv.Itoa(rows) + " rows to " + out + " (JSON lines)"; m.status.text != wantStatus {
			t.Errorf("status %q, want %q", m.status.text, wantStatus)
		}
	}
}

// TestExportCSV: one column per top-level decoded field, their union over
// the rows in order of first appearance, after seq, time, event, queue
// and message_id; strings as they are, other values as JSON.
func TestExportCSV(t *testing.T) {
	path := recordFilled(t, 2)
	m, records := exportCSVFrom(t, path, "-queue:blobs")
	wantHeader := "seq,time,event,queue,message_id,service,routing_key,body.message_id,status_code,content,encoding,cpu,ok"
	if got := strings.Join(records[0], ","); got != wantHeader {
		t.Fatalf("header %s, want %s", got, wantHeader)
	}
	id := strings.Repeat("1a", 16)
	wantRows := [][]string{
		{"1", "2026-03-14T15:09:26.535Z", "publish", "neon_api_input", id, "api_test_endpoint", "a1b2c3d4e5f60718293a4b5c6d7e8f90", id, "", "", "", "", ""},
		{"2", "2026-03-14T15:09:26.5473Z", "publish", "a1b2c3d4e5f60718293a4b5c6d7e8f90", id, "", "", id, "200", "Success", "null", "", ""},
	}
	for i, want := range wantRows {
		if got := strings.Join(records[i+1], "|"); got != strings.Join(want, "|") {
			t.Errorf("row %d: %s\nwant   %s", i+1, got, strings.Join(want, "|"))
		}
	}
	if got := strings.Join(records[5], "|"); !strings.HasSuffix(got, "|0.5|true") {
		t.Errorf("the JSON row: %s", got)
	}
	if len(records) != 1+7 || !strings.HasSuffix(m.status.text, "(CSV)") {
		t.Fatalf("%d records, status %q", len(records), m.status.text)
	}
}

// TestExportNeverOverwrites: an existing file is refused, and the prompt
// stays open to type another name; an unknown extension is refused too.
func TestExportNeverOverwrites(t *testing.T) {
	m, _ := testModel(t, 160, 40, "dark", 2)
	existing := filepath.Join(t.TempDir(), "keep.jsonl")
	if err := os.WriteFile(existing, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	press(m, "e")
	m.export.input.SetValue(existing)
	if cmd := press(m, "enter"); cmd != nil || m.mode != modeExport || !strings.Contains(m.export.err, "exists: mqscope does not overwrite a file") {
		t.Fatalf("mode %v, err %q", m.mode, m.export.err)
	}
	if s := screen(m); !strings.Contains(s, "exists: mqscope does not overwrite") {
		t.Fatalf("the prompt should say why:\n%s", s)
	}
	if data, _ := os.ReadFile(existing); string(data) != "precious\n" {
		t.Fatalf("the file was changed: %q", data)
	}
	m.export.input.SetValue(filepath.Join(t.TempDir(), "view.txt"))
	press(m, "enter")
	if !strings.Contains(m.export.err, "must end in .jsonl") {
		t.Fatalf("err %q", m.export.err)
	}
	press(m, "esc")
	if m.mode != modeList {
		t.Fatalf("esc: mode %v", m.mode)
	}
}

// exportCSVFrom exports the view of the recording at path, filtered, to a
// CSV file and reads it back.
func exportCSVFrom(t *testing.T, path, filter string) (*Model, [][]string) {
	t.Helper()
	m, out := exportFrom(t, path, filter, "view.csv")
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%v (status %q)", err, m.status.text)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return m, records
}

// TestExportCSVKeepsWhatAVerdictRowSays: a verdict row's cells are the
// fields of its JSON line (verdict, detail, latency_ms, request_seq) and
// the message_id of its request.
func TestExportCSVKeepsWhatAVerdictRowSays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.db")
	w, err := record.Create(path, record.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("ab", 16)
	v := verdict.Verdict{Code: verdict.Replied, MessageID: id, VHost: "/neon_api", Queue: "neon_api_input",
		RequestSeq: 7, Latency: 4500 * time.Microsecond, Detail: "replied in 4.50 ms", At: t0}
	vm := v.Message()
	w.Append(vm, nil)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, records := exportCSVFrom(t, path, "")
	want := "seq,time,event,queue,message_id,verdict,detail,latency_ms,request_seq|1,2026-03-14T15:09:26.535Z,verdict,neon_api_input," + id + ",replied,replied in 4.50 ms,4.5,7"
	if got := strings.Join(records[0], ",") + "|" + strings.Join(records[1], ","); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestExportWhilePausedWritesWhatTheListShows: rows that arrive after the
// pause are not in the file.
func TestExportWhilePausedWritesWhatTheListShows(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 1)
	shown := m.view.Len()
	press(m, "space")
	sink := m.env.store.Sink(nil)
	for i := range 3 {
		sink(neonMsg(t0, "neon_api_input", dict("service", "late", "message_id", strings.Repeat("9", 31)+string(rune('0'+i)))))
	}
	m.Update(frameMsg{at: t0})
	out := filepath.Join(t.TempDir(), "paused.jsonl")
	press(m, "e")
	m.export.input.SetValue(out)
	m.Update(collect(t, press(m, "enter"), isType(exportedMsg{})))
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%v (status %q)", err, m.status.text)
	}
	if n := bytes.Count(data, []byte("\n")); n != shown || bytes.Contains(data, []byte(`"late"`)) {
		t.Fatalf("wrote %d rows, want the %d shown when paused", n, shown)
	}
}
