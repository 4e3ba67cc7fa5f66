package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"mqscope/capture"
	"mqscope/connector/neonwire"
	"mqscope/store"
	"mqscope/themes"
)

// propsEntry is a message with the header values the Properties tab must
// show as JSON: nested tables and arrays, bytes, a void (nil), a string
// that is not UTF-8, times (one in milliseconds, as JavaScript sends them)
// and a millisecond timestamp property.
func propsEntry() *store.Entry {
	millis := time.Unix(1_700_000_000_123, 0).UTC()
	m := capture.Message{
		Time: t0, VHost: "/neon_api", Queue: "in", RoutingKey: "in", Event: capture.EventConsume, Mode: capture.ModeConsume,
		Properties: capture.Properties{AppID: "js-producer", Timestamp: capture.Timestamp{Time: millis}},
		Headers: map[string]any{
			"nested":  map[string]any{"a": map[string]any{"b": []any{int64(1), "two", nil}}, "q": "say \"hi\""},
			"bytes":   []byte{27},
			"void":    nil,
			"latin1":  "caf\xe9",
			"deep":    []any{map[string]any{"s": "\xff\x1b[2J"}},
			"sent":    millis,
			"when":    time.Unix(1_700_000_000, 0).UTC(),
			"flag":    true,
			"ratio":   0.5,
			"count":   int32(7),
			"escapes": "a\x1b[31mred",
		},
		Body: []byte("x"),
	}
	return &store.Entry{Seq: 3, Msg: m, Decoded: neonwire.Decode(m.Body), Size: 1}
}

func plainPropLines(t *testing.T, e *store.Entry) string {
	t.Helper()
	p, err := themes.ByName("mono")
	if err != nil {
		t.Fatal(err)
	}
	st := NewStyles(p)
	lines := propLines(e, 120, &st)
	for i, l := range lines {
		lines[i] = ansi.Strip(l)
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestGoldenPropLines pins the Properties tab of propsEntry.
// Refresh with: go test ./ui -run TestGoldenPropLines -update
func TestGoldenPropLines(t *testing.T) {
	golden.RequireEqual(t, plainPropLines(t, propsEntry()))
}

// TestHeadersShowAsJSON: nested tables used to show as Go syntax
// (map[a:map[b:[1 …]]]), bytes as [27] and a void as <nil>.
func TestHeadersShowAsJSON(t *testing.T) {
	out := plainPropLines(t, propsEntry())
	for _, want := range []string{
		`nested   {"a":{"b":[1,"two",null]},"q":"say \"hi\""}`,
		`bytes    {"$bytes":"Gw=="}`,
		`void     null`,
		`latin1   caf\xe9`,               // its byte, shown escaped
		`deep     [{"s":"\xff\x1b[2J"}]`, // the same inside a table
		`flag     true`,
		`count    7`,
		`escapes  a\x1b[31mred`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	for _, bad := range []string{"map[", "<nil>", "[27]", "\x1b"} {
		if strings.Contains(out, bad) {
			t.Errorf("shows %q:\n%s", bad, out)
		}
	}
}

// TestMillisecondTimestampShowsItsNumber: a timestamp no date as seconds
// shows its raw number and the date it is in milliseconds.
func TestMillisecondTimestampShowsItsNumber(t *testing.T) {
	out := plainPropLines(t, propsEntry())
	for _, want := range []string{
		"timestamp    1700000000123 (as seconds out of range; as milliseconds 2023-11-14T22:13:20.123Z)",
		"sent     1700000000123 (as seconds out of range; as milliseconds 2023-11-14T22:13:20.123Z)",
		"when     2023-11-14T22:13:20Z",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if got := timeText(time.Unix(1<<62, 0)); got != "4611686018427387904 (out of range as seconds)" {
		t.Errorf("timeText = %q", got)
	}
}

func TestUndecodedBodyIsNamedNotShownAsBinary(t *testing.T) {
	e := store.Entry{Size: 50 << 20, Decoded: neonwire.Decoded{Encoding: store.EncUndecoded}}
	if got := summarize(&e); got != "<not decoded, 52.4 MB>" {
		t.Errorf("summary %q", got)
	}
	if _, _, ok := copyText(&e, copyBody); ok {
		t.Error("y offered a decoded body that does not exist")
	}
}
