package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mqscope/appconfig"
	"mqscope/internal/brokertest"
	"mqscope/internal/demotest"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/demo"
)

// The subcommand tests run against the local broker that scripts/broker.sh
// prepares, in their own vhost: firehose tracing is per vhost and other
// test packages run at the same time.
const cliVHost = "/mqscope_cli"

// writeConfig writes a Neon config for the local broker and returns its path.
// writeConfig writes a config for the local broker. Tests that use one
// talk to the broker, so they skip without it (see brokertest.Need).
func writeConfig(t *testing.T, password string) string {
	t.Helper()
	brokertest.Need(t)
	path := filepath.Join(t.TempDir(), "mq_config.json")
	cfg := fmt.Sprintf(`{"server": "127.0.0.1", "port": 5672, "users": {"mq_handler": {"user": "guest", "password": %q}}}`, password)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// run runs the command line and returns its stdout and exit status.
func run(t *testing.T, ctx context.Context, args ...string) (string, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := dispatch(ctx, args, &out)
	code := exitStatus(err, &errOut)
	return out.String(), code, strings.TrimSpace(errOut.String())
}

func testClient(t *testing.T, configPath string) *connector.Client {
	t.Helper()
	cfg, err := appconfig.Load(configPath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.NewClient("mq_handler")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestExitStatusFollowsTheContract(t *testing.T) {
	var buf bytes.Buffer
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{usagef("bad flag"), 2},
		{errors.New("no queue"), 1},
		{context.Canceled, 0},
	}
	for _, tc := range cases {
		if got := exitStatus(tc.err, &buf); got != tc.want {
			t.Errorf("exitStatus(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	_, code, msg := run(t, context.Background(), "frobnicate")
	if code != 2 || !strings.Contains(msg, `unknown command "frobnicate"`) {
		t.Fatalf("exit %d, %q", code, msg)
	}
}

func TestEncodeMatchesPythonDictToB64(t *testing.T) {
	// base64.b64encode(json.dumps(str({'service': 'api_test_endpoint', 'n': (1,)})).encode())
	const want = "Insnc2VydmljZSc6ICdhcGlfdGVzdF9lbmRwb2ludCcsICduJzogKDEsKX0i\n"
	out, code, msg := run(t, context.Background(), "encode", "{'service': 'api_test_endpoint', 'n': (1,)}")
	if code != 0 || out != want {
		t.Fatalf("exit %d (%s), out %q, want %q", code, msg, out, want)
	}
}

func TestDecodePrintsTheJSONMapping(t *testing.T) {
	body := string(neonwire.Encode(mustParse(t, "{'b': b'\\x00', 't': (1, 2.0), 'f': inf, 'n': None}")))
	out, code, msg := run(t, context.Background(), "decode", body)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := `{"b":{"$bytes":"AA=="},"f":"inf","n":null,"t":[1,2]}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Fatalf("decoded %s, want %s", b, want)
	}
}

func TestDecodeOfTextIsAOneLineError(t *testing.T) {
	_, code, msg := run(t, context.Background(), "decode", "hello there")
	if code != 1 || !strings.HasPrefix(msg, "mqscope: not a Neon body (text)") || strings.Contains(msg, "\n") {
		t.Fatalf("exit %d, %q", code, msg)
	}
}

func TestRequestWithoutVHostIsAUsageError(t *testing.T) {
	_, code, msg := run(t, context.Background(), "request", "--queue", "q", "--json", "{}")
	if code != 2 || !strings.Contains(msg, "--vhost is required") {
		t.Fatalf("exit %d, %q", code, msg)
	}
}

func TestRequestPrintsTheDecodedReply(t *testing.T) {
	path := writeConfig(t, "guest")
	demotest.Start(t, testClient(t, path), cliVHost, demo.Options{Services: []string{"api"}})
	out, code, msg := run(t, context.Background(), "request", "--config", path, "--vhost", cliVHost,
		"--queue", "neon_api_input", "--json", `{"service": "api_test_endpoint"}`, "--timeout", "10s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	var reply map[string]any
	if err := json.Unmarshal([]byte(out), &reply); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if reply["status_code"] != 200.0 || reply["content"] != "Success" || len(reply["message_id"].(string)) != 32 {
		t.Fatalf("reply = %v", reply)
	}
}

func TestRequestToAMissingQueueFailsAtOnce(t *testing.T) {
	path := writeConfig(t, "guest")
	_, code, msg := run(t, context.Background(), "request", "--config", path, "--vhost", cliVHost,
		"--queue", "mqscope_cli.nobody", "--json", `{"q": 1}`)
	if code != 1 || msg != `mqscope: no queue "mqscope_cli.nobody" in vhost "/mqscope_cli"` {
		t.Fatalf("exit %d, %q", code, msg)
	}
}

func TestWrongPasswordNeverShows(t *testing.T) {
	const pw = "Tr0ub4dor-cli-secret-93"
	path := writeConfig(t, pw)
	out, code, msg := run(t, context.Background(), "request", "--config", path, "--vhost", cliVHost,
		"--queue", "q", "--json", "{}")
	if code != 1 || strings.Contains(out+msg, pw) || !strings.Contains(msg, "login refused") {
		t.Fatalf("exit %d, %q", code, msg)
	}
}

// fillQueue declares queue with Neon's flags and publishes n Neon bodies.
func fillQueue(t *testing.T, c *connector.Client, queue string, n int) {
	t.Helper()
	ctx := context.Background()
	conn, err := c.Dial(ctx, cliVHost)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(queue, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteQueue(c, queue) })
	for i := range n {
		body := neonwire.Encode(mustParse(t, fmt.Sprintf("{'n': %d, 'message_id': '%032x'}", i, i)))
		if err := ch.PublishWithContext(ctx, "", queue, false, false, amqp.Publishing{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
}

func deleteQueue(c *connector.Client, queue string) {
	conn, err := c.Dial(context.Background(), cliVHost)
	if err != nil {
		return
	}
	defer conn.Close()
	if ch, err := conn.Channel(); err == nil {
		_, _ = ch.QueueDelete(queue, false, false, false)
	}
}

func TestTailConsumeCountRecordAndExportRoundTrip(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	queue := "mqscope_cli.tail." + connector.NewMessageID()[:8]
	fillQueue(t, c, queue, 12)
	db := filepath.Join(t.TempDir(), "rec.db")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, code, msg := run(t, ctx, "tail", "--config", path, "--vhost", cliVHost, "--queue", queue,
		"--mode", "consume", "--count", "10", "--record", db)
	if code != 0 {
		t.Fatalf("tail exit %d: %s", code, msg)
	}
	lines := jsonLines(t, out)
	if len(lines) != 10 {
		t.Fatalf("tail printed %d lines, want 10", len(lines))
	}
	for i, l := range lines {
		if l["event"] != "consume" || l["encoding"] != "neon" || l["body"].(map[string]any)["n"] != float64(i) {
			t.Fatalf("line %d = %v", i, l)
		}
	}
	infos, err := c.InspectQueues(context.Background(), cliVHost, queue)
	if err != nil || infos[0].Messages != 2 {
		t.Fatalf("queue after tail --count 10 of 12: %+v, %v; want 2 left", infos, err)
	}

	exported, code, msg := run(t, context.Background(), "export", db)
	if code != 0 {
		t.Fatalf("export exit %d: %s", code, msg)
	}
	if exported != out {
		t.Fatalf("export differs from what tail printed:\n%s\nvs\n%s", exported, out)
	}
	filtered, _, _ := run(t, context.Background(), "export", db, "--filter", "id:00000000000000000000000000000003")
	if got := jsonLines(t, filtered); len(got) != 1 || got[0]["message_id"] != fmt.Sprintf("%032x", 3) {
		t.Fatalf("export --filter printed %v", got)
	}
}

func TestTailFirehosePairsObservedDemoTraffic(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	demotest.Start(t, c, cliVHost, demo.Options{Services: []string{"api"}, Log: func(format string, args ...any) { t.Logf("demo: "+format, args...) }})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		// Traffic for the firehose to see, sent once tail is watching.
		time.Sleep(time.Second)
		for ctx.Err() == nil {
			_, _, _ = run(t, ctx, "request", "--config", path, "--vhost", cliVHost,
				"--queue", "neon_api_input", "--json", "{'service': 'api_test_endpoint'}")
		}
	}()
	out, code, msg := run(t, ctx, "tail", "--config", path, "--vhost", cliVHost, "--queue", "neon_api_input", "--count", "12")
	if code != 0 {
		t.Fatalf("tail exit %d: %s", code, msg)
	}
	pairs := 0
	for _, l := range jsonLines(t, out) {
		if l["mode"] != "firehose" {
			t.Fatalf("line from mode %v: %v", l["mode"], l)
		}
		if p, ok := l["pair"].(map[string]any); ok && p["role"] == "reply" && p["latency_ms"].(float64) > 0 {
			pairs++
		}
	}
	if pairs == 0 {
		t.Fatalf("no reply was paired with its request in:\n%s", out)
	}
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 64<<20) // a line holds a whole body, up to 16 MiB in the bad-input tests
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %v: %.300s", err, sc.Text())
		}
		lines = append(lines, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading JSON lines: %v", err)
	}
	return lines
}

func mustParse(t *testing.T, literal string) neonwire.Value {
	t.Helper()
	v, err := neonwire.ParseLiteral(literal)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRequestWithItsOwnRoutingKeyDoesNotWait(t *testing.T) {
	queue := brokertest.Queue(t, "/mqscope_cli", "own_rk")
	// With a 30 s timeout, waiting for the reply would end in exit 1 "timed out".
	out, code, stderr := run(t, brokertest.Context(t), "request", "--config", writeConfig(t, "guest"), "--vhost", "/mqscope_cli", "--queue", queue,
		"--json", `{"q": 1, "routing_key": "somewhere_else"}`, "--timeout", "30s")
	if code != 0 || !strings.Contains(out, `"reply_queue":"somewhere_else"`) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if n := brokertest.Inspect(t, "/mqscope_cli", queue).Messages; n != 1 {
		t.Fatalf("%d messages in %s, want the request", n, queue)
	}
}
