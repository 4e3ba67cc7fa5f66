package neonwire

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

// pythonPrintScript prints Python's Unicode version, then one byte per code
// point: '1' if str.isprintable, '0' if not, 'u' if unassigned (Cn) in
// Python's Unicode data.
const pythonPrintScript = `
import sys, unicodedata
out = bytearray()
for c in range(0x110000):
    ch = chr(c)
    out.append(ord('u') if unicodedata.category(ch) == 'Cn' else ord('1') if ch.isprintable() else ord('0'))
sys.stdout.write(unicodedata.unidata_version + '\n')
sys.stdout.flush()
sys.stdout.buffer.write(out)
`

type printability struct {
	version, table string
	err            error
}

var pyPrintables sync.Map // interpreter path → *printability, filled once

// pythonPrintability returns the Unicode version of the Python at py and
// its table of printable code points (see pythonPrintScript).
func pythonPrintability(t *testing.T, py string) (version, table string) {
	t.Helper()
	v, _ := pyPrintables.LoadOrStore(py, &sync.Once{})
	if once, ok := v.(*sync.Once); ok {
		once.Do(func() {
			p := &printability{}
			out, err := exec.Command(py, "-c", pythonPrintScript).Output()
			p.err = err
			p.version, p.table, _ = strings.Cut(string(out), "\n")
			pyPrintables.Store(py, p)
		})
		v, _ = pyPrintables.Load(py)
	}
	p := v.(*printability)
	if p.err != nil {
		t.Fatalf("%s: %v", py, p.err)
	}
	if len(p.table) != utf8.MaxRune+1 {
		t.Fatalf("%s printed %d code points, want %d", py, len(p.table), utf8.MaxRune+1)
	}
	return p.version, p.table
}

// pythonWithUnicode returns a Python whose Unicode data is version: the one
// NEONWIRE_PYTHON310 names, else python3.10, python3.9 or python3 on PATH if
// it has that version. It skips the test when there is none.
func pythonWithUnicode(t *testing.T, version string) string {
	t.Helper()
	candidates := []string{os.Getenv("NEONWIRE_PYTHON310"), "python3.10", "python3.9", "python3"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-c", "import unicodedata; print(unicodedata.unidata_version)").Output()
		if err == nil && strings.TrimSpace(string(out)) == version {
			return path
		}
	}
	t.Skipf("no Python with Unicode %s (CPython 3.9 or 3.10) found; set NEONWIRE_PYTHON310 to one to check the printable table", version)
	return ""
}

// reprKeeps reports whether Repr writes r as itself rather than escaping it
// (a backslash is escaped but printable).
func reprKeeps(r rune) bool {
	s := Repr(string(r))
	return r == '\\' || !strings.HasPrefix(s[1:], `\`)
}

// TestPrintableTableIsCPython310 compares the generated table, through
// Repr, with str.isprintable of a Python with the same Unicode data, for
// every code point. Regenerate the table with testdata/gen_printable.py.
func TestPrintableTableIsCPython310(t *testing.T) {
	py := pythonWithUnicode(t, pyUnicodeVersion)
	_, table := pythonPrintability(t, py)
	bad := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		want := table[r] == '1'
		if unicode.Is(pyPrintable, r) == want && (!utf8.ValidRune(r) || reprKeeps(r) == want) {
			continue
		}
		if bad++; bad <= 20 {
			t.Errorf("U+%04X: Repr keeps it = %v, %s isprintable = %v", r, reprKeeps(r), py, want)
		}
	}
	if bad > 20 {
		t.Errorf("... %d code points differ in all", bad)
	}
}

// TestReprEscapesWhatCPython310Escapes pins characters on both sides of
// Unicode 13.0: ones it assigned are kept, later ones escaped, as CPython
// 3.10 writes them, whatever Unicode version Go's tables have.
func TestReprEscapesWhatCPython310Escapes(t *testing.T) {
	cases := map[rune]string{
		0x1f600: "'😀'",          // Unicode 6.1
		0x1f972: "'\U0001f972'", // smiling face with tear, Unicode 13.0: kept
		0x1fae0: `'\U0001fae0'`, // melting face, Unicode 14.0
		0x0870:  `'\u0870'`,     // Arabic letter, Unicode 14.0
		0x31350: `'\U00031350'`, // CJK extension H, Unicode 15.0
		0x0378:  `'\u0378'`,     // unassigned in every version so far
		0x00ad:  `'\xad'`,       // soft hyphen: Cf
	}
	for r, want := range cases {
		if got := Repr(string(r)); got != want {
			t.Errorf("Repr(U+%04X) = %s, want %s", r, got, want)
		}
	}
}

// TestReprPrintabilityMatchesPython compares, for every code point,
// whether Repr escapes it with whether python3's str.isprintable rejects
// it. With the same Unicode version nothing may differ; with another one,
// only characters that one of the two versions has not assigned.
func TestReprPrintabilityMatchesPython(t *testing.T) {
	version, table := pythonPrintability(t, python3(t))
	skew, bad := 0, 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) || reprKeeps(r) == (table[r] == '1') {
			continue
		}
		// Python does not know the character, or knows it and we escape it
		// as a character our older version had not assigned.
		if version != pyUnicodeVersion && (table[r] == 'u' || table[r] == '1' && !reprKeeps(r)) {
			skew++
			continue
		}
		if bad++; bad <= 20 {
			t.Errorf("U+%04X: Repr keeps it = %v, Python isprintable = %v", r, reprKeeps(r), table[r] == '1')
		}
	}
	if bad > 20 {
		t.Errorf("... %d code points differ in all", bad)
	}
	t.Logf("Repr follows Unicode %s (CPython 3.10), python3 has Unicode %s: %d code points differ only because one side has not assigned them",
		pyUnicodeVersion, version, skew)
}

// versionSkew lists the code points where Repr and python3 disagree because
// python3's Unicode version is not the one Repr follows; random strs sent
// to python3 avoid them.
func versionSkew(t *testing.T) []rune {
	_, table := pythonPrintability(t, python3(t))
	skew := []rune{} // sent to Python as a JSON list, never null
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if utf8.ValidRune(r) && reprKeeps(r) != (table[r] == '1') {
			skew = append(skew, r)
		}
	}
	return skew
}
