package capture

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestTimestampJSONKeepsEveryValue(t *testing.T) {
	cases := []struct {
		sec  int64
		json string
	}{
		{1_700_000_000, `"2023-11-14T22:13:20Z"`},
		{0, `"1970-01-01T00:00:00Z"`},
		{1_700_000_000_123, `1700000000123`}, // milliseconds, as JavaScript sends
		{253402300799, `"9999-12-31T23:59:59Z"`},
		{253402300800, `253402300800`},
		{-62167219200, `"0000-01-01T00:00:00Z"`},
		{-62167219201, `-62167219201`},
		{math.MaxInt64, `9223372036854775807`},
		{math.MinInt64, `-9223372036854775808`},
	}
	for _, c := range cases {
		// The AMQP client gives time.Unix(n, 0) in the local zone.
		ts := Timestamp{time.Unix(c.sec, 0)}
		b, err := json.Marshal(ts)
		if err != nil || string(b) != c.json {
			t.Errorf("%d: got %s, %v; want %s", c.sec, b, err, c.json)
			continue
		}
		var back Timestamp
		if err := json.Unmarshal(b, &back); err != nil || back.Unix() != c.sec {
			t.Errorf("%d: %s read back as %d, %v", c.sec, b, back.Unix(), err)
		}
	}
}

func TestPropertiesWithAMillisecondTimestampMarshal(t *testing.T) {
	p := Properties{AppID: "js", Timestamp: Timestamp{time.Unix(1_700_000_000_123, 0)}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"timestamp":1700000000123,"app_id":"js"}`; string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	var back Properties
	if err := json.Unmarshal(b, &back); err != nil || back.Timestamp.Unix() != 1_700_000_000_123 || back.AppID != "js" {
		t.Fatalf("read back %+v, %v", back, err)
	}
	if b, _ := json.Marshal(Properties{}); string(b) != `{}` {
		t.Errorf("no timestamp: got %s, want {}", b)
	}
}

func TestTimestampRejectsWhatIsNoTime(t *testing.T) {
	var ts Timestamp
	for _, in := range []string{`1.5`, `"yesterday"`, `true`} {
		if err := json.Unmarshal([]byte(in), &ts); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}
