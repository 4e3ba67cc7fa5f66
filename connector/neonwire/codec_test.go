package neonwire

import (
	"encoding/base64"
	"strings"
	"sync"
	"testing"
)

// TestEncodeMatchesNeonExample checks the body of a Neon request: every
// Neon body starts with "Insn", the base64 of `"{'`.
func TestEncodeMatchesNeonExample(t *testing.T) {
	d := &Dict{}
	d.Set("service", "api_test_endpoint")
	d.Set("message_id", "0a1b")
	body := string(Encode(d))
	inner, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"{'service': 'api_test_endpoint', 'message_id': '0a1b'}"`; string(inner) != want {
		t.Errorf("decoded body = %s, want %s", inner, want)
	}
	if !strings.HasPrefix(body, "Insn") {
		t.Errorf("body %s does not start with Insn", body)
	}
}

// TestEncodeEscapesJSONAsPython pins json.dumps(ensure_ascii=True) output.
func TestEncodeEscapesJSONAsPython(t *testing.T) {
	cases := map[string]string{
		"\x00\x01\x1f": `"\u0000\u0001\u001f"`,
		"\b\f\n\r\t":   `"\b\f\n\r\t"`,
		`"\/`:          `"\"\\/"`,
		"\x7f~ ":       `"\u007f~ "`,
		"é€😀":          `"\u00e9\u20ac\ud83d\ude00"`,
		"bad\xff":      `"bad\ufffd"`,
	}
	for s, want := range cases {
		if got := string(appendJSONASCII(nil, []byte(s))); got != want {
			t.Errorf("appendJSONASCII(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestDecodeNeonSaysWhichLayerFailed checks the strict decoder's errors.
func TestDecodeNeonSaysWhichLayerFailed(t *testing.T) {
	b64 := func(s string) []byte { return []byte(base64.StdEncoding.EncodeToString([]byte(s))) }
	cases := []struct {
		body []byte
		want string
	}{
		{[]byte("not base64!"), "not base64: illegal base64 data at input byte 3"},
		{b64("\xff\xfe"), "base64, but not JSON: line 1:1: invalid UTF-8 (byte 0xff)"},
		{b64(`{"a": 1`), "base64, but not JSON: line 1:8: expected ',' or '}' after object member"},
		{b64(`{"a": 1}`), "base64 of a JSON object, not of a JSON string holding a Python literal"},
		{b64(`"{'a': }"`), "base64 JSON string, but not a Python literal: line 1:7: expected a value, found '}'"},
	}
	for _, c := range cases {
		_, err := DecodeNeon(c.body)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("DecodeNeon(%s) = %v, want %s...", c.body, err, c.want)
		}
	}
}

// TestDecodeNeonToleratesWhitespace accepts surrounding blanks and line
// breaks, as Python's b64decode does.
func TestDecodeNeonToleratesWhitespace(t *testing.T) {
	body := Encode(&Dict{Items: []Item{{Key: "a", Value: int64(1)}}})
	wrapped := " \t" + string(body[:8]) + "\r\n" + string(body[8:]) + "\n"
	v, err := DecodeNeon([]byte(wrapped))
	if err != nil {
		t.Fatal(err)
	}
	if got := Repr(v); got != "{'a': 1}" {
		t.Errorf("got %s", got)
	}
}

// TestCodecIsSafeForConcurrentUse runs Encode and Decode from several
// goroutines at once; the pooled buffers and parsers must not be shared.
func TestCodecIsSafeForConcurrentUse(t *testing.T) {
	entries := loadGolden(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(entries); i += 2 {
				e := entries[i]
				v, err := ParseLiteral(e.Repr)
				if err != nil {
					t.Errorf("%s: %v", e.Name, err)
					return
				}
				if got := string(Encode(v)); got != e.B64 {
					t.Errorf("%s: Encode differs under concurrency", e.Name)
				}
				if d := Decode([]byte(e.B64)); d.Encoding == EncNeon && Repr(d.Value) != e.Repr {
					t.Errorf("%s: Decode differs under concurrency", e.Name)
				}
			}
		})
	}
	wg.Wait()
}
