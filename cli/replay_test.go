package cli

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"mqscope/demo"
	"mqscope/internal/brokertest"
	"mqscope/internal/demotest"
)

// recordDemo records a few requests to the demo api service and their
// replies, and returns the recording's path.
func recordDemo(t *testing.T, path string, n int) string {
	t.Helper()
	c := testClient(t, path)
	demotest.Start(t, c, cliVHost, demo.Options{Services: []string{"api"}})
	db := t.TempDir() + "/demo.db"
	tailVerdicts(t, path, func() {
		for range n {
			sendRequest(t, c, "neon_api_input", 3*time.Second)
		}
	}, "--record", db)
	return db
}

func TestReplayOfADemoRecordingHasNoDifferences(t *testing.T) {
	path := writeConfig(t, "guest")
	db := recordDemo(t, path, 3)
	report := t.TempDir() + "/report.jsonl"
	out, code, msg := run(t, context.Background(), "replay", db, "--config", path, "--filter", "queue:neon_api_input",
		"--speed", "max", "--report", report)
	if code != 0 || !strings.HasPrefix(out, "3 sent, 3 replied, 0 differ, 0 no reply\n") {
		t.Fatalf("replay: exit %d %s\n%s", code, msg, out)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 3 {
		t.Fatalf("report has %d lines, want 3:\n%s", len(lines), data)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	if line["verdict"] != "replied" || line["recorded_latency_ms"] == nil || line["latency_ms"] == nil || len(line["message_id"].(string)) != 32 {
		t.Fatalf("report line %v", line)
	}
}

func TestReplayReportsTheChangedFieldOfAChangedService(t *testing.T) {
	path := writeConfig(t, "guest")
	db := recordDemo(t, path, 2)
	changed := brokertest.Queue(t, cliVHost, "changed_api")
	fakeService(t, changed, 0, answer("status_code", int64(200), "content", "Changed", "encoding", nil))
	out, code, _ := run(t, context.Background(), "replay", db, "--config", path, "--filter", "queue:neon_api_input", "--queue", changed)
	if code != 1 || !strings.HasPrefix(out, "2 sent, 2 replied, 2 differ, 0 no reply\n") || !strings.Contains(out, "changed content") {
		t.Fatalf("replay against a changed service: exit %d\n%s", code, out)
	}
}

func TestReplayDryRunSendsNothing(t *testing.T) {
	path := writeConfig(t, "guest")
	db := recordDemo(t, path, 1)
	out, code, msg := run(t, context.Background(), "replay", db, "--dry-run", "--filter", "queue:neon_api_input")
	if code != 0 || !strings.Contains(out, "neon_api_input: {'service': 'api_test_endpoint'}") || !strings.Contains(out, "1 requests would be sent") {
		t.Fatalf("dry run: exit %d %s\n%s", code, msg, out)
	}
}
