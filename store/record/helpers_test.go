package record

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"mqscope/capture"
)

// neonBody encodes a Python dict literal the way neon_mq_connector does:
// base64 of a JSON string holding the repr. repr must be ASCII without
// <, > or &, which Go's JSON escapes differently from Python's.
func neonBody(repr string) []byte {
	q, _ := json.Marshal(repr)
	return []byte(base64.StdEncoding.EncodeToString(q))
}

// testPath is a fresh recording path in a test's temporary directory.
func testPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "rec.db")
}

// baseTime is a fixed UTC instant with nanoseconds, as restored times are.
var baseTime = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

// posInf is a header value JSON itself cannot hold.
var posInf = math.Inf(1)

// fullMessage is message i with every field set.
func fullMessage(i int) capture.Message {
	id := fmt.Sprintf("%032x", i+1)
	return capture.Message{
		Time:       baseTime.Add(time.Duration(i) * time.Millisecond),
		VHost:      "/neon_api",
		Exchange:   "amq.rabbitmq.trace",
		RoutingKey: fmt.Sprintf("publish.%d", i),
		Queue:      "neon_api_input",
		Event:      capture.EventPublish,
		Mode:       capture.ModeFirehose,
		Properties: capture.Properties{
			ContentType: "text/plain", ContentEncoding: "utf-8", DeliveryMode: 2, Priority: 5,
			CorrelationID: "corr", ReplyTo: "reply_q", Expiration: "1000", MessageID: "prop-" + id,
			Timestamp: capture.Timestamp{Time: baseTime.Truncate(time.Second)}, Type: "req", UserID: "neon_api", AppID: "app",
		},
		Headers: map[string]any{
			"n":      int64(i),
			"s":      "text",
			"f":      3.0,
			"neg":    -1.5e-7,
			"inf":    posInf,
			"ok":     true,
			"nil":    nil,
			"raw":    []byte{0x89, 'P', 'N', 'G', 0},
			"at":     baseTime,
			"list":   []any{int64(1), "two", []any{}},
			"nested": map[string]any{"deep": map[string]any{"x": int64(-7)}},
			"$bytes": "a real header named like a tag",
			"fake":   map[string]any{"$time": "not a time"},
		},
		Body:         neonBody(fmt.Sprintf("{'service': 'api_test_endpoint', 'message_id': '%s', 'n': %d}", id, i)),
		Redelivered:  i%2 == 0,
		Unroutable:   i%3 == 0,
		RoutedQueues: []string{"neon_api_input", fmt.Sprintf("q%d", i)},
	}
}

// readAll reads every message of the recording at path.
func readAll(t testing.TB, path string) []capture.Message {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []capture.Message
	if err := r.Each(func(m capture.Message) error {
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// rawDB opens a recording read-only for queries on its columns.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, readParams))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// waitFor polls cond until it holds or a generous deadline passes. The
// deadline only bounds a broken test; nothing asserts how fast cond holds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// mustCreate creates a Writer that the test closes at the end.
func mustCreate(t testing.TB, path string, opts Options) *Writer {
	t.Helper()
	w, err := Create(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// rawWritableDB opens path as a plain SQLite database, to build files that
// are not recordings.
func rawWritableDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
