package neonwire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"mqscope/internal/textsafe"
)

// pyStr builds a Python str Value from its code points, surrogates
// included.
func pyStr(cps ...rune) string {
	var b []byte
	for _, r := range cps {
		b = appendPyRune(b, r)
	}
	return string(b)
}

// TestLoneSurrogatesKeptThroughEveryLayer pins, without Python, what
// Python 3 writes for strs holding lone surrogates: repr escapes each one,
// json.dumps escapes the backslash of that, ToJSON writes \udXXX, and a
// high and a low surrogate written apart stay two code points.
func TestLoneSurrogatesKeptThroughEveryLayer(t *testing.T) {
	d := &Dict{}
	d.Set("a", pyStr(0xd800))
	d.Set("b", pyStr(0xd83d, 0xde00))
	d.Set("c", pyStr('x', 0xdfff, 'y'))
	const repr = `{'a': '\ud800', 'b': '\ud83d\ude00', 'c': 'x\udfffy'}`
	if got := Repr(d); got != repr {
		t.Errorf("Repr = %s, want %s", got, repr)
	}
	wantBody := base64.StdEncoding.EncodeToString([]byte(`"{'a': '\\ud800', 'b': '\\ud83d\\ude00', 'c': 'x\\udfffy'}"`))
	if got := string(Encode(d)); got != wantBody {
		t.Errorf("Encode = %s, want %s", got, wantBody)
	}
	if got, want := string(ToJSON(d)), `{"a":"\ud800","b":"\ud83d\ude00","c":"x\udfffy"}`; got != want {
		t.Errorf("ToJSON = %s, want %s", got, want)
	}
	back, err := DecodeNeon([]byte(wantBody))
	if err != nil || !sameValue(back, d) {
		t.Errorf("DecodeNeon = %s (%v), want the dict back", Repr(back), err)
	}
	if v, _ := ParseLiteral(`'\ud83d\ude00'`); v == "😀" {
		t.Error(`'\ud83d\ude00' read as U+1F600; Python keeps two code points`)
	}
	// str(s) is s: the surrogate reaches json.dumps itself.
	if got, want := string(Encode(pyStr(0xd800, 'x'))), base64.StdEncoding.EncodeToString([]byte(`"\ud800x"`)); got != want {
		t.Errorf("Encode of a str = %s, want %s", got, want)
	}
	if !utf8.ValidString(Repr(d)) || !utf8.Valid(ToJSON(d)) {
		t.Error("Repr or ToJSON is not UTF-8: both must escape surrogates")
	}
}

// TestDecodeRefusesSurrogateInLiteralText checks a body whose JSON string
// holds a raw lone surrogate: Python cannot compile that text, so real
// Neon services reject it, and the label says so.
func TestDecodeRefusesSurrogateInLiteralText(t *testing.T) {
	body := base64.StdEncoding.EncodeToString([]byte(`"{'a': '\udc80'}"`))
	d := Decode([]byte(body))
	if d.Encoding != EncB64JSON || d.Err == nil || !strings.Contains(d.Err.Error(), "lone surrogate U+DC80") {
		t.Fatalf("Decode = %s, %v; want b64json saying lone surrogate U+DC80", d.Encoding, d.Err)
	}
	if got, want := string(ToJSON(d.Value)), `"{'a': '\udc80'}"`; got != want {
		t.Errorf("value shown as %s, want %s", got, want)
	}
}

// pythonSurrogateScript reads JSON lines, each a list of strs given as
// lists of code points, and answers for each str s with Python's
// dict_to_b64 of {'s': s, 'l': [s, s + 'x'], s: 1}, its json.dumps and the
// dict_to_b64 of s itself.
const pythonSurrogateScript = `
import base64, json, sys
def dict_to_b64(data):
    return base64.b64encode(json.dumps(str(data)).encode("utf-8")).decode("ascii")
for line in sys.stdin:
    for cps in json.loads(line):
        s = "".join(map(chr, cps))
        d = {"s": s, "l": [s, s + "x"], s: 1}
        print(json.dumps({"body": dict_to_b64(d), "json": json.dumps(d, separators=(",", ":")), "str": dict_to_b64(s)}))
`

