package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mqscope/internal/brokertest"

	amqp "github.com/rabbitmq/amqp091-go"
)

// readOnlyConfig writes a config for the local broker with
// "mqscope.read_only": true and returns its path.
func readOnlyConfig(t *testing.T) string {
	t.Helper()
	brokertest.Need(t)
	path := filepath.Join(t.TempDir(), "prod.json")
	cfg := `{"server": "127.0.0.1", "users": {"mq_handler": {"user": "guest", "password": "guest"}}, "mqscope": {"read_only": true}}`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadOnlyRefusesWhatWouldChangeTheBroker: in read-only mode, set by
// the config file or by --read-only, every command that would consume,
// publish or declare is refused with one line that says "read-only" and
// how to leave it, and the queue is left as it was.
func TestReadOnlyRefusesWhatWouldChangeTheBroker(t *testing.T) {
	roFile := readOnlyConfig(t)
	plain := writeConfig(t, "guest")
	queue := "mqscope_cli.ro." + brokertest.Name("q")
	fillQueue(t, testClient(t, plain), queue, 1)
	setups := []struct {
		name  string
		args  []string
		leave string
	}{
		{"config", []string{"--config", roFile}, `set "mqscope.read_only" to false in ` + roFile},
		{"flag", []string{"--config", plain, "--read-only"}, "run mqscope without --read-only"},
	}
	commands := []struct {
		args   []string
		action string
	}{
		{[]string{"request", "--vhost", cliVHost, "--queue", queue, "--json", "{'a': 1}"}, fmt.Sprintf("request would publish to queue %q", queue)},
		{[]string{"request", "--vhost", cliVHost, "--queue", queue, "--json", "{'a': 1}", "--declare"}, "request would publish"},
		{[]string{"demo", "--vhost", cliVHost}, "demo declares queues"},
		{[]string{"tail", "--vhost", cliVHost, "--queue", queue, "--mode", "consume"}, "consume takes messages away from the service"},
		{[]string{"tail", "--vhost", cliVHost, "--queue", queue, "--mode", "peek"}, "peek takes messages and puts them back"},
		{[]string{"--vhost", cliVHost, "--watch", queue, "--mode", "consume"}, "consume takes messages away"},
	}
	for _, s := range setups {
		for _, c := range commands {
			t.Run(s.name+" "+c.action, func(t *testing.T) {
				r := runBinary(t, append(c.args, s.args...)...)
				checkOneLineError(t, r, "mqscope: read-only: "+c.action)
				if !strings.HasSuffix(r.stderr, "; to leave read-only mode, "+s.leave+"\n") {
					t.Errorf("stderr %q does not say how to leave read-only mode (%s)", r.stderr, s.leave)
				}
			})
		}
	}
	if st := brokertest.Inspect(t, cliVHost, queue); st.Messages != 1 || st.Consumers != 0 {
		t.Fatalf("queue %s: %+v, want its one message untouched", queue, st)
	}
}

// tempVHost creates a vhost of the test's own (tracing off), which guest
// may use, deleted when the test ends: the tracer of cliVHost is other
// tests' business.
func tempVHost(t *testing.T) string {
	t.Helper()
	vhost := "/" + brokertest.Name("mqscope_cli_ro")
	path := "/api/vhosts/" + url.PathEscape(vhost)
	brokertest.Management(t, http.MethodPut, path, map[string]any{}, nil)
	t.Cleanup(func() { brokertest.Management(t, http.MethodDelete, path, nil, nil) })
	brokertest.Management(t, http.MethodPut, "/api/permissions/"+url.PathEscape(vhost)+"/guest",
		map[string]string{"configure": ".*", "write": ".*", "read": ".*"}, nil)
	return vhost
}

func vhostTracing(t *testing.T, vhost string) bool {
	t.Helper()
	var info struct{ Tracing bool }
	brokertest.Management(t, http.MethodGet, "/api/vhosts/"+url.PathEscape(vhost), nil, &info)
	return info.Tracing
}

// TestReadOnlyTailUsesTracingOnlyIfOn: a read-only firehose does not
// switch the tracer on (it says so, and how to leave read-only mode); with
// the tracer already on it watches, says that it uses it, and leaves it on.
func TestReadOnlyTailUsesTracingOnlyIfOn(t *testing.T) {
	roFile := readOnlyConfig(t)
	vhost := tempVHost(t)
	r := runBinary(t, "tail", "--config", roFile, "--vhost", vhost, "--queue", "q")
	checkOneLineError(t, r, fmt.Sprintf(`mqscope: read-only: the firehose of vhost %q needs the broker's tracer, which is off, and mqscope does not switch it on`, vhost))
	if vhostTracing(t, vhost) {
		t.Fatal("read-only tail switched the tracer on")
	}

	brokertest.Management(t, http.MethodPut, "/api/vhosts/"+url.PathEscape(vhost), map[string]any{"tracing": true}, nil)
	ch := brokertest.Channel(t, vhost)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- runProcess(t, ctx, nil, "tail", "--config", roFile, "--vhost", vhost, "--count", "1") }()
	var got *result
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for got == nil {
		select {
		case r := <-done:
			got = &r
		case <-tick.C:
			// Until the watch is up, what is published is not seen.
			if err := ch.PublishWithContext(ctx, "", "nowhere", false, false, amqp.Publishing{Body: []byte("x")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := fmt.Sprintf("mqscope: read-only: the firehose uses the tracer of vhost %q because it is already on; mqscope does not switch it", vhost)
	if got.code != 0 || !strings.Contains(got.stderr, want) || !strings.Contains(got.stdout, `"event":"publish"`) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want one message and %q", got.code, got.stdout, got.stderr, want)
	}
	if !vhostTracing(t, vhost) {
		t.Fatal("read-only tail switched the tracer off")
	}
}
