package store

import (
	"encoding/json"
	"testing"

	"mqscope/internal/textsafe"
)

// hiding holds what reorders, hides or drives a terminal beyond ASCII: a
// C1 CSI, bidi overrides and isolates, zero-width characters and a stack
// of combining marks.
const hiding = "a\u009b2J \u202Egnp.exe \u2066x\u2069\u200e \u200bq\u200d\ufeff e\u0301\u0302\u0303\u0304 \u2028"

// firstRawUnsafe is the offset of the first character of b that textsafe
// says must be escaped, ignoring the ASCII of JSON's own syntax, or -1.
func firstRawUnsafe(b []byte) int {
	for i := 0; i < len(b); {
		r, size, escape := textsafe.EscapeAt(b, i)
		if escape && r >= 0x80 {
			return i
		}
		i += size
	}
	return -1
}

func TestJSONLineEscapesWhatHidesOrReorders(t *testing.T) {
	s := New(Options{})
	m := textMessage("q"+hiding, "body "+hiding)
	m.VHost, m.Exchange, m.RoutingKey = hiding, hiding, "rk"+hiding
	m.Properties.AppID = hiding
	m.Headers = map[string]any{"h" + hiding: hiding}
	m.RoutedQueues = []string{hiding}
	s.Append(m)
	entries, _ := s.Since(0)
	line := MarshalJSONLine(entries[0])
	if i := firstRawUnsafe(line); i >= 0 {
		t.Fatalf("raw %q at byte %d of the line:\n%s", line[i:min(i+4, len(line))], i, line)
	}
	var back struct {
		VHost, Exchange, Queue string
		RoutingKey             string `json:"routing_key"`
		Body                   string
		Properties             struct{ AppID string }
		Headers                map[string]string
		RoutedQueues           []string `json:"routed_queues"`
	}
	if err := json.Unmarshal(line, &back); err != nil {
		t.Fatalf("%v:\n%s", err, line)
	}
	if back.VHost != hiding || back.Exchange != hiding || back.RoutingKey != "rk"+hiding || back.Queue != "q"+hiding ||
		back.Body != "body "+hiding || back.Headers["h"+hiding] != hiding || back.RoutedQueues[0] != hiding {
		t.Fatalf("the escapes do not read back as the same text: %+v", back)
	}
}

func TestEscapeTerminalUnsafeLeavesCleanLinesAlone(t *testing.T) {
	clean := []byte(`{"q":"é 中文 🙂 e` + "\u0301\u0302" + `"}`)
	if got := escapeTerminalUnsafe(clean); string(got) != string(clean) || &got[0] != &clean[0] {
		t.Fatalf("a clean line was rewritten: %s", got)
	}
	if n := testing.AllocsPerRun(100, func() { escapeTerminalUnsafe(clean) }); n != 0 {
		t.Fatalf("%v allocations for a clean line", n)
	}
	got := string(escapeTerminalUnsafe([]byte(`{"q":"x` + "\u202e\u0085" + `"}`)))
	if want := `{"q":"x\u202e\u0085"}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
