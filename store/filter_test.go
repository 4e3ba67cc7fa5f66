package store

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"mqscope/capture"
)

// filterFixture holds five messages of different kinds:
//
//	1 Neon request on neon_api_input (consume)
//	2 Neon reply published to rq1 (firehose publish, routed)
//	3 text on exchange amq.topic, vhost /other, with headers (tap deliver)
//	4 binary on queue bin (peek)
//	5 JSON on exchange ex with a header (sent)
func filterFixture(t *testing.T) *Store {
	t.Helper()
	s := New(Options{})
	s.Append(capture.Message{VHost: "/neon_api", RoutingKey: "neon_api_input", Queue: "neon_api_input",
		Event: capture.EventConsume, Mode: capture.ModeConsume,
		Body: neonBody("{'service': 'API_Test_Endpoint', 'routing_key': 'rq1', 'message_id': 'abc123'}")})
	s.Append(capture.Message{VHost: "/neon_api", RoutingKey: "rq1", RoutedQueues: []string{"rq1"},
		Event: capture.EventPublish, Mode: capture.ModeFirehose,
		Body: neonBody("{'status_code': 401, 'content': 'Unresolved service name: x', 'message_id': 'abc123'}")})
	s.Append(capture.Message{VHost: "/other", Exchange: "amq.topic", RoutingKey: "log.info", Queue: "tapq",
		Event: capture.EventDeliver, Mode: capture.ModeTap,
		Headers: map[string]any{"X-Trace": []byte("trace-9"), "count": int64(42)},
		Body:    []byte("Hello World two words")})
	s.Append(capture.Message{VHost: "/v", RoutingKey: "bin", Queue: "bin",
		Event: capture.EventPeek, Mode: capture.ModePeek, Body: []byte{0xff, 0x00, 0x89, 'P', 'N', 'G'}})
	s.Append(capture.Message{VHost: "/v", Exchange: "ex", RoutingKey: "json_q", Queue: "json_q",
		Event: capture.EventPublish, Mode: capture.ModeSent,
		Headers: map[string]any{"kind": "User"}, Body: []byte(`{"Name": "Alice"}`)})
	return s
}

// matching returns the seqs q selects, checking that a View over the store
// and Filter.Match over copied entries agree.
func matching(t *testing.T, s *Store, q string) []uint64 {
	t.Helper()
	f, err := ParseFilter(q)
	if err != nil {
		t.Fatalf("ParseFilter(%q): %v", q, err)
	}
	v := s.NewView(f)
	viewed := seqsOf(v.Range(0, v.Len()))
	var matched []uint64
	for _, e := range s.Range(0, s.Len()) {
		if f.Match(&e) {
			matched = append(matched, e.Seq)
		}
	}
	if !slices.Equal(viewed, matched) {
		t.Fatalf("filter %q: view selects %v but Match selects %v", q, viewed, matched)
	}
	return viewed
}

func TestFilterTerms(t *testing.T) {
	s := filterFixture(t)
	cases := []struct {
		q    string
		want []uint64
	}{
		{"", []uint64{1, 2, 3, 4, 5}},
		{"   ", []uint64{1, 2, 3, 4, 5}},
		{"api_test", []uint64{1}},
		{"HELLO", []uint64{3}},
		{"abc123", []uint64{1, 2}},
		{`"two words"`, []uint64{3}},
		{`"unresolved service"`, []uint64{2}},
		{`"say \"hi\""`, nil},
		{"body:alice", []uint64{5}},
		{`body:"world two"`, []uint64{3}},
		{`/status_code\D+40\d/`, []uint64{2}},
		{"/^hello/", []uint64{3}},
		{`/a\/b/`, nil},
		{"png", nil},
		{"queue:neon_api", []uint64{1}},
		{"queue:RQ1", []uint64{2}},
		{"queue:/^neon_.*_input$/", []uint64{1}},
		{"vhost:/other", []uint64{3}},
		{"exchange:amq", []uint64{3}},
		{`exchange:""`, []uint64{1, 2, 4}},
		{"rk:log.", []uint64{3}},
		{"id:ABC", []uint64{1, 2}},
		{"header.x-trace:TRACE-9", []uint64{3}},
		{"header.count:42", []uint64{3}},
		{"header.kind:user", []uint64{5}},
		{"header.missing:x", nil},
		{"mode:firehose", []uint64{2}},
		{"mode:TAP", []uint64{3}},
		{"event:peek", []uint64{4}},
		{"event:publish", []uint64{2, 5}},
		{"enc:binary", []uint64{4}},
		{"enc:text", []uint64{3}},
		{"enc:json", []uint64{5}},
		{"enc:neon", []uint64{1, 2}},
		{"-enc:neon", []uint64{3, 4, 5}},
		{"-api_test", []uint64{2, 3, 4, 5}},
		{"-/hello/", []uint64{1, 2, 4, 5}},
		{`-"two words"`, []uint64{1, 2, 4, 5}},
		{"id:abc -mode:firehose", []uint64{1}},
		{"vhost:/neon_api service", []uint64{1, 2}},
		{"vhost:/neon_api service -unresolved", []uint64{1}},
		{"12:30", nil},
	}
	for _, c := range cases {
		if got := matching(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("filter %q selects %v, want %v", c.q, got, c.want)
		}
	}
}

