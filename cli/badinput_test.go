package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mqscope/capture"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/connector/neonwire/neonwiretest"
	"mqscope/store"
	"mqscope/store/record"
)

// checkOneLineError checks a failed run: exit 1, nothing on stdout, and
// exactly one short line on stderr, starting with prefix.
func checkOneLineError(t *testing.T, r result, prefix string) {
	t.Helper()
	lines := r.stderrLines()
	switch {
	case r.code != 1:
		t.Fatalf("exit %d, want 1; stderr %.300q", r.code, r.stderr)
	case r.stdout != "":
		t.Fatalf("stdout %.200q, want nothing", r.stdout)
	case len(lines) != 1 || len(lines[0]) > 400:
		t.Fatalf("stderr is %d lines, %d bytes, want one short line: %.400q", len(lines), len(r.stderr), r.stderr)
	case !strings.HasPrefix(lines[0], prefix):
		t.Fatalf("stderr %q, want it to start with %q", lines[0], prefix)
	}
}

// noTerminalControls fails when out holds a C0 control other than newline
// and tab, or a C1 control: printed to a terminal it would act.
func noTerminalControls(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("%s holds raw control character U+%04X at byte %d", what, r, i)
		}
	}
}

// TestDecodeOfHostileBodies decodes every hostile body through the mqscope
// process, from stdin: a body it can show prints as JSON (a body that is
// not Neon with one note), any other fails with one short line that names
// what the body is, never the body itself.
func TestDecodeOfHostileBodies(t *testing.T) {
	for _, b := range neonwiretest.Bodies() {
		t.Run(b.Name, func(t *testing.T) {
			r := runBinaryStdin(t, b.Data, "decode", "-")
			noTerminalControls(t, "the output", r.all())
			switch b.Encoding {
			case neonwire.EncNeon, neonwire.EncB64JSON:
				if r.code != 0 || !json.Valid([]byte(r.stdout)) || len(r.stderrLines()) > 1 {
					t.Fatalf("exit %d (%.300q); want the body printed as JSON, got %.100q", r.code, r.stderr, r.stdout)
				}
				if b.Err != "" && !strings.Contains(r.stderr, b.Err) {
					t.Fatalf("the note %q does not say %q", r.stderr, b.Err)
				}
			default:
				checkOneLineError(t, r, "mqscope: not a Neon body ("+string(b.Encoding)+")")
				if b.Err != "" && !strings.Contains(r.stderr, b.Err) {
					t.Fatalf("error %q does not say %q", r.stderr, b.Err)
				}
			}
		})
	}
}

// TestEncodeOfHostileLiterals encodes literals that are too deep, hold
// NUL or invalid UTF-8, or are 16 MiB long.
func TestEncodeOfHostileLiterals(t *testing.T) {
	cases := []struct {
		name, literal, err string
	}{
		{"too deep", strings.Repeat("[", 100000) + strings.Repeat("]", 100000), "nesting deeper than 1000 levels"},
		{"NUL", "{'a': '\x00'}", "mqscope: encode: "},
		{"invalid UTF-8", "{'a': '\xff'}", "mqscope: encode: "},
		{"huge", "{'blob': '" + strings.Repeat("z", neonwiretest.Huge) + "'}", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, code, msg := run(t, context.Background(), "encode", tc.literal)
			if tc.err == "" {
				if code != 0 || len(out) < neonwiretest.Huge {
					t.Fatalf("exit %d (%s), %d bytes out", code, msg, len(out))
				}
				return
			}
			checkOneLineError(t, result{out, msg + "\n", code}, "mqscope: encode: ")
			if !strings.Contains(msg, tc.err) {
				t.Fatalf("error %q does not say %q", msg, tc.err)
			}
		})
	}
}

