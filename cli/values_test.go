package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"mqscope/store/record"
)

// checkUsageError checks a run refused as bad usage: exit 2, nothing on
// stdout, one line on stderr that says want.
func checkUsageError(t *testing.T, r result, want string) {
	t.Helper()
	lines := r.stderrLines()
	if r.code != 2 || r.stdout != "" || len(lines) != 1 || !strings.Contains(lines[0], want) {
		t.Fatalf("exit %d, stderr %q; want exit 2 and one line saying %q", r.code, r.stderr, want)
	}
}

// TestBadValuesAreRefusedBeforeAnythingHappens: values that used to wait
// for ever, report a lost connection, or blame something else are usage
// errors naming the cause, found before the config is even read (the
// config given does not exist, so reading it would fail differently).
func TestBadValuesAreRefusedBeforeAnythingHappens(t *testing.T) {
	long := strings.Repeat("q", 300)
	missing := filepath.Join(t.TempDir(), "missing.json")
	request := func(extra ...string) []string {
		return append([]string{"request", "--config", missing, "--vhost", "/v", "--queue", "q", "--json", "{'a': 1}"}, extra...)
	}
	cases := []struct {
		args []string
		want string
	}{
		{request("--timeout", "0"), "request: --timeout must be more than 0"},
		{request("--timeout", "0s"), "request: --timeout must be more than 0"},
		{request("--timeout", "-5s"), "request: --timeout must be more than 0"},
		{request("--timeout", "-5"), "request: --timeout must be more than 0"},
		{request("--timeout", "5"), "request: --timeout 5 has no unit: write 5s"},
		{request("--timeout", "soon"), `request: --timeout "soon" is not a duration`},
		{request("--expiration", "-1"), `request: expiration "-1": give a whole number of milliseconds from 0 to 315360000000`},
		{request("--queue", long), "request: queue name is 300 bytes long; RabbitMQ queue names are at most 255 bytes"},
		{[]string{"tail", "--config", missing, "--vhost", "/v", "--queue", "q", "--count", "-1"}, "tail: --count must be 0 (until Ctrl-C) or more"},
		{[]string{"tail", "--config", missing, "--vhost", "/v", "--queue", long}, "tail: --queue: a name of 300 bytes is too long"},
		{[]string{"tail", "--config", missing, "--vhost", "/v", "--exchange", long}, "tail: --exchange: a name of 300 bytes is too long"},
		{[]string{"--config", missing, "--watch", "a,exchange:" + long}, "--watch: a name of 300 bytes is too long"},
		{[]string{"--config", missing, "--theme", "nope"}, `--theme: unknown theme "nope" (known: `},
		{[]string{"open", missing, "--theme", "nope"}, `open: --theme: unknown theme "nope" (known: `},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			checkUsageError(t, runBinary(t, tc.args...), tc.want)
		})
	}
}

// TestThemeInConfigIsRefusedLikeTheFlag: "theme": "nope" in the config is
// refused (it is the config's problem: exit 1, naming file, line and key)
// with the same words as --theme nope.
func TestThemeInConfigIsRefusedLikeTheFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mq_config.json")
	if err := os.WriteFile(path, []byte(`{"users": {"a": {}}, "mqscope": {"theme": "nope"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	flag := runBinary(t, "--config", path, "--theme", "nope")
	_, reason, ok := strings.Cut(strings.TrimSpace(flag.stderr), "--theme: ")
	if !ok || flag.code != 2 {
		t.Fatalf("--theme nope: exit %d, %q", flag.code, flag.stderr)
	}
	for _, args := range [][]string{{"--config", path}, {"tail", "--config", path, "--vhost", "/v", "--queue", "q"}} {
		r := runBinary(t, args...)
		checkOneLineError(t, r, "mqscope: config "+path+`:1:43: "mqscope.theme": `)
		if !strings.HasSuffix(strings.TrimSpace(r.stderr), reason) {
			t.Errorf("config error %q does not end as the flag's: %q", r.stderr, reason)
		}
	}
}

// TestOpenWithoutATerminalSaysSoOnce: run where there is no terminal, open
// says so in one line with what to use instead, not bubbletea's error that
// repeats its own prefix.
func TestOpenWithoutATerminalSaysSoOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.db")
	w, err := record.Create(path, record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "open", path)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal: /dev/tty cannot be opened
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	r := result{stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	checkOneLineError(t, r, "mqscope: the terminal UI needs a terminal, and /dev/tty cannot be opened (")
	if !strings.HasSuffix(r.stderr, "; mqscope export "+path+" prints it as JSON lines\n") || strings.Contains(r.stderr, "bubbletea") {
		t.Fatalf("stderr %q (%v)", r.stderr, err)
	}
}
