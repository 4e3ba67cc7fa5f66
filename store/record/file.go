package record

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// fileMode is the permission of a recording and of its -wal and -shm files:
// message bodies can hold personal data, so only the owner may read them.
const fileMode = 0o600

// writeParams configure the writer's connection. WAL lets readers (mqscope
// open, sqlite3) look at a recording while it grows; synchronous=NORMAL in WAL
// mode survives a killed process and skips an fsync per commit, at the price
// of the last commits on an OS crash. busy_timeout waits out another writer
// (a second mqscope appending to the same file) instead of failing; it only
// can because transactions begin IMMEDIATE, taking the write lock first: a
// deferred transaction that has read before it writes gets SQLITE_BUSY at
// once when another connection holds the lock, and its batch was lost.
const writeParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// readParams open a recording without ever changing it: mode=ro is enforced
// by SQLite itself, so even a file that is not a recording is left as it was.
const readParams = "mode=ro&_pragma=busy_timeout(5000)"

// dsn is an SQLite URI for path. Only the characters that mean something in
// a URI are escaped, so any file name works.
func dsn(path, params string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + params
}

// fileErr turns an error about path into one line: "recording PATH: reason".
// A *fs.PathError names the path itself, so only its cause is kept.
func fileErr(path string, err error) error {
	var pe *fs.PathError
	var se *sqlite.Error
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &se):
		err = &sqliteError{text: sqliteText(se), err: err}
	}
	return fmt.Errorf("recording %s: %w", path, err)
}

// sqliteError is an SQLite error in words for a person; the driver's
// error stays reachable with errors.As.
type sqliteError struct {
	text string
	err  error
}

func (e *sqliteError) Error() string { return e.text }
func (e *sqliteError) Unwrap() error { return e.err }

// sqliteText says what SQLite said once. The driver writes SQLite's
// generic text for the code, then its specific message, then the code:
// "database disk image is malformed: malformed database schema (messages)
// - near "x": syntax error (11)". The generic part (which never holds
// ": ") and the number are dropped; a damaged file is called one.
func sqliteText(se *sqlite.Error) string {
	text := strings.TrimSuffix(se.Error(), fmt.Sprintf(" (%d)", se.Code()))
	if _, specific, ok := strings.Cut(text, ": "); ok {
		text = specific
	}
	if se.Code()&0xff == sqlite3.SQLITE_CORRUPT {
		return "the file is damaged (" + text + ")"
	}
	return text
}

// notRecording is the error for a file that exists but is not a recording.
func notRecording(path, reason string) error {
	return fmt.Errorf("recording %s: not an mqscope recording (%s)", path, reason)
}

// openChecked opens path read-only and makes sure it is a recording. It is
// both how Open starts and how Create looks at a file before it writes to it.
func openChecked(path string) (*sql.DB, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fileErr(path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, notRecording(path, "not a regular file")
	}
	db, err := sql.Open("sqlite", dsn(path, readParams))
	if err != nil {
		return nil, fileErr(path, err)
	}
	reason, err := checkRecording(db)
	if err == nil && reason != "" {
		err = notRecording(path, reason)
	} else if err != nil {
		err = fileErr(path, err)
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// createFile makes a new, empty file at path with fileMode, whatever the
// umask. It reports false, without error, when path already exists and is
// not empty; an empty file (left by a run that died before the schema was
// written) counts as new.
func createFile(path string) (created bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, fs.ErrExist) {
		st, serr := os.Stat(path)
		if serr != nil || st.Size() > 0 || !st.Mode().IsRegular() {
			return false, nil
		}
		f, err = os.OpenFile(path, os.O_RDWR, 0)
	}
	if err != nil {
		return false, fileErr(path, err)
	}
	// The umask only ever removes bits; chmod makes the mode exact, so a
	// umask of 0277 cannot leave a file the recorder itself cannot write.
	err = f.Chmod(fileMode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fileErr(path, err)
	}
	return true, nil
}

// restrictSidecars sets fileMode on the -wal and -shm files of path. SQLite
// creates them with the database file's permissions; this makes sure of it
// for recordings mqscope created, whatever SQLite version or VFS is in use.
func restrictSidecars(path string) error {
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Chmod(path+suffix, fileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fileErr(path+suffix, err)
		}
	}
	return nil
}