// TestTailRecordAndExportCarryHostileBodies publishes the hostile bodies,
// a 16 MiB one of each encoding included, takes them with `tail --mode consume --record`,
// and exports the recording: both print one valid JSON line per message,
// with the body whole and no raw control character, and agree.
func TestTailRecordAndExportCarryHostileBodies(t *testing.T) {
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	bodies := oneBigPerEncoding(neonwiretest.Bodies())
	queue := "mqscope_cli.hostile." + connector.NewMessageID()[:8]
	publishBodies(t, c, queue, bodies)
	db := filepath.Join(t.TempDir(), "hostile.db")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, code, msg := run(t, ctx, "tail", "--config", path, "--vhost", cliVHost, "--queue", queue,
		"--mode", "consume", "--count", fmt.Sprint(len(bodies)), "--record", db)
	if code != 0 {
		t.Fatalf("tail exit %d: %s", code, msg)
	}
	noTerminalControls(t, "tail output", out)
	lines := jsonLines(t, out)
	if len(lines) != len(bodies) {
		t.Fatalf("tail printed %d lines for %d messages", len(lines), len(bodies))
	}
	for i, b := range bodies {
		if lines[i]["encoding"] != string(b.Encoding) || !sameBody(lines[i], b.Data) {
			t.Errorf("%s: line %d has encoding %v and not the whole body", b.Name, i, lines[i]["encoding"])
		}
	}
	exported, code, msg := run(t, context.Background(), "export", db)
	if code != 0 || exported != out {
		t.Fatalf("export (exit %d, %s) differs from what tail printed", code, msg)
	}
}

// oneBigPerEncoding keeps the first 16 MiB body of each encoding and every
// small one: through the broker and the recording, a second huge text body
// only costs time (a recording indexes every word for full-text search).
func oneBigPerEncoding(bodies []neonwiretest.Body) []neonwiretest.Body {
	var out []neonwiretest.Body
	seen := map[neonwire.Encoding]bool{}
	for _, b := range bodies {
		if b.Big && seen[b.Encoding] {
			continue
		}
		seen[b.Encoding] = seen[b.Encoding] || b.Big
		out = append(out, b)
	}
	return out
}

// publishBodies declares queue and publishes each body to it.
func publishBodies(t *testing.T, c *connector.Client, queue string, bodies []neonwiretest.Body) {
	t.Helper()
	fillQueue(t, c, queue, 0)
	conn, err := c.Dial(context.Background(), cliVHost)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		conf, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), "", queue, false, false,
			amqp.Publishing{Body: b.Data, Headers: amqp.Table{"note": neonwiretest.Escapes}})
		if err != nil {
			t.Fatal(err)
		}
		if !conf.Wait() {
			t.Fatalf("the broker refused %s", b.Name)
		}
	}
}

// sameBody reports whether a JSON line carries body whole: as body_b64
// for binary, else as the body value of the decoded text.
func sameBody(line map[string]any, body []byte) bool {
	if b64, ok := line["body_b64"].(string); ok {
		return b64 == base64.StdEncoding.EncodeToString(body)
	}
	if s, ok := line["body"].(string); ok && line["encoding"] == "text" {
		return s == string(body)
	}
	return line["body"] != nil
}

// TestBadConfigIsOneLineFromEverySubcommand runs the mqscope binary with
// every bad config of the corpus, and with files that are empty, huge, a
// directory, or lack the service asked for: each command that reads the
// config prints one line and exits 1.
func TestBadConfigIsOneLineFromEverySubcommand(t *testing.T) {
	corpus, err := filepath.Glob("../testdata/config/bad/*.json")
	if err != nil || len(corpus) < 50 {
		t.Fatalf("bad config corpus: %d files, %v", len(corpus), err)
	}
	dir := t.TempDir()
	extra := map[string]string{
		"empty.json":       "",
		"users_empty.json": `{"users": {}}`,
	}
	for name, text := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		corpus = append(corpus, filepath.Join(dir, name))
	}
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 1<<30); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	corpus = append(corpus, huge, dir, filepath.Join(dir, "missing.json"))
	commands := [][]string{
		{"request", "--vhost", cliVHost, "--queue", "q", "--json", "{}"},
		{"tail", "--vhost", cliVHost, "--queue", "q"},
		{"demo", "--vhost", cliVHost},
		{}, // the TUI reads the config before it draws anything
	}
	for _, path := range corpus {
		for _, args := range commands {
			prefix := "mqscope: config "
			if strings.HasSuffix(path, "users_empty.json") {
				if len(args) == 0 {
					continue // a config that reads fine starts the TUI, which asks for the service
				}
				prefix = `mqscope: service "neon_api" has no credentials in users`
			}
			checkOneLineError(t, runBinary(t, append(args, "--config", path, "--service", "neon_api")...), prefix)
		}
	}
}

