//go:build unix

package connector

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// shortPipeWait makes a config pipe's wait short for one test.
func shortPipeWait(t *testing.T, d time.Duration) {
	old := pipeWait
	pipeWait = d
	t.Cleanup(func() { pipeWait = old })
}

func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mq_config.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	return path
}

func TestLoadConfigFromAPipeNobodyWritesToReturns(t *testing.T) {
	// A blocking open of this pipe would never return, and main catches
	// Ctrl-C, so the user could not even interrupt it.
	shortPipeWait(t, 100*time.Millisecond)
	path := mkfifo(t)
	_, err := LoadConfig(path)
	want := "config " + path + ": is a named pipe and no complete config came through it within 100ms; expected a JSON file"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestLoadConfigReadsAPipeWhoseWriterComesLater(t *testing.T) {
	// The writer opens the pipe only after mqscope has: its open blocks
	// until a reader appears, so mqscope's first read may find no writer.
	// The wait only bounds a broken test.
	shortPipeWait(t, time.Minute)
	path := mkfifo(t)
	wrote := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(`{"server": "piped.example.org"}`)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		wrote <- err
	}()
	c, err := LoadConfig(path)
	if werr := <-wrote; werr != nil {
		t.Fatal(werr)
	}
	if err != nil || c.Server != "piped.example.org" {
		t.Fatalf("LoadConfig = %+v, %v; want the piped config", c, err)
	}
	if c.PermWarning != "" {
		t.Errorf("a pipe is not a file others can read later, yet PermWarning = %q", c.PermWarning)
	}
}
