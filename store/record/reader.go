package record

import (
	"database/sql"

	"mqscope/capture"
)

// Reader reads a recording back. It opens the file read-only, so it never
// changes it and can read a recording that is still being written.
type Reader struct {
	path string
	db   *sql.DB
}

// Open opens the recording at path for reading. A file that is not a
// recording gives one line such as
// "recording X: not an mqscope recording (no messages table)".
func Open(path string) (*Reader, error) {
	db, err := openChecked(path)
	if err != nil {
		return nil, err
	}
	return &Reader{path: path, db: db}, nil
}

// Each calls fn with every message in the order it was recorded, and stops at
// the first error, which it returns (fn's own error unchanged).
//
// Every field of capture.Message comes back as it was written, with these
// limits of JSON in the headers: integers of any width come back as int64
// (uint64 above its range), float32 as float64, nested tables as
// map[string]any, arrays as []any, other types (such as a decimal) as the map
// encoding/json made of them, and invalid UTF-8 in header names as U+FFFD.
// []byte, strings that are not UTF-8 (byte for byte), time.Time (also
// outside years 0-9999), NaN and ±Inf keep their types. Times come back in
// UTC.
func (r *Reader) Each(fn func(capture.Message) error) error {
	rows, err := r.db.Query(selectSQL)
	if err != nil {
		return fileErr(r.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return fileErr(r.path, err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fileErr(r.path, err)
	}
	return nil
}

// ReadFile opens the recording at path, calls fn with every message in
// recorded order (see Each), and closes it again: the one way the UI and
// the command line read a whole recording.
func ReadFile(path string, fn func(capture.Message) error) error {
	r, err := Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Each(fn)
}

// Count returns how many messages the recording holds.
func (r *Reader) Count() (int, error) {
	var n int
	if err := r.db.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n); err != nil {
		return 0, fileErr(r.path, err)
	}
	return n, nil
}

// Close releases the file.
func (r *Reader) Close() error {
	if err := r.db.Close(); err != nil {
		return fileErr(r.path, err)
	}
	return nil
}
