package neonwire

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goldenEntry is one value written by testdata/gen_golden.py: Python's repr
// of it and its Neon wire body.
type goldenEntry struct {
	Name string `json:"name"`
	Repr string `json:"repr"`
	B64  string `json:"b64"`
}

func loadGolden(t *testing.T) []goldenEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []goldenEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		t.Fatalf("testdata/golden.json: %v", err)
	}
	return entries
}

// TestGoldenMatchesPythonByteForByte reads Python's repr of each golden
// value, prints it back identically, and encodes it to Python's exact body.
func TestGoldenMatchesPythonByteForByte(t *testing.T) {
	for _, e := range loadGolden(t) {
		t.Run(e.Name, func(t *testing.T) {
			v, err := ParseLiteral(e.Repr)
			if err != nil {
				t.Fatalf("ParseLiteral: %v", err)
			}
			if got := Repr(v); got != e.Repr {
				t.Errorf("Repr differs from Python: %s", firstDiff(got, e.Repr))
			}
			if got := string(Encode(v)); got != e.B64 {
				t.Errorf("Encode differs from dict_to_b64: %s", firstDiff(got, e.B64))
			}
			if _, isStr := v.(string); isStr {
				return // str(s) is s itself, so the body holds no literal
			}
			d := Decode([]byte(e.B64))
			if d.Encoding != EncNeon || d.Err != nil {
				t.Fatalf("Decode labelled the body %s (%v), want neon", d.Encoding, d.Err)
			}
			if got := Repr(d.Value); got != e.Repr {
				t.Errorf("Decode then Repr: %s", firstDiff(got, e.Repr))
			}
		})
	}
}

// TestGoldenFileIsCurrent reruns the generator and checks that the
// committed golden.json is what it writes today.
func TestGoldenFileIsCurrent(t *testing.T) {
	py := python3(t)
	var recorded string
	for _, e := range loadGolden(t) {
		if e.Name == "unicode_version" {
			recorded = strings.Trim(e.Repr, "'")
		}
	}
	out, err := exec.Command(py, "-c", "import unicodedata; print(unicodedata.unidata_version)").Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	if have := strings.TrimSpace(string(out)); have != recorded {
		t.Skipf("golden.json was generated with Unicode %s data and this python3 has %s; the sampled code points differ", recorded, have)
	}
	fresh := filepath.Join(t.TempDir(), "golden.json")
	if out, err := exec.Command(py, filepath.Join("testdata", "gen_golden.py"), fresh).CombinedOutput(); err != nil {
		t.Fatalf("gen_golden.py: %v\n%s", err, out)
	}
	want, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Errorf("testdata/golden.json is stale (%s); regenerate it: python3 connector/neonwire/testdata/gen_golden.py",
			firstDiff(string(have), string(want)))
	}
}
