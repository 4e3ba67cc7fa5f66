package neonwire

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// python3 returns the path of python3, or skips the test: the comparisons
// with Python's own repr, json and base64 need it. NEONWIRE_PYTHON names
// another interpreter to compare with, such as a python3.12.
func python3(t testing.TB) string {
	t.Helper()
	name := "python3"
	if env := os.Getenv("NEONWIRE_PYTHON"); env != "" {
		name = env
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skip("python3 is not on PATH; install it to compare the codec with Python's own repr/json/base64")
	}
	return path
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-20)
	return fmt.Sprintf("first difference at byte %d: got %q, want %q", i, got[lo:min(len(got), i+20)], want[lo:min(len(want), i+20)])
}
