package capture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Timestamp is the AMQP timestamp property: whole seconds since the Unix
// epoch, as the publisher sent them. The zero Timestamp means the property
// is absent.
//
// The AMQP client reads the number as time.Unix(n, 0) whatever it is, so
// the raw number is always Unix(). It is not always a date JSON and RFC
// 3339 can write: JavaScript and Java producers send milliseconds
// (Date.now(), System.currentTimeMillis()), which as seconds fall some
// 50,000 years ahead. Such a value is kept and written as the raw number
// (see TimeInRange) rather than failing the message or being dropped.
type Timestamp struct{ time.Time }

// The first and last second RFC 3339 (four-digit years) can write in UTC.
var (
	minRFC3339 = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxRFC3339 = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
)

// TimeInRange reports whether t lies in years 0 to 9999 UTC, where RFC 3339
// and encoding/json can write it. Header tables carry timestamps too, so
// this is for time.Time header values as well.
func TimeInRange(t time.Time) bool {
	s := t.Unix()
	return minRFC3339 <= s && s <= maxRFC3339
}

// TimeJSON is the JSON form of an AMQP time: an RFC 3339 string in UTC, or,
// for a time outside TimeInRange, its raw number of seconds.
func TimeJSON(t time.Time) any {
	if TimeInRange(t) {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return t.Unix()
}

// MarshalJSON writes the timestamp as TimeJSON does.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if !TimeInRange(t.Time) {
		return strconv.AppendInt(nil, t.Unix(), 10), nil
	}
	b := append([]byte{'"'}, t.UTC().Format(time.RFC3339Nano)...)
	return append(b, '"'), nil
}

// UnmarshalJSON reads what MarshalJSON writes: an RFC 3339 string, or a
// number of seconds. null leaves the timestamp as it is, as for time.Time.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, &t.Time)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %s: neither an RFC 3339 string nor whole seconds", b)
	}
	t.Time = time.Unix(n, 0).UTC()
	return nil
}
