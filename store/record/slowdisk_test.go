package record

import (
	"context"
	"testing"
)

// lockRecording takes SQLite's write lock on the recording at path from
// another connection, as a slow or stalled disk holds up a commit; the
// returned function releases it. The writer's commits wait for it (up to
// busy_timeout) while Append keeps returning.
func lockRecording(t *testing.T, path string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := rawWritableDB(t, path).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		_ = conn.Close()
	}
}

func TestStalledDiskNeverBlocksAppendAndSignalsTheFirstDrop(t *testing.T) {
	path := testPath(t)
	// A batch of one: the writer goroutine holds at most one message while
	// its commit waits, and the buffer two more.
	w := mustCreate(t, path, Options{Buffer: 2, BatchSize: 1})
	release := lockRecording(t, path)
	select {
	case <-w.Dropping():
		t.Fatal("Dropping is closed before anything was dropped")
	default:
	}
	const n = 10
	for i := range n {
		w.Append(fullMessage(i), nil) // would hang here if Append waited for the disk
	}
	select {
	case <-w.Dropping():
	default:
		t.Fatalf("Dropping is still open after %d messages were not recorded", w.Stats().Dropped)
	}
	if s := w.Stats(); s.Dropped < n-3 {
		t.Fatalf("stats %+v: with the disk stalled at most 3 of %d messages fit", s, n)
	}
	release()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if s := w.Stats(); s.Written+s.Dropped != n || s.Written == 0 {
		t.Fatalf("stats %+v: every message must be written or counted, and the held ones written once the disk is back", s)
	}
}

func TestFailedBatchClosesDropping(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{})
	if _, err := rawWritableDB(t, path).Exec(`DROP TABLE messages_fts; DROP TABLE messages`); err != nil {
		t.Fatal(err)
	}
	w.Append(fullMessage(0), nil)
	<-w.Dropping() // the batch fails within BatchInterval; the test deadline bounds a bug
	if s := w.Stats(); s.Dropped != 1 || s.LastErr == nil {
		t.Fatalf("stats %+v: a failed batch must be counted, with its error, by the time Dropping closes", s)
	}
}
