package textsafe

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUnsafeNamesWhatHidesOrDrives(t *testing.T) {
	unsafe := []rune{
		0x00, 0x07, '\b', '\t', '\n', '\r', 0x1b, 0x7f, 0x80, 0x85, 0x9b, 0x9f,
		0x00ad, 0x061c, 0x115f, 0x1160, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f,
		0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2061, 0x2064,
		0x2066, 0x2067, 0x2068, 0x2069, 0x3164, 0xfeff, 0xffa0, 0xfff9, 0xe0001, 0xe0041, 0xe007f,
	}
	for _, r := range unsafe {
		if !Unsafe(r) {
			t.Errorf("Unsafe(%U) = false", r)
		}
	}
	for _, r := range []rune{' ', 'a', '~', 0xa0, 0xe9, 0x0301, 0x4e2d, 0x05d0, 0x0627, 0x1f642, 0xfffd, 0x3000} {
		if Unsafe(r) {
			t.Errorf("Unsafe(%U) = true", r)
		}
	}
}

func TestRowEscapesVisibly(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain neon_api_input", "plain neon_api_input"},
		{"é 中文 🙂 \uFFFD", "é 中文 🙂 \uFFFD"},
		{"a\x1b[31mred\x07", `a\x1b[31mred\x07`},
		{"line\nnext\ttab\r\x7f", `line\nnext\ttab\r\x7f`},
		{"\u0085\u009b2J", `\u0085\u009b2J`},
		{"user\u202Egnp.exe", `user\u202egnp.exe`},
		{"\u2066a\u2069\u200e\u200f\u061c", `\u2066a\u2069\u200e\u200f\u061c`},
		{"neon\u200b_api\ufeff\u2028", `neon\u200b_api\ufeff\u2028`},
		{"tag\U000E0041", `tag\U000e0041`},
		{"bad\xff\xc3", `bad\xff\xc3`},
		// Two marks on a letter stay; the rest of the run is escaped; the
		// count starts again at the next base character.
		{"e\u0301\u0302\u0303\u0304x\u0301\u0302", "e\u0301\u0302" + `\u0303\u0304` + "x\u0301\u0302"},
		{"\u0301\u0301\u0301", "\u0301\u0301" + `\u0301`},
		{"Vie\u0302\u0323t", "Vie\u0302\u0323t"},
	}
	for _, tc := range cases {
		if got := Row(tc.in); got != tc.want {
			t.Errorf("Row(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLinesKeepsOnlyNewlines(t *testing.T) {
	if got, want := Lines("a\nb\r\n\x1b\t\u202e"), "a\nb\\r\n\\x1b\\t\\u202e"; got != want {
		t.Fatalf("Lines = %q, want %q", got, want)
	}
}

// randomText mixes ASCII, controls, bidi, zero-width, marks, wide and
// broken UTF-8.
func randomText(rng *rand.Rand) string {
	pieces := []string{"a", " ", "é", "中", "🙂", "\x1b", "\x07", "\n", "\r", "\t", "\x7f", "\u0085", "\u009b",
		"\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2028", "\u0301", "\u0302", "\u20dd", "\U000E0041", "\xff", "\xe2\x80", "\\"}
	var b strings.Builder
	for range rng.IntN(40) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// checkRowSafe fails unless every character of out may be written raw.
func checkRowSafe(t *testing.T, in, out string, keepNewlines bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%q → %q: not UTF-8", in, out)
	}
	for i := 0; i < len(out); {
		r, size, esc := EscapeAt(out, i)
		if esc && !(keepNewlines && r == '\n') {
			t.Fatalf("%q → %q: %U at byte %d is still raw", in, out, r, i)
		}
		i += size
	}
}

func TestRowAndLinesLeaveNothingUnsafe(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		s := randomText(rng)
		checkRowSafe(t, s, Row(s), false)
		checkRowSafe(t, s, Lines(s), true)
		if strings.Contains(Row(s), "\n") {
			t.Fatalf("Row(%q) has a line break", s)
		}
	}
}

func FuzzRow(f *testing.F) {
	f.Add("a\x1b[2J\u202e\u0301\u0301\u0301\xff")
	f.Fuzz(func(t *testing.T, s string) {
		checkRowSafe(t, s, Row(s), false)
		checkRowSafe(t, s, Lines(s), true)
		out := Clipboard(s)
		if !utf8.ValidString(out) || strings.ContainsFunc(out, func(r rune) bool { return clipEscapes(r, 3) }) {
			t.Fatalf("Clipboard(%q) = %q keeps a control", s, out)
		}
	})
}

func TestClipboardKeepsTextButNoControls(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain\ttext\nnext", "plain\ttext\nnext"},
		{"red \x1b[31mX\x1b[0m ding\x07", `red \x1b[31mX\x1b[0m ding\x07`},
		{"end paste \x1b[201~rm -rf ~\n", `end paste \x1b[201~rm -rf ~` + "\n"},
		{"windows\r\nline\rover", "windows\nline" + `\r` + "over"},
		{"nul\x00 bs\b del\x7f csi\u009b2J", `nul\x00 bs\x08 del\x7f csi\u009b2J`},
		{"bad\xff", `bad\xff`},
		{"שלום\u200f \u202ertl\u202c e\u0301\u0301\u0301 \u200b", "שלום\u200f \u202ertl\u202c e\u0301\u0301\u0301 \u200b"},
	}
	for _, tc := range cases {
		got := Clipboard(tc.in)
		if got != tc.want {
			t.Errorf("Clipboard(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.ContainsAny(got, "\x1b\x07\x00\r\x7f\u009b") {
			t.Errorf("Clipboard(%q) = %q holds a raw control", tc.in, got)
		}
	}
}

func TestCleanTextIsNotCopied(t *testing.T) {
	s := strings.Repeat("neon_api_input é 中 🙂 ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = Row(s); _ = Lines(s); _ = Clipboard(s) }); n != 0 {
		t.Fatalf("%v allocations for text that needs no escape", n)
	}
	b := []byte("x\u0301\u0301\u0301")
	if n := testing.AllocsPerRun(100, func() { EscapeAt(b, len(b)-2) }); n != 0 {
		t.Fatalf("EscapeAt on bytes allocates %v times", n)
	}
	if _, _, esc := EscapeAt(b, len(b)-2); !esc {
		t.Fatal("the third mark should be escaped")
	}
}

// TestJSONEscapesAreEncodingJSONs compares every ASCII escape with
// encoding/json's (DEL, which encoding/json leaves, with Python's \u007f).
func TestJSONEscapesAreEncodingJSONs(t *testing.T) {
	for c := range byte(utf8.RuneSelf) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(string(c)); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(buf.String(), `"`), "\n"), `"`)
		if c == 0x7f {
			want = `\u007f`
		} else if len(want) == 1 {
			continue // encoding/json writes it as itself
		}
		if got := string(AppendJSONEscape(nil, c)); got != want {
			t.Errorf("AppendJSONEscape(%#x) = %s, want %s", c, got, want)
		}
	}
	for r, want := range map[rune]string{0x2028: `\u2028`, 0xfffd: `\ufffd`, 0x202e: `\u202e`, 0xe9: `\u00e9`, 0x1f642: `\ud83d\ude42`, 0xe0041: `\udb40\udc41`} {
		got := AppendJSONRune([]byte("x"), r)
		var back string
		if string(got) != "x"+want || json.Unmarshal([]byte(`"`+want+`"`), &back) != nil || back != string(r) {
			t.Errorf("AppendJSONRune(%U) = %s, want %s", r, got[1:], want)
		}
	}
}
