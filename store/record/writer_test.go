package record

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

func TestRoundTripRestoresEveryField(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{Version: "test"})
	var want []capture.Message
	for i := range 50 {
		want = append(want, fullMessage(i))
	}
	// Edge cases: nothing optional set, an empty (not missing) body, empty
	// (not missing) headers and routed queues; timestamps in milliseconds
	// (no date as seconds) and a header string that is not UTF-8, which
	// JSON cannot hold as they are; a message whose headers the client
	// could not read.
	millis := time.Unix(1_700_000_000_123, 0).UTC()
	want = append(want,
		capture.Message{Time: baseTime},
		capture.Message{Time: baseTime, Body: []byte{}, Headers: map[string]any{}, RoutedQueues: []string{}},
		capture.Message{Time: baseTime, Properties: capture.Properties{Timestamp: capture.Timestamp{Time: millis}},
			Headers: map[string]any{"sent": millis, "latin1": "caf\xe9", "in": []any{"\xff"}}},
		capture.Message{Time: baseTime, Event: capture.EventUnreadable, Mode: capture.ModeConsume, Body: []byte("x"),
			Headers: map[string]any{capture.UnreadableHeader: "consume of a message the client cannot read whole: too deep"}},
	)
	for _, m := range want {
		w.Append(m, nil)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, path)
	if len(got) != len(want) {
		t.Fatalf("read %d messages, wrote %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("message %d:\n got %#v\nwant %#v", i, got[i], want[i])
		}
	}
	if s := w.Stats(); s.Written != uint64(len(want)) || s.Dropped != 0 || s.LastErr != nil {
		t.Errorf("stats %+v, want %d written and no drops or error", s, len(want))
	}
}

func TestNewRecordingLayout(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{Version: "mqscope 1.2.3"})
	w.Append(fullMessage(0), nil)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	meta := map[string]string{}
	rows, err := db.Query(`SELECT key, value FROM meta`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		meta[k] = v
	}
	if meta["schema_version"] != "1" || meta["mqscope_version"] != "mqscope 1.2.3" {
		t.Errorf("meta = %v", meta)
	}
	if _, err := time.Parse(time.RFC3339, meta["created_at"]); err != nil {
		t.Errorf("created_at: %v", err)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var ts string
	var ns int64
	if err := db.QueryRow(`SELECT time, time_ns FROM messages`).Scan(&ts, &ns); err != nil {
		t.Fatal(err)
	}
	m := fullMessage(0)
	if ts != "2026-03-14T09:26:53.589793238Z" || ns != m.Time.UnixNano() {
		t.Errorf("time = %q, time_ns = %d", ts, ns)
	}
}

