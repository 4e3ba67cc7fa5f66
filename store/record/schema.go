// Package record writes observed messages to an SQLite file (a "recording")
// and reads them back. A recording is one ordinary SQLite database that anyone
// can open with the sqlite3 shell; its layout is the schema below.
//
// Writing never blocks the caller: Writer.Append hands the message to a
// writer goroutine through a bounded buffer and counts what does not fit. The
// goroutine commits a batch every BatchInterval (or every BatchSize messages)
// in WAL mode with synchronous=NORMAL, so killing the process loses at most
// the batch that was not yet committed; an operating-system crash or power
// loss may also lose the last committed batches, because NORMAL does not sync
// the WAL on every commit.
//
// A recording never holds anything from mqscope's configuration: Options has
// no credential in it, and messages carry only what the broker delivered.
package record

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// schemaVersion is the layout this package writes and reads. Bump it, and
// teach Open to read the old one, when a column changes meaning.
const schemaVersion = 1

// schemaSQL creates the tables of a new recording. Times are UTC with nine
// fraction digits, so the text column sorts in time order as well as
// time_ns does.
const schemaSQL = `
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE messages (
    seq           INTEGER PRIMARY KEY,
    time          TEXT    NOT NULL,
    time_ns       INTEGER,
    vhost         TEXT    NOT NULL,
    exchange      TEXT    NOT NULL,
    routing_key   TEXT    NOT NULL,
    queue         TEXT    NOT NULL,
    event         TEXT    NOT NULL,
    mode          TEXT    NOT NULL,
    properties    TEXT    NOT NULL,
    headers       TEXT,
    body          BLOB,
    encoding      TEXT    NOT NULL,
    decoded       TEXT,
    message_id    TEXT,
    redelivered   INTEGER NOT NULL,
    unroutable    INTEGER NOT NULL,
    routed_queues TEXT
);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_time ON messages(time);
`

// ftsSQL adds full-text search over the decoded column. It is an
// external-content FTS5 table: the text is stored once, in messages. The
// writer indexes each batch with one ftsIndexSQL in the batch's transaction
// rather than with an insert trigger, because FTS5 flushes its pending terms
// at every statement savepoint: a trigger made each row its own tiny segment
// and cost about half the writer's time. Triggers for delete and update keep
// the index right when someone edits a recording with the sqlite3 shell.
const ftsSQL = `
CREATE VIRTUAL TABLE messages_fts USING fts5(decoded, content='messages', content_rowid='seq');
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.decoded IS NOT NULL BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, decoded) VALUES ('delete', old.seq, old.decoded);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF decoded ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, decoded)
        SELECT 'delete', old.seq, old.decoded WHERE old.decoded IS NOT NULL;
    INSERT INTO messages_fts(rowid, decoded)
        SELECT new.seq, new.decoded WHERE new.decoded IS NOT NULL;
END;
`

// ftsIndexSQL indexes the messages after seq ?, which are the batch just
// inserted.
const ftsIndexSQL = `INSERT INTO messages_fts(rowid, decoded)
    SELECT seq, decoded FROM messages WHERE seq > ? AND decoded IS NOT NULL`

// lastSeqSQL is where a batch starts: the highest seq so far.
const lastSeqSQL = `SELECT COALESCE(MAX(seq), 0) FROM messages`

// hasFTSSQL tells whether a recording was made with full-text search.
const hasFTSSQL = `SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages_fts'`

// insertSQL adds one message; seq is assigned by SQLite.
const insertSQL = `INSERT INTO messages (
    time, time_ns, vhost, exchange, routing_key, queue, event, mode,
    properties, headers, body, encoding, decoded, message_id,
    redelivered, unroutable, routed_queues
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// createSchema lays out a new, empty recording in one transaction. FTS5 is
// optional: a driver built without it still records, only without search.
func createSchema(db *sql.DB, version, createdAt string) (err error) {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err = tx.Exec(schemaSQL); err != nil {
		return err
	}
	meta := [][2]string{
		{"schema_version", fmt.Sprint(schemaVersion)},
		{"created_at", createdAt},
		{"mqscope_version", version},
	}
	for _, kv := range meta {
		if _, err = tx.Exec(`INSERT INTO meta (key, value) VALUES (?, ?)`, kv[0], kv[1]); err != nil {
			return err
		}
	}
	if _, ftsErr := tx.Exec(ftsSQL); ftsErr != nil && !isNoModule(ftsErr) {
		return ftsErr
	}
	return tx.Commit()
}

// checkRecording reports, as a reason suitable for "not an mqscope recording
// (REASON)", why db is not a recording this package can read; "" means it is
// one. err is for failures to look at all (I/O, locking).
func checkRecording(db *sql.DB) (reason string, err error) {
	tables := map[string]bool{}
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('messages', 'meta')`)
	if err != nil {
		if isNotADB(err) {
			return "not an SQLite database", nil
		}
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return "", err
		}
		tables[name] = true
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch {
	case !tables["messages"]:
		return "no messages table", nil
	case !tables["meta"]:
		return "no meta table", nil
	}
	// Tables of the right names are not enough: a writer that took a
	// look-alike for a recording would switch it to WAL mode before its
	// first insert failed, changing a file that is not ours.
	for table, want := range map[string][]string{"meta": metaColumns, "messages": messageColumns} {
		if reason, err := missingColumns(db, table, want); reason != "" || err != nil {
			return reason, err
		}
	}
	var v int
	err = db.QueryRow(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "no schema_version in meta", nil
	case err != nil:
		return "", err
	case v > schemaVersion:
		return fmt.Sprintf("schema version %d is newer than this mqscope reads (%d); upgrade mqscope", v, schemaVersion), nil
	case v < 1:
		return fmt.Sprintf("unknown schema version %d", v), nil
	}
	return "", nil
}

// The columns this package reads and writes; a recording has them all.
var (
	metaColumns    = []string{"key", "value"}
	messageColumns = []string{"seq", "time", "time_ns", "vhost", "exchange", "routing_key", "queue", "event", "mode",
		"properties", "headers", "body", "encoding", "decoded", "message_id", "redelivered", "unroutable", "routed_queues"}
)

// missingColumns reports, as a reason, the columns of want that table
// lacks; "" when it has them all.
func missingColumns(db *sql.DB, table string, want []string) (string, error) {
	rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return "", err
		}
		have[name] = true
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	var missing []string
	for _, c := range want {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return "", nil
	}
	return fmt.Sprintf("its %s table has no column %s", table, strings.Join(missing, ", ")), nil
}

// isNotADB reports whether err is SQLite saying the file is not a database.
func isNotADB(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB
}

// isNoModule reports whether err is SQLite lacking a virtual-table module
// (FTS5 compiled out).
func isNoModule(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_ERROR &&
		strings.Contains(se.Error(), "no such module")
}
