package neonwire

import (
	"encoding/base64"
	"strings"
	"testing"
)

// generalText reads body the general way (unbase64, parseJSONDoc): the
// JSON string's text, or false when the body is not base64 of a JSON
// string.
func generalText(body []byte) (string, bool) {
	var buf []byte
	raw, err := unbase64(&buf, body)
	if err != nil {
		return "", false
	}
	j, err := parseJSONDoc(raw)
	if err != nil {
		return "", false
	}
	s, ok := j.(string)
	return s, ok
}

// checkNeonText fails when neonText gives a text the general path does not;
// with wantFast, also when it leaves to the general path a body it should
// read itself.
func checkNeonText(t *testing.T, body []byte, wantFast bool) {
	t.Helper()
	want, wantOK := generalText(body)
	got, ok := neonText(body)
	switch {
	case ok && !wantOK:
		t.Fatalf("neonText read %.80q, which the general path rejects", body)
	case ok && got != want:
		t.Fatalf("neonText(%.80q) = %.80q, general path %.80q", body, got, want)
	case !ok && wantFast:
		t.Fatalf("neonText left %.80q to the general path", body)
	}
}

func b64(s string) []byte { return []byte(base64.StdEncoding.EncodeToString([]byte(s))) }

// TestNeonTextAcrossWindows puts every kind of escape and character at
// every offset around the end of the first and second windows, where
// neonText carries it over to the next.
func TestNeonTextAcrossWindows(t *testing.T) {
	pieces := []string{`\ud83d\ude00`, `\u00e9`, `\ud83d`, `\ude00x`, `\\`, `\"`, `\n`, `\/`, "é", "東", "😀", "\x7f"}
	edge := b64Window / 4 * 3
	for _, piece := range pieces {
		for _, at := range []int{edge, 2 * edge} {
			for shift := -16; shift <= 16; shift++ {
				pad := strings.Repeat("a", at+shift-1)
				checkNeonText(t, b64(`"`+pad+piece+`tail"`), true)
				checkNeonText(t, b64(`"`+pad+piece+`"`), true)
			}
		}
	}
}

// TestNeonTextLeavesOddBodiesToGeneralPath checks bodies neonText must not
// read on its own (the general path explains what is wrong, or reads what
// is unusual), and that what it does read matches.
func TestNeonTextLeavesOddBodiesToGeneralPath(t *testing.T) {
	long := strings.Repeat("x", 12000)
	valid := b64(`"` + long + `"`)
	cases := map[string][]byte{
		"control character":        b64("\"a\x01b\""),
		"invalid escape":           b64(`"a\xb"`),
		"truncated \\u":            b64(`"a\u12"`),
		"\\u at the end":           b64(`"a\u`),
		"invalid UTF-8":            b64("\"a\xffb\""),
		"invalid UTF-8 after":      b64("\"a\" \xff"),
		"cut UTF-8":                b64("\"a\xe6\x9d\""),
		"surrogate in UTF-8":       b64("\"a\xed\xa0\x80\""),
		"unterminated":             b64(`"abc`),
		"unterminated long":        b64(`"` + long),
		"value after the string":   b64(`"a" 1`),
		"JSON blank before":        b64(` "a"`),
		"not a string":             b64(`{"a": 1}`),
		"empty":                    b64(``),
		"not base64":               []byte("not base64!"),
		"line break inside":        append(append(append([]byte{}, valid[:100]...), '\n'), valid[100:]...),
		"line break in 2nd window": append(append(append([]byte{}, valid[:4100]...), "\r\n"...), valid[4100:]...),
		"padding inside":           append(b64(`"a`), b64(`bc"`)...),
		"padding inside, long":     append(b64(`"a`), b64(long+`"`)...),
		"unpadded":                 []byte(strings.TrimRight(string(b64(`"ab"`)), "=")),
		"stray character":          append(append([]byte{}, valid[:4200]...), append([]byte{'*'}, valid[4201:]...)...),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			checkNeonText(t, body, false)
			if _, ok := neonText(body); ok {
				t.Errorf("neonText read it")
			}
		})
	}
	for name, body := range map[string][]byte{
		"blanks around the base64":      []byte(" \t" + string(b64(`"a\nb"`)) + "\r\n"),
		"line break in the last window": append(append(append([]byte{}, valid[:len(valid)-100]...), "\r\n"...), valid[len(valid)-100:]...),
		"JSON blanks after":             b64("\"a\" \t\r\n"),
		"lone surrogates":               b64(`"\udc00\ud800x\ud800"`),
		"high surrogate, not a pair":    b64(`"\ud83d\u0041"`),
		"empty string":                  b64(`""`),
		"DEL and UTF-8":                 b64("\"\x7fé東😀\""),
		"every simple escape":           b64(`"\"\\\/\b\f\n\r\t"`),
		"upper-case hex":                b64(`"\u00E9\uD83D\uDE00"`),
	} {
		t.Run(name, func(t *testing.T) { checkNeonText(t, body, true) })
	}
}

// FuzzNeonText checks neonText against the general path on the base64 of
// arbitrary JSON text and on arbitrary bodies. The base64 of JSON text has
// no line break or padding inside, so neonText must read it itself whenever
// the general path can, unless the text starts with a JSON blank (which it
// leaves to the general path on purpose).
func FuzzNeonText(f *testing.F) {
	for _, s := range []string{`"a"`, `"\ud83d\ude00"`, "\"\\u00e9\xc3\xa9\"", `"a" `, `"\"`, `"a\u12"`, "\"\x01\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkNeonText(t, data, false)
		checkEncodedText(t, data)
		// The same JSON across a window's end, at the offset the input's
		// first byte gives.
		if len(data) > 0 {
			pad := b64Window/4*3 - 16 + int(data[0]%32)
			checkEncodedText(t, []byte(`"`+strings.Repeat("a", pad)+strings.TrimPrefix(string(data), `"`)))
		}
	})
}

// checkEncodedText is checkNeonText on the base64 of JSON text, which
// neonText must read itself when the general path can and text does not
// start with a JSON blank.
func checkEncodedText(t *testing.T, text []byte) {
	t.Helper()
	body := b64(string(text))
	_, generalOK := generalText(body)
	checkNeonText(t, body, generalOK && (len(text) == 0 || !isJSONSpace(text[0])))
}
