package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mqscope/appconfig"
	"mqscope/demo"
	"mqscope/internal/brokertest"
	"mqscope/internal/demotest"

	"mqscope/connector"
)

// canary is the password of a RabbitMQ user made for the security test:
// distinctive enough that finding it anywhere means it leaked.
const canary = "Canary-9fQ2!mqscope-leak-detector"

// wrongCanary is a wrong password for the same user, as distinctive.
const wrongCanary = "Wrong-7xK4!mqscope-leak-detector"

// managementCall sends one management API request as the broker's
// administrator (guest on the test broker). observe.Management only
// reads; users are made here, for this test alone.
func managementCall(t *testing.T, method, path string, body any) {
	t.Helper()
	cfg, err := appconfig.Load(writeConfig(t, "guest"))
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	if body != nil {
		if data, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(cfg.ManagementURL, "/")+path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("guest", "guest")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("management API %s %s: %v", method, path, err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 && !(method == http.MethodDelete && resp.StatusCode == http.StatusNotFound) {
		t.Fatalf("management API %s %s: %s", method, path, resp.Status)
	}
}

// canaryUser creates a RabbitMQ user whose password is canary, allowed
// everything in cliVHost, deleted when the test ends.
func canaryUser(t *testing.T) string {
	t.Helper()
	brokertest.Need(t)
	name := "mqscope_canary_" + connector.NewMessageID()[:8]
	managementCall(t, http.MethodPut, "/api/users/"+name, map[string]string{"password": canary, "tags": ""})
	t.Cleanup(func() { managementCall(t, http.MethodDelete, "/api/users/"+name, nil) })
	managementCall(t, http.MethodPut, "/api/permissions/"+url.PathEscape(cliVHost)+"/"+name,
		map[string]string{"configure": ".*", "write": ".*", "read": ".*"})
	return name
}

// userConfig writes a config for user with password, with the given mode.
func userConfig(t *testing.T, user, password string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mq_config.json")
	cfg := fmt.Sprintf(`{"server": "127.0.0.1", "port": 5672, "users": {"mq_handler": {"user": %q, "password": %q}}}`, user, password)
	if err := os.WriteFile(path, []byte(cfg), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode passes through the umask
		t.Fatal(err)
	}
	return path
}

// leakScan collects everything a session printed or wrote, to search it
// for the password at the end.
type leakScan struct {
	t     *testing.T
	parts map[string][]byte
}

func (s *leakScan) add(what string, data []byte) { s.parts[what] = data }

// addFiles adds every file in dir: a recording with its -wal and -shm.
func (s *leakScan) addFiles(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			s.t.Fatal(err)
		}
		s.add(e.Name(), data)
	}
}

// check fails for every part that holds a password.
func (s *leakScan) check(passwords ...string) {
	for what, data := range s.parts {
		for _, pw := range passwords {
			if bytes.Contains(data, []byte(pw)) {
				s.t.Errorf("%s holds a password:\n%.2000s", what, data)
			}
		}
	}
}