func TestNilAndEmptyFilterMatchEverything(t *testing.T) {
	var f *Filter
	e := Entry{}
	if !f.Match(&e) || !f.Empty() {
		t.Fatal("nil filter does not match everything")
	}
	g, err := ParseFilter("")
	if err != nil || !g.Match(&e) || !g.Empty() {
		t.Fatalf("empty filter: %v", err)
	}
}

func TestParseFilterErrors(t *testing.T) {
	cases := []struct {
		q      string
		column int
		msg    string
	}{
		{"foo:bar", 1, `unknown field "foo"`},
		{"ok http://x", 4, `unknown field "http"`},
		{"queue:", 7, "queue: needs a value"},
		{"a queue: b", 9, "queue: needs a value"},
		{`x "abc`, 3, "quote is not closed"},
		{"/a(/", 1, "bad regex: missing closing )"},
		{"//", 1, "empty regex"},
		{"-", 1, "'-' must be followed"},
		{"a - b", 3, "'-' must be followed"},
		{"mode:bogus", 6, "mode: must be one of firehose, tap, peek, consume, sent, reply"},
		{"event:/x/", 7, "event: must be one of"},
		{"enc:", 5, "enc: must be one of neon"},
		{`"a"b`, 4, "unexpected text after closing"},
		{"header.:x", 1, "header. needs a header name"},
		{"é foo:x", 3, `unknown field "foo"`},
	}
	for _, c := range cases {
		_, err := ParseFilter(c.q)
		var fe *FilterError
		if !errors.As(err, &fe) {
			t.Errorf("ParseFilter(%q) = %v, want a FilterError", c.q, err)
			continue
		}
		if fe.Column != c.column || !strings.Contains(fe.Msg, c.msg) {
			t.Errorf("ParseFilter(%q) = column %d %q, want column %d containing %q", c.q, fe.Column, fe.Msg, c.column, c.msg)
		}
		if strings.ContainsAny(err.Error(), "\n\r") || !strings.HasPrefix(err.Error(), "filter column ") {
			t.Errorf("ParseFilter(%q) error is not one line starting with the position: %q", c.q, err)
		}
	}
}

func TestSlashStartsARegexOnlyWhenTheTermEndsWithOne(t *testing.T) {
	cases := []struct {
		q, regex, text string
	}{
		{"/abc", "", "/abc"},
		{"/a/b", "", "/a/b"},
		{"vhost:/neon_api", "", "/neon_api"},
		{"/a b/", "(?i)a b", ""},
		{"/a/b/", "(?i)a/b", ""},
		{`/a\/ b/`, `(?i)a\/ b`, ""},
	}
	for _, c := range cases {
		f, err := ParseFilter(c.q)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", c.q, err)
			continue
		}
		tm := f.terms[0]
		if tm.re != nil && tm.re.String() != c.regex || tm.re == nil && (c.regex != "" || tm.text != c.text) {
			t.Errorf("ParseFilter(%q) = regex %v text %q, want regex %q text %q", c.q, tm.re, tm.text, c.regex, c.text)
		}
	}
}

func TestFilterStringIsTheQuery(t *testing.T) {
	f, err := ParseFilter(`queue:x "a b"`)
	if err != nil || f.String() != `queue:x "a b"` {
		t.Fatalf("String() = %q, %v", f.String(), err)
	}
}

func TestRequiredLiteral(t *testing.T) {
	cases := map[string]string{
		"nowhere.*found":     "nowhere",
		"(Status)_CODE\\D+4": "_code",
		"(Status)\\D+4":      "tatu",
		"a+bc{2,}":           "a",
		"(?:xy)+z":           "xy",
		"abc|abd":            "ab",
		"abc|xyz":            "",
		"x?yy":               "yy",
		"Kelvin":             "kelvin",
		"café":               "caf",
		"[a-z]+":             "",
	}
	for src, want := range cases {
		if got := requiredLiteral(src); got != want {
			t.Errorf("requiredLiteral(%q) = %q, want %q", src, got, want)
		}
	}
}

// The prefilter must never reject a real match: (?i)s also matches ſ,
// which lowercasing keeps, so a literal never spans an 's'.
func TestRegexFilterMatchesFoldedRunes(t *testing.T) {
	s := New(Options{})
	s.Append(textMessage("q", "ſtatus \u212aELVIN"))
	for _, q := range []string{"/status/", "/kelvin/", "/ſtatus/"} {
		if got := matching(t, s, q); len(got) != 1 {
			t.Errorf("filter %q does not match \"ſtatus \u212aELVIN\"", q)
		}
	}
}
