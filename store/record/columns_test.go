package record

import (
	"bytes"
	"database/sql"
	"errors"
	"testing"

	"mqscope/capture"
	"mqscope/connector/neonwire"
)

func TestDecodedColumnsPerEncoding(t *testing.T) {
	cases := []struct {
		name, enc string
		body      []byte
		decoded   sql.NullString
		id        sql.NullString
	}{
		{"neon", "neon",
			neonBody("{'n': 1.0, 'b': b'\\x00', 't': ('x',), 'context': {'mq': {'message_id': 'ctx-id'}}, 'message_id': 'top-id'}"),
			valid(`{"n":1.0,"b":{"$bytes":"AA=="},"t":["x"],"context":{"mq":{"message_id":"ctx-id"}},"message_id":"top-id"}`),
			valid("ctx-id")},
		{"json", "json", []byte(`{"k": [1, 2.5], "message_id": "json-id"}`),
			valid(`{"k":[1,2.5],"message_id":"json-id"}`), valid("json-id")},
		{"text", "text", []byte("hello there"), valid("hello there"), valid("prop-id")},
		{"binary", "binary", []byte{0, 0xff, 0x89}, sql.NullString{}, valid("prop-id")},
	}
	path := testPath(t)
	w := mustCreate(t, path, Options{})
	for _, c := range cases {
		m := capture.Message{Time: baseTime, Body: c.body}
		if c.name == "text" || c.name == "binary" {
			m.Properties.MessageID = "prop-id"
		}
		w.Append(m, nil)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := rawDB(t, path).Query(`SELECT encoding, decoded, message_id FROM messages ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for _, c := range cases {
		if !rows.Next() {
			t.Fatalf("%s: row missing", c.name)
		}
		var enc string
		var decoded, id sql.NullString
		if err := rows.Scan(&enc, &decoded, &id); err != nil {
			t.Fatal(err)
		}
		if enc != c.enc || decoded != c.decoded || id != c.id {
			t.Errorf("%s: encoding %q, decoded %v, message_id %v\nwant %q, %v, %v", c.name, enc, decoded, id, c.enc, c.decoded, c.id)
		}
	}
}

// valid is a non-NULL column value.
func valid(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

// TestUndecodedBodyIsRecordedAsSent: a body the store did not decode (over
// its decode limit) is recorded whole, labelled undecoded, decoded NULL.
func TestUndecodedBodyIsRecordedAsSent(t *testing.T) {
	path := testPath(t)
	w := mustCreate(t, path, Options{})
	body := neonBody("{'blob': 'too long to decode'}")
	w.Append(capture.Message{Time: baseTime, Body: body},
		&neonwire.Decoded{Encoding: capture.Undecoded, Err: errors.New("not decoded: over the limit")})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var enc string
	var decoded sql.NullString
	var got []byte
	if err := rawDB(t, path).QueryRow(`SELECT encoding, decoded, body FROM messages`).Scan(&enc, &decoded, &got); err != nil {
		t.Fatal(err)
	}
	if enc != "undecoded" || decoded.Valid || !bytes.Equal(got, body) {
		t.Errorf("recorded encoding %q, decoded %v, body %q", enc, decoded, got)
	}
}
