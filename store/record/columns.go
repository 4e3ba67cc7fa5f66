package record

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// timeLayout is RFC 3339 with a fixed nine-digit fraction: in UTC every
// value has the same length, so text order is time order and the time index
// serves range queries such as time >= '2026-03-01'.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// insertArgs returns the values of insertSQL for one message, in order.
// d is the message's decoded body.
func insertArgs(m capture.Message, d neonwire.Decoded) ([]any, error) {
	props, err := encodeProperties(m.Properties)
	if err != nil {
		return nil, fmt.Errorf("message properties: %w", err)
	}
	headers, err := encodeHeaders(m.Headers)
	if err != nil {
		return nil, fmt.Errorf("message headers: %w", err)
	}
	routed, err := encodeRouted(m.RoutedQueues)
	if err != nil {
		return nil, fmt.Errorf("message routed queues: %w", err)
	}
	return []any{
		m.Time.UTC().Format(timeLayout), timeNS(m.Time),
		m.VHost, m.Exchange, m.RoutingKey, m.Queue, string(m.Event), string(m.Mode),
		props, headers, m.Body, string(d.Encoding), decodedText(m.Body, d), messageID(m, d),
		boolInt(m.Redelivered), boolInt(m.Unroutable), routed,
	}, nil
}

// timeNS is the time_ns column: Unix nanoseconds, or NULL for a time that
// int64 nanoseconds cannot hold (before 1678 or after 2262).
func timeNS(t time.Time) any {
	const span = math.MaxInt64 / int64(time.Second)
	if s := t.Unix(); s <= -span || s >= span {
		return nil
	}
	return t.UnixNano()
}

// encodeProperties returns the properties column. A timestamp JSON cannot
// write as a date (years 0-9999) is written as its raw number of seconds
// (capture.Timestamp), so it is kept too.
func encodeProperties(p capture.Properties) (string, error) {
	b, err := json.Marshal(p)
	return string(b), err
}

// encodeRouted returns the routed_queues column: a JSON array, NULL for nil.
func encodeRouted(q []string) (any, error) {
	if q == nil {
		return nil, nil
	}
	b, err := json.Marshal(q)
	return string(b), err
}

// decodedText is the decoded column: the JSON mapping (neonwire.ToJSON) of
// the decoded value, the text itself for a text body, NULL for binary and
// for a body too large to decode (capture.Undecoded).
func decodedText(body []byte, d neonwire.Decoded) any {
	switch d.Encoding {
	case neonwire.EncBinary, capture.Undecoded:
		return nil
	case neonwire.EncText:
		if s, ok := d.Value.(string); ok {
			return s
		}
		return string(body)
	}
	return string(neonwire.ToJSON(d.Value))
}

// messageID is the message_id column: the id Neon request/reply pairs on
// (neonwire.MessageID of the decoded body), else the AMQP message-id
// property, else NULL.
func messageID(m capture.Message, d neonwire.Decoded) any {
	if id := neonwire.MessageID(d.Value); id != "" {
		return id
	}
	if m.Properties.MessageID != "" {
		return m.Properties.MessageID
	}
	return nil
}

// boolInt stores a bool as SQLite's usual 0 or 1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// selectSQL reads messages back in the order they were recorded.
const selectSQL = `SELECT seq, time, vhost, exchange, routing_key, queue, event, mode,
    properties, headers, body, body IS NULL, redelivered, unroutable, routed_queues
FROM messages ORDER BY seq`

// scanner is the part of *sql.Rows that scanMessage needs.
type scanner interface{ Scan(dest ...any) error }

// scanMessage reads one row of selectSQL back into a Message.
func scanMessage(rows scanner) (capture.Message, error) {
	var (
		m                          capture.Message
		seq                        int64
		ts, event, mode, props     string
		headers, routed            *string
		body                       []byte
		bodyNull, redeliv, unroute bool
	)
	if err := rows.Scan(&seq, &ts, &m.VHost, &m.Exchange, &m.RoutingKey, &m.Queue, &event, &mode,
		&props, &headers, &body, &bodyNull, &redeliv, &unroute, &routed); err != nil {
		return m, err
	}
	m.Event, m.Mode = capture.Event(event), capture.Mode(mode)
	m.Redelivered, m.Unroutable = redeliv, unroute
	if err := restoreColumns(&m, ts, props, headers, routed); err != nil {
		return m, fmt.Errorf("message seq %d: %w", seq, err)
	}
	// The driver reads an empty blob as nil; the IS NULL column tells an
	// empty body from a missing one.
	if body == nil && !bodyNull {
		body = []byte{}
	}
	m.Body = body
	return m, nil
}

// restoreColumns parses the text columns of a row into m.
func restoreColumns(m *capture.Message, ts, props string, headers, routed *string) error {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	m.Time = t
	if err := json.Unmarshal([]byte(props), &m.Properties); err != nil {
		return fmt.Errorf("properties column: %w", err)
	}
	if headers != nil {
		if m.Headers, err = decodeHeaders(*headers); err != nil {
			return fmt.Errorf("headers column: %w", err)
		}
	}
	if routed != nil {
		if err := json.Unmarshal([]byte(*routed), &m.RoutedQueues); err != nil {
			return fmt.Errorf("routed_queues column: %w", err)
		}
	}
	return nil
}
