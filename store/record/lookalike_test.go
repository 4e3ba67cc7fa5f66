package record

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestCreateRefusesALookAlikeAndLeavesItUntouched: a file with a meta
// table and a schema_version, but a messages table of other columns, is
// not a recording. It used to pass the check, be switched to WAL mode and
// only then fail on the first insert.
func TestCreateRefusesALookAlikeAndLeavesItUntouched(t *testing.T) {
	path := t.TempDir() + "/lookalike.db"
	db := rawWritableDB(t, path)
	if _, err := db.Exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
		INSERT INTO meta VALUES ('schema_version', '1');
		CREATE TABLE messages (seq INTEGER PRIMARY KEY, time TEXT, note TEXT);
		INSERT INTO messages (time, note) VALUES ('now', 'keep me')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "recording " + path + ": not an mqscope recording (its messages table has no column time_ns, vhost, exchange, "
	w, err := Create(path, Options{})
	if err == nil {
		w.Close()
		t.Fatal("Create succeeded on a look-alike")
	}
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Create: error %q, want it to start %q", err, want)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the file changed")
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Error("a -wal file appeared: the file was switched to WAL mode")
	}
	if r, err := Open(path); err == nil || !strings.HasPrefix(err.Error(), want) {
		if r != nil {
			r.Close()
		}
		t.Errorf("Open: error %v, want it to start %q", err, want)
	}
}

// TestDamagedRecordingSaysSoOnce: a damaged file is called damaged, once,
// with SQLite's specific words and without its generic text and number
// ("database disk image is malformed: malformed database schema … (11)").
func TestDamagedRecordingSaysSoOnce(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{})
	w.Append(fullMessage(0), nil)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("CREATE TABLE messages"), []byte("CREATE TABLX messages"), 1)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	err = ReadFile(path, nil)
	want := "recording " + path + `: the file is damaged (malformed database schema (messages) - near "TABLX": syntax error)`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}