// TestTailWarnsOnceWhenTheRecordingFirstDrops feeds printLive a recording
// that can no longer keep messages: it must say so on stderr while it runs,
// once however many more are lost, and print every message all the same.
func TestTailWarnsOnceWhenTheRecordingFirstDrops(t *testing.T) {
	rec, err := record.Create(filepath.Join(t.TempDir(), "rec.db"), record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec.Close() // from now on every message is dropped, as when the disk falls behind
	st := store.New(store.Options{})
	sink := st.Sink(rec)
	send := func(n int) {
		for i := range n {
			sink(capture.Message{Time: time.Now(), Queue: "q", Body: []byte(fmt.Sprintf("message %d", i))})
		}
	}
	stdout, stderr := newSignalingBuffer(), newSignalingBuffer()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- printLive(ctx, st, liveOutput{stdout: stdout, stderr: stderr, rec: rec}, 0, nil) }()
	send(50)
	stderr.waitFor(func(s string) bool { return strings.Contains(s, "\n") })
	send(50) // more drops: no second warning
	stdout.waitFor(func(s string) bool { return strings.Count(s, "\n") == 100 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	warning := stderr.String()
	want := "mqscope: warning: recording: "
	if strings.Count(warning, "\n") != 1 || !strings.HasPrefix(warning, want) || !strings.Contains(warning, "could not be recorded so far") {
		t.Fatalf("stderr %q, want one warning line starting %q", warning, want)
	}
}

// TestTailPrintsABacklogInSteps: a backlog longer than printStep is printed
// whole and in order, a step at a time into the room of the last read.
func TestTailPrintsABacklogInSteps(t *testing.T) {
	st := store.New(store.Options{})
	n := 2*printStep + 7
	for i := range n {
		st.Append(capture.Message{Time: time.Now(), Queue: "q", Body: []byte(fmt.Sprintf("m%d", i))})
	}
	var stdout, stderr bytes.Buffer
	if err := printLive(context.Background(), st, liveOutput{stdout: &stdout, stderr: &stderr}, n, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines printed, want %d", len(lines), n)
	}
	for i, line := range lines {
		var got struct {
			Seq  uint64 `json:"seq"`
			Body string `json:"body"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, line)
		}
		if want := fmt.Sprintf("m%d", i); got.Seq != uint64(i+1) || got.Body != want {
			t.Fatalf("line %d: seq %d, body %q; want %d, %q", i, got.Seq, got.Body, i+1, want)
		}
	}
}

// signalingBuffer is a buffer that goroutines may write while a test waits
// for what it holds.
type signalingBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{} // signalled, without blocking, on each write
}

func newSignalingBuffer() *signalingBuffer {
	return &signalingBuffer{wrote: make(chan struct{}, 1)}
}

func (b *signalingBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer func() {
		select {
		case b.wrote <- struct{}{}:
		default:
		}
	}()
	return b.buf.Write(p)
}

func (b *signalingBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor blocks until the contents satisfy cond. The test's deadline
// bounds a writer that never gets there.
func (b *signalingBuffer) waitFor(cond func(string) bool) {
	for !cond(b.String()) {
		<-b.wrote
	}
}
