package record

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mqscope/capture"
)

// helperEnv names the recording the helper process writes; it is set only
// when TestKillLosesAtMostTheLastBatch re-executes the test binary.
const helperEnv = "MQSCOPE_RECORD_HELPER_DB"

// killInterval is the helper's BatchInterval, mqscope's default.
const killInterval = 100 * time.Millisecond

// helperPace is the helper's time between messages. The bound under test
// holds while the writer keeps up; under the race detector SQLite commits
// only a thousand or two messages a second, so the helper stays far below.
const helperPace = 5 * time.Millisecond

// TestHelperRecorder is the child of TestKillLosesAtMostTheLastBatch: it
// records a message every helperPace until it is killed, printing
// "N WRITTEN" for each one the Writer accepted, where WRITTEN is how many
// messages the Writer had committed by then. Run on its own it skips.
func TestHelperRecorder(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestKillLosesAtMostTheLastBatch")
	}
	w, err := Create(path, Options{Version: "kill test", BatchInterval: killInterval})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The parent kills this process after about a second; the time limit
	// only keeps an orphan from running on if the parent itself died.
	defer w.Close()
	for n, start := int64(0), time.Now(); time.Since(start) < time.Minute; n++ {
		dropped := w.Stats().Dropped
		w.Append(capture.Message{Time: time.Now(), Headers: map[string]any{"n": n}, Body: []byte("x")}, nil)
		if w.Stats().Dropped == dropped {
			fmt.Printf("%d %d\n", n, w.Stats().Written)
		}
		time.Sleep(helperPace)
	}
}

func TestKillLosesAtMostTheLastBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process for about a second")
	}
	path := testPath(t)
	child := exec.Command(os.Args[0], "-test.run=^TestHelperRecorder$")
	child.Env = append(os.Environ(), helperEnv+"="+path)
	var stderr bytes.Buffer
	child.Stderr = &stderr
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	appended, first, readDone := readAppended(stdout)
	select {
	case <-first:
	case <-readDone:
		child.Wait()
		t.Fatalf("helper exited before recording anything: %s", stderr.String())
	case <-time.After(30 * time.Second):
		child.Process.Kill()
		t.Fatal("helper recorded nothing in 30s")
	}
	time.Sleep(time.Second)
	// Process.Kill is SIGKILL on Unix: no deferred Close, no final flush.
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	<-readDone

	recorded := map[int64]bool{}
	for _, m := range readAll(t, path) {
		n, _ := m.Headers["n"].(int64)
		recorded[n] = true
	}
	// Messages are committed in the order appended, so once the writer had
	// committed W of them, messages 0..W-1 are on disk and must survive the
	// kill; only what was still in the open batch may be lost. This checks
	// the promise without timing anything (the batch interval, which bounds
	// how much that open batch holds, is the writer's own timer).
	committed := int64(0)
	for _, a := range *appended {
		committed = max(committed, a.written)
	}
	for n := range committed {
		if !recorded[n] {
			t.Errorf("message %d was committed before the kill but is not in the recording", n)
		}
	}
	t.Logf("%d appended, %d recorded, %d committed before the kill", len(*appended), len(recorded), committed)
	if committed < 10 {
		t.Fatalf("only %d messages were committed before the kill: nothing to check", committed)
	}
}

// appendedMsg is one line of the helper's output.
type appendedMsg struct {
	n       int64
	written int64 // messages the Writer had committed just after Append returned
}

// readAppended parses the helper's lines until EOF. first is closed at the
// first line, done at EOF; the slice is complete once done is closed.
func readAppended(r io.Reader) (*[]appendedMsg, <-chan struct{}, <-chan struct{}) {
	var out []appendedMsg
	first, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 2 {
				continue
			}
			n, err1 := strconv.ParseInt(f[0], 10, 64)
			written, err2 := strconv.ParseInt(f[1], 10, 64)
			if err1 != nil || err2 != nil {
				continue
			}
			out = append(out, appendedMsg{n, written})
			once.Do(func() { close(first) })
		}
	}()
	return &out, first, done
}