// TestPasswordNeverLeaksFromASession runs a whole session as a user whose
// password is the canary: help of every command, a request, a request to
// a missing queue, a login with a wrong password, tail with a recording,
// export, and the demo. Nothing any of them prints, and no byte of the
// recording's files, may hold either password.
func TestPasswordNeverLeaksFromASession(t *testing.T) {
	user := canaryUser(t)
	cfg := userConfig(t, user, canary, 0o600)
	scan := &leakScan{t: t, parts: map[string][]byte{}}
	out := func(what string, r result) result {
		scan.add(what, []byte(r.all()))
		return r
	}

	out("help", runBinary(t, "help"))
	out("-h", runBinary(t, "-h", "--config", cfg))
	for _, c := range commands() {
		for _, flag := range []string{"-h", "--help"} {
			if r := out(c.name+" "+flag, runBinary(t, c.name, flag, "--config", cfg)); r.code != 0 && r.code != 2 {
				t.Errorf("%s %s: exit %d", c.name, flag, r.code)
			}
		}
	}

	demotest.Start(t, testClient(t, writeConfig(t, "guest")), cliVHost, demo.Options{Services: []string{"api"}})
	if r := out("request", runBinary(t, "request", "--config", cfg, "--vhost", cliVHost, "--queue", "neon_api_input",
		"--json", "{'service': 'api_test_endpoint'}", "--timeout", "20s")); r.code != 0 || !strings.Contains(r.stdout, `"Success"`) {
		t.Fatalf("request as the canary user: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	out("request to a missing queue", runBinary(t, "request", "--config", cfg, "--vhost", cliVHost,
		"--queue", "mqscope_cli.nobody", "--json", `{"q": 1}`))
	if r := out("wrong password", runBinary(t, "request", "--config", userConfig(t, user, wrongCanary, 0o600),
		"--vhost", cliVHost, "--queue", "neon_api_input", "--json", `{"q": 1}`)); !strings.Contains(r.stderr, "login refused") {
		t.Fatalf("a wrong password should be refused: exit %d, %s", r.code, r.stderr)
	}

	queue := "mqscope_cli.canary." + connector.NewMessageID()[:8]
	fillQueue(t, testClient(t, writeConfig(t, "guest")), queue, 5)
	recDir := t.TempDir()
	db := filepath.Join(recDir, "session.db")
	if r := out("tail", runBinary(t, "tail", "--config", cfg, "--vhost", cliVHost, "--queue", queue,
		"--mode", "consume", "--count", "5", "--record", db)); r.code != 0 || strings.Count(r.stdout, "\n") != 5 {
		t.Fatalf("tail: exit %d, %d lines: %s", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
	out("export", runBinary(t, "export", db))
	scan.addFiles(recDir)
	if !bytes.Contains(scan.parts["session.db"], []byte(queue)) {
		t.Fatal("the recording does not hold the queue name: the scan of its bytes proves nothing")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second) // then Ctrl-C, as a user stops it
	defer cancel()
	if r := out("demo", runProcess(t, ctx, nil, "demo", "--config", cfg, "--vhost", cliVHost, "--services", "users", "--rate", "5")); r.code != 0 || !strings.Contains(r.stderr, "consumer users: connected") {
		t.Fatalf("demo as the canary user should connect, then stop on Ctrl-C: exit %d, %s", r.code, r.stderr)
	}
	scan.check(canary, wrongCanary)
}

// TestReadableConfigWarnsExactlyOncePerRun runs commands with a config
// that others may read: each prints the warning once, without the
// password, whatever else it does.
func TestReadableConfigWarnsExactlyOncePerRun(t *testing.T) {
	user := canaryUser(t)
	cfg := userConfig(t, user, canary, 0o644)
	queue := "mqscope_cli.warn." + connector.NewMessageID()[:8]
	fillQueue(t, testClient(t, writeConfig(t, "guest")), queue, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	runs := map[string]result{
		"request": runBinary(t, "request", "--config", cfg, "--vhost", cliVHost, "--queue", "mqscope_cli.nobody", "--json", `{"q": 1}`),
		"tail":    runBinary(t, "tail", "--config", cfg, "--vhost", cliVHost, "--queue", queue, "--mode", "consume", "--count", "1"),
		"demo":    runProcess(t, ctx, nil, "demo", "--config", cfg, "--vhost", cliVHost, "--services", "users", "--rate", "0"),
	}
	want := "mqscope: warning: " + cfg + " can be read by other users (mode 0644) and holds MQ passwords; run: chmod 600 " + cfg
	for name, r := range runs {
		if n := strings.Count(r.stderr, want); n != 1 {
			t.Errorf("%s printed the warning %d times, want once:\n%s", name, n, r.stderr)
		}
		if strings.Contains(r.all(), canary) {
			t.Errorf("%s printed the password", name)
		}
	}
	if lines := runs["request"].stderrLines(); len(lines) != 2 || lines[0] != want {
		t.Errorf("request: stderr %q, want the warning and then the error", lines)
	}
}