func TestCreateAppendsToExistingRecording(t *testing.T) {
	path := testPath(t)
	for run := range 2 {
		w := mustCreate(t, path, Options{Version: fmt.Sprintf("run %d", run)})
		for i := range 3 {
			w.Append(fullMessage(run*3+i), nil)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	got := readAll(t, path)
	if len(got) != 6 {
		t.Fatalf("read %d messages, want 6", len(got))
	}
	for i, m := range got {
		if want := fmt.Sprintf("publish.%d", i); m.RoutingKey != want {
			t.Errorf("message %d has routing key %q, want %q (seq order)", i, m.RoutingKey, want)
		}
	}
	var version string
	if err := rawDB(t, path).QueryRow(`SELECT value FROM meta WHERE key = 'mqscope_version'`).Scan(&version); err != nil || version != "run 0" {
		t.Errorf("mqscope_version = %q, %v; want the creator's, %q", version, err, "run 0")
	}
}

func TestBatchCommittedWithinInterval(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{BatchInterval: 100 * time.Millisecond, BatchSize: 1000})
	for i := range 3 {
		w.Append(fullMessage(i), nil)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Far fewer than BatchSize messages, and the writer is still open: only
	// the interval can commit them, and another connection must see them.
	waitFor(t, "3 committed messages", func() bool {
		n, err := r.Count()
		return err == nil && n == 3
	})
	if s := w.Stats(); s.Written != 3 || s.Batches == 0 {
		t.Errorf("stats %+v, want 3 written in at least one batch", s)
	}
}

func TestBatchCommittedWhenFull(t *testing.T) {
	path := testPath(t)
	// An interval no test outlives: every commit before Close is a full batch.
	w := mustCreate(t, path, Options{BatchInterval: time.Hour, BatchSize: 10})
	for i := range 25 {
		w.Append(fullMessage(i), nil)
	}
	waitFor(t, "two full batches", func() bool { return w.Stats().Written == 20 })
	if s := w.Stats(); s.Batches != 2 {
		t.Errorf("stats %+v, want 2 batches", s)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if s := w.Stats(); s.Written != 25 || s.Batches != 3 {
		t.Errorf("after Close: stats %+v, want 25 written in 3 batches", s)
	}
}

func TestAppendDropsWhenBufferFull(t *testing.T) {
	path := testPath(t)
	// The goroutine is not started yet, so nothing drains the buffer and
	// exactly Buffer messages fit, whatever the scheduler does.
	w, err := newWriter(path, Options{Buffer: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		w.Append(fullMessage(i), nil)
	}
	if s := w.Stats(); s.Dropped != 6 || s.Written != 0 {
		t.Fatalf("stats %+v, want 6 dropped and none written", s)
	}
	w.start()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if s := w.Stats(); s.Written != 4 || s.Dropped != 6 {
		t.Errorf("after Close: stats %+v, want 4 written and 6 dropped", s)
	}
	got := readAll(t, path)
	if len(got) != 4 || got[0].RoutingKey != "publish.0" || got[3].RoutingKey != "publish.3" {
		t.Errorf("recorded %d messages; want the first 4", len(got))
	}
}

func TestAppendAfterCloseIsCountedAndCloseIsIdempotent(t *testing.T) {
	w := mustCreate(t, testPath(t), Options{})
	w.Append(fullMessage(0), nil)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.Append(fullMessage(1), nil)
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if s := w.Stats(); s.Written != 1 || s.Dropped != 1 {
		t.Errorf("stats %+v, want 1 written and 1 dropped", s)
	}
}

func TestPrecomputedDecodeIsRecorded(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{})
	m := fullMessage(0)
	m.Body = []byte("plain text that Decode would call text")
	d := neonwire.Decoded{
		Encoding: neonwire.EncNeon,
		Value:    &neonwire.Dict{Items: []neonwire.Item{{Key: "message_id", Value: "from-the-caller"}}},
	}
	w.Append(m, &d)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var enc, id string
	if err := rawDB(t, path).QueryRow(`SELECT encoding, message_id FROM messages`).Scan(&enc, &id); err != nil {
		t.Fatal(err)
	}
	if enc != "neon" || id != "from-the-caller" {
		t.Errorf("encoding %q, message_id %q: the caller's decode was not used", enc, id)
	}
}

func TestCreateRefusesForeignFileAndLeavesItAlone(t *testing.T) {
	dir := t.TempDir()
	foreign := dir + "/other.db"
	db := rawWritableDB(t, foreign)
	if _, err := db.Exec(`CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep me')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	text := dir + "/notes.txt"
	if err := os.WriteFile(text, []byte("just some text, long enough to be a header\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, reason := range map[string]string{
		foreign: "no messages table",
		text:    "not an SQLite database",
	} {
		before, _ := os.ReadFile(path)
		w, err := Create(path, Options{})
		if err == nil {
			w.Close()
			t.Fatalf("Create(%s) succeeded on a file that is not a recording", path)
		}
		if want := "recording " + path + ": not an mqscope recording (" + reason + ")"; err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("%s changed", path)
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			t.Errorf("%s-wal appeared: the file was switched to WAL", path)
		}
	}
}

func TestOpenExplainsWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	missing := dir + "/missing.db"
	noMeta := dir + "/nometa.db"
	db := rawWritableDB(t, noMeta)
	if _, err := db.Exec(`CREATE TABLE messages (seq INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for path, want := range map[string]string{
		missing: "recording " + missing + ": no such file or directory",
		noMeta:  "recording " + noMeta + ": not an mqscope recording (no meta table)",
		dir:     "recording " + dir + ": not an mqscope recording (not a regular file)",
	} {
		r, err := Open(path)
		if err == nil {
			r.Close()
			t.Fatalf("Open(%s) succeeded", path)
		}
		if err.Error() != want || strings.Contains(err.Error(), "\n") {
			t.Errorf("error %q, want %q", err, want)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("Open created %s", missing)
	}
}

func TestFullTextSearchFindsDecodedWords(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{})
	m := fullMessage(0)
	m.Body = neonBody("{'query': 'tell me about aardvarks', 'message_id': 'abc'}")
	w.Append(fullMessage(1), nil)
	w.Append(m, nil)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := rawDB(t, path).Query(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'aardvarks'`)
	if err != nil {
		t.Fatalf("FTS5 query: %v", err)
	}
	defer rows.Close()
	var seqs []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	if len(seqs) != 1 || seqs[0] != 2 {
		t.Errorf("MATCH 'aardvarks' found seqs %v, want [2]", seqs)
	}
}

func TestConcurrentAppendAndCloseLoseNothingUncounted(t *testing.T) {
	w := mustCreate(t, testPath(t), Options{Buffer: 64, BatchSize: 16})
	const goroutines, each = 4, 300
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				w.Append(fullMessage(g*each+i), nil)
			}
		})
	}
	waitFor(t, "some messages written", func() bool { return w.Stats().Written > 0 })
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if s := w.Stats(); s.Written+s.Dropped != goroutines*each {
		t.Errorf("stats %+v: written + dropped should be %d", s, goroutines*each)
	}
}

func TestFailedBatchIsCountedAndReported(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{})
	// Another connection breaks the recording under the writer, as a full
	// disk or a removed file would.
	if _, err := rawWritableDB(t, path).Exec(`DROP TABLE messages_fts; DROP TABLE messages`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		w.Append(fullMessage(i), nil)
	}
	waitFor(t, "the batch to fail", func() bool { return w.Stats().Dropped == 3 })
	s := w.Stats()
	if s.Written != 0 || s.LastErr == nil || !strings.HasPrefix(s.LastErr.Error(), "recording "+path+": ") {
		t.Errorf("stats %+v, want nothing written and an error naming the recording", s)
	}
	if err := w.Close(); err == nil || err.Error() != s.LastErr.Error() {
		t.Errorf("Close returned %v, want the write error %v", err, s.LastErr)
	}
}

// A batch whose transaction fails part way loses every message in it, those
// already inserted and those not yet tried, and counts each once.
func TestBatchFailingPartWayCountsEachMessageOnce(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{BatchInterval: time.Hour}) // one batch, whatever the machine's pace
	if _, err := rawWritableDB(t, path).Exec(`CREATE TRIGGER refuse BEFORE INSERT ON messages
		WHEN new.routing_key = 'publish.1' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		w.Append(fullMessage(i), nil)
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "refused by a trigger") {
		t.Fatalf("Close: %v, want the trigger's error", err)
	}
	if s := w.Stats(); s.Written != 0 || s.Dropped != 3 || s.Batches != 0 {
		t.Fatalf("stats %+v, want all 3 dropped, none written", s)
	}
	if got := readAll(t, path); len(got) != 0 {
		t.Fatalf("recorded %d messages, want none: the transaction was rolled back", len(got))
	}
}

// A batch whose full-text indexing fails is lost whole, rows and all.
func TestBatchFailingAtTheIndexIsLostWhole(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{BatchInterval: time.Hour})
	if _, err := rawWritableDB(t, path).Exec(`DROP TABLE messages_fts`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		w.Append(fullMessage(i), nil)
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "messages_fts") {
		t.Fatalf("Close: %v, want the index's error", err)
	}
	if s := w.Stats(); s.Written != 0 || s.Dropped != 3 {
		t.Fatalf("stats %+v, want all 3 dropped, none written", s)
	}
	if got := readAll(t, path); len(got) != 0 {
		t.Fatalf("recorded %d messages, want none: the transaction was rolled back", len(got))
	}
}