// surrogateCases returns strs with lone surrogates: alone, a high and a low
// written apart (in both orders), next to quotes, escapes, text and emoji.
// Code points in skip are not used.
func surrogateCases(n int, skip []rune) [][]rune {
	cases := [][]rune{
		{0xd800}, {0xdbff}, {0xdc00}, {0xdfff}, {0xd83d, 0xde00}, {0xde00, 0xd83d},
		{'a', 0xd800, 'b'}, {0xd800, 0xd800}, {'\'', 0xdc80, '"'}, {'\\', 0xd800, '\n'},
		{0xd800, 0x1f600, 0xdc00}, {'é', 0xdfff, '中'}, {0xd7ff, 0xd800, 0xe000},
	}
	rng := rand.New(rand.NewPCG(5, 8))
	pick := []func() rune{
		func() rune { return 0xd800 + rune(rng.IntN(0x400)) },
		func() rune { return 0xdc00 + rune(rng.IntN(0x400)) },
		func() rune { return rune(0x20 + rng.IntN(0x5f)) },
		func() rune { return []rune{'\'', '"', '\\', '\t', 0, 0x7f, 0x85, 0x2028}[rng.IntN(8)] },
		func() rune { return rune(0xa0 + rng.IntN(0x700)) },
		func() rune { return rune(0x1f300 + rng.IntN(0x300)) },
	}
	for range n {
		s := make([]rune, 1+rng.IntN(8))
		for i := range s {
			if s[i] = pick[rng.IntN(len(pick))](); slices.Contains(skip, s[i]) {
				s[i] = '?'
			}
		}
		if !slicesContainSurrogate(s) {
			s = append(s, 0xd800+rune(rng.IntN(0x800)))
		}
		cases = append(cases, s)
	}
	return cases
}

func slicesContainSurrogate(s []rune) bool {
	for _, r := range s {
		if utf16.IsSurrogate(r) {
			return true
		}
	}
	return false
}

// asciiJSON rewrites JSON text as json.dumps(ensure_ascii=True) would
// write it: every non-ASCII character as \uXXXX, in surrogate pairs above
// U+FFFF.
func asciiJSON(b []byte) string {
	var out []byte
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		out = textsafe.AppendJSONRune(out, r)
		i += size
	}
	return string(out)
}

// TestLoneSurrogatesMatchPython compares, for strs with lone surrogates,
// Encode with Python's dict_to_b64 byte for byte, the decoding of Python's
// body with the value itself, and ToJSON of it with Python's json.dumps.
func TestLoneSurrogatesMatchPython(t *testing.T) {
	cases := surrogateCases(400, versionSkew(t))
	req, _ := json.Marshal(cases)
	cmd := exec.Command(python3(t), "-c", pythonSurrogateScript)
	cmd.Stdin = bytes.NewReader(append(req, '\n'))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("python3 answered %d lines for %d strs", len(lines), len(cases))
	}
	for i, cps := range cases {
		var a struct{ Body, JSON, Str string }
		if err := json.Unmarshal([]byte(lines[i]), &a); err != nil {
			t.Fatal(err)
		}
		s := pyStr(cps...)
		d := &Dict{Items: []Item{{"s", s}, {"l", List{s, s + "x"}}, {s, int64(1)}}}
		if got := string(Encode(d)); got != a.Body {
			t.Errorf("str %d %U: Encode differs from dict_to_b64: %s", i, cps, firstDiff(got, a.Body))
		}
		if got := string(Encode(s)); got != a.Str {
			t.Errorf("str %d %U: Encode of the str differs: %s", i, cps, firstDiff(got, a.Str))
		}
		back, err := DecodeNeon([]byte(a.Body))
		if err != nil || !sameValue(back, d) {
			t.Errorf("str %d %U: Python's body decodes to %s (%v)", i, cps, Repr(back), err)
			continue
		}
		if got := asciiJSON(ToJSON(back)); got != a.JSON {
			t.Errorf("str %d %U: ToJSON differs from json.dumps: %s", i, cps, firstDiff(got, a.JSON))
		}
	}
	t.Logf("%d strs with lone surrogates match Python", len(cases))
}
