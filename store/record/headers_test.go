package record

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// table is a named map type, as amqp091's Table is.
type table map[string]any

// decimal stands for a header type JSON has no form for, like amqp091's
// Decimal.
type decimal struct {
	Scale uint8
	Value int32
}

func TestHeadersComeBackAsNearAsJSONAllows(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("CET", 3600))
	in := map[string]any{
		"i8": int8(-8), "u16": uint16(16), "i32": int32(-32), "u64": uint64(math.MaxUint64),
		"f32": float32(0.1), "whole": 2.0, "nan": math.NaN(), "neginf": math.Inf(-1),
		"table":   table{"k": int32(1)},
		"strings": []string{"a", "b"},
		"at":      at,
		"dec":     decimal{Scale: 2, Value: 314},
		"tagged":  table{"$map": "looks like a tag"},
	}
	text, err := encodeHeaders(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeHeaders(text.(string))
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := got["nan"].(float64); !ok || !math.IsNaN(n) {
		t.Errorf("nan came back as %#v", got["nan"])
	}
	delete(got, "nan")
	if g, ok := got["at"].(time.Time); !ok || !g.Equal(at) {
		t.Errorf("at came back as %#v, want the same instant as %v", got["at"], at)
	}
	delete(got, "at")
	want := map[string]any{
		"i8": int64(-8), "u16": int64(16), "i32": int64(-32), "u64": uint64(math.MaxUint64),
		"f32": 0.1, "whole": 2.0, "neginf": math.Inf(-1),
		"table":   map[string]any{"k": int64(1)},
		"strings": []any{"a", "b"},
		"dec":     map[string]any{"Scale": int64(2), "Value": int64(314)},
		"tagged":  map[string]any{"$map": "looks like a tag"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("headers via %s\n got %#v\nwant %#v", text, got, want)
	}
}

func TestMalformedTagsStayMaps(t *testing.T) {
	got, err := decodeHeaders(`{"a": {"$bytes": "!!"}, "b": {"$float": "1.5"}, "c": {"$time": 1.5}, "d": {"$str": 5}}`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"a": map[string]any{"$bytes": "!!"},
		"b": map[string]any{"$float": "1.5"},
		"c": map[string]any{"$time": 1.5}, // raw seconds are whole
		"d": map[string]any{"$str": int64(5)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
}

// TestOutOfRangeTimesAndNonUTF8StringsComeBackExactly: a header timestamp
// in milliseconds (no RFC 3339 date as seconds) and a string that is not
// UTF-8 are kept as they were, not dropped or replaced with U+FFFD.
func TestOutOfRangeTimesAndNonUTF8StringsComeBackExactly(t *testing.T) {
	millis := time.Unix(1_700_000_000_123, 0)
	in := map[string]any{
		"ms": millis, "before0": time.Unix(-70_000_000_000, 0), "max": time.Unix(math.MaxInt64, 0),
		"latin1": "caf\xe9", "nested": map[string]any{"s": "\xff\xfe", "l": []any{"ok\x80"}},
		"looks": map[string]any{"$str": "not a tag"},
	}
	text, err := encodeHeaders(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeHeaders(text.(string))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ms", "before0", "max"} {
		g, ok := got[k].(time.Time)
		if want := in[k].(time.Time); !ok || g.Unix() != want.Unix() {
			t.Errorf("%s came back as %#v, want %d seconds (via %s)", k, got[k], want.Unix(), text)
		}
		delete(got, k)
	}
	delete(in, "ms")
	delete(in, "before0")
	delete(in, "max")
	if !reflect.DeepEqual(got, in) {
		t.Errorf("headers via %s\n got %#v\nwant %#v", text, got, in)
	}
}
