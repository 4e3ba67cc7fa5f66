package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// asMainEnv makes the test binary run main() instead of the tests, so that
// a test can run mqscope as the user does and see everything it prints,
// on stdout and stderr alike, and its exit status.
const asMainEnv = "MQSCOPE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(runTests(m))
}

// runTests runs the tests with a state directory of their own, which the
// mqscope processes they start inherit: what their tracers record is the
// tests' alone, not the user's.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mqscope-cli-state-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	os.Setenv("XDG_STATE_HOME", dir)
	code := m.Run()
	switchOffLeftTracers(filepath.Join(dir, "mqscope"))
	return code
}

// switchOffLeftTracers does for the tests what the next mqscope firehose
// would do for a user: a tracing record still in the state directory means
// a test ended an mqscope firehose that had switched a vhost's tracer on
// before it could switch it off again (a kill). The shared test broker is
// left as it was found, and the log says which vhost, to find the test.
func switchOffLeftTracers(dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "tracing-*.json"))
	for _, f := range files {
		var rec struct{ VHost string }
		data, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(data, &rec) != nil || rec.VHost == "" {
			continue
		}
		fmt.Fprintf(os.Stderr, "cli tests: the tracer of vhost %q was left on by a test's mqscope; switching it off\n", rec.VHost)
		req, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1:15672/api/vhosts/"+url.PathEscape(rec.VHost), strings.NewReader(`{"tracing": false}`))
		req.SetBasicAuth("guest", "guest")
		req.Header.Set("content-type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
}

// result is what one run of the mqscope process printed and how it ended.
type result struct {
	stdout, stderr string
	code           int
}

// all is everything the run printed.
func (r result) all() string { return r.stdout + r.stderr }

// stderrLines are the lines of stderr.
func (r result) stderrLines() []string {
	s := strings.TrimSuffix(r.stderr, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// runProcess runs mqscope with args in its own process, stdin as its
// input, until it exits or ctx ends; then it is interrupted as Ctrl-C
// would, and killed if it does not stop.
func runProcess(t *testing.T, ctx context.Context, stdin []byte, args ...string) result {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 20 * time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
	case err != nil && cmd.ProcessState == nil:
		t.Fatalf("mqscope %s: %v", strings.Join(args, " "), err)
	}
	// Interrupted by ctx, Run reports ctx's error even when mqscope then
	// exited cleanly; the exit status is what the user would see.
	return result{out.String(), errOut.String(), cmd.ProcessState.ExitCode()}
}

// runBinary runs mqscope to completion with nothing on stdin. The timeout
// only bounds a broken test.
func runBinary(t *testing.T, args ...string) result {
	t.Helper()
	return runBinaryStdin(t, nil, args...)
}

// runBinaryStdin runs mqscope to completion with stdin as its input.
func runBinaryStdin(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return runProcess(t, ctx, stdin, args...)
}
