package neonwire

import (
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

var pyPrintable struct {
	once    sync.Once
	version string
	table   string
	err     error
}

// pythonPrintability returns python3's Unicode version and its table of
// printable code points (see pythonPrintScript).
func pythonPrintability(t *testing.T) (version, table string) {
	py := python3(t)
	pyPrintable.once.Do(func() {
		out, err := exec.Command(py, "-c", pythonPrintScript).Output()
		if err != nil {
			pyPrintable.err = err
			return
		}
		version, table, _ := strings.Cut(string(out), "\n")
		pyPrintable.version, pyPrintable.table = version, table
	})
	if pyPrintable.err != nil {
		t.Fatalf("python3: %v", pyPrintable.err)
	}
	if len(pyPrintable.table) != utf8.MaxRune+1 {
		t.Fatalf("python3 printed %d code points, want %d", len(pyPrintable.table), utf8.MaxRune+1)
	}
	return pyPrintable.version, pyPrintable.table
}

// reprKeeps reports whether Repr writes r as itself rather than escaping it
// (a backslash is escaped but printable).
func reprKeeps(r rune) bool {
	s := Repr(string(r))
	return r == '\\' || !strings.HasPrefix(s[1:], `\`)
}

// assignedInGo reports whether Go's Unicode tables assign r.
func assignedInGo(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C)
}

// versionSkew lists the code points where Repr and python3 disagree because
// one side's Unicode data assigns a character the other's does not know.
func versionSkew(t *testing.T) []rune {
	_, table := pythonPrintability(t)
	var skew []rune
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if utf8.ValidRune(r) && reprKeeps(r) != (table[r] == '1') && (table[r] == 'u') != !assignedInGo(r) {
			skew = append(skew, r)
		}
	}
	return skew
}

// TestReprPrintabilityMatchesPython compares, for every code point, whether
// Repr escapes it with whether Python's str.isprintable rejects it. The
// only differences allowed are characters that one side's Unicode version
// has not assigned yet.
func TestReprPrintabilityMatchesPython(t *testing.T) {
	version, table := pythonPrintability(t)
	skew, bad := 0, 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) || reprKeeps(r) == (table[r] == '1') {
			continue
		}
		if (table[r] == 'u') != !assignedInGo(r) {
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
	t.Logf("Go Unicode %s, Python Unicode %s: %d code points differ only because one side has not assigned them",
		unicode.Version, version, skew)
}
