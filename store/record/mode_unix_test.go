//go:build unix

package record

import (
	"os"
	"syscall"
	"testing"
)

func TestRecordingFilesAreOwnerOnlyWhateverTheUmask(t *testing.T) {
	// A umask of 0 would let SQLite's default 0644 through; 0277 would take
	// the owner's write bit. Neither may change the recording's mode. The
	// umask is process-wide, so this test does not run in parallel.
	for _, umask := range []int{0, 0o277} {
		old := syscall.Umask(umask)
		path := testPath(t)
		w, err := Create(path, Options{})
		if err != nil {
			syscall.Umask(old)
			t.Fatal(err)
		}
		w.Append(fullMessage(0), nil)
		waitFor(t, "a committed message", func() bool { return w.Stats().Written == 1 })
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			st, err := os.Stat(p)
			if err != nil {
				t.Errorf("umask %#o: %v", umask, err)
				continue
			}
			if mode := st.Mode().Perm(); mode != fileMode {
				t.Errorf("umask %#o: %s has mode %v, want %v", umask, p, mode, os.FileMode(fileMode))
			}
		}
		err = w.Close()
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
	}
}
