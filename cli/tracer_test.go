package cli

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/internal/brokertest"
)

// tracerVHost belongs to these tests: they check who switches tracing on
// and off there, so no other test may.
const tracerVHost = "/mqscope_tracer_cli"

// tracingOn reports whether tracing is on in tracerVHost.
func tracingOn(t *testing.T) bool {
	t.Helper()
	var v struct {
		Tracing bool `json:"tracing"`
	}
	brokertest.Management(t, http.MethodGet, "/api/vhosts/"+url.PathEscape(tracerVHost), nil, &v)
	return v.Tracing
}

// tracingOffAround switches tracing of tracerVHost off, as an operator
// would, before the test and after it.
func tracingOffAround(t *testing.T) {
	t.Helper()
	off := func() {
		brokertest.Management(t, http.MethodPut, "/api/vhosts/"+url.PathEscape(tracerVHost), map[string]any{"tracing": false}, nil)
	}
	off()
	t.Cleanup(off)
}

// traceReaders counts the queues bound to the trace exchange of
// tracerVHost that have a consumer: the firehoses reading it.
func traceReaders(t *testing.T) int {
	t.Helper()
	var bindings []struct {
		Destination string `json:"destination"`
	}
	brokertest.Management(t, http.MethodGet, "/api/exchanges/"+url.PathEscape(tracerVHost)+"/amq.rabbitmq.trace/bindings/source", nil, &bindings)
	seen := map[string]bool{}
	n := 0
	for _, b := range bindings {
		if seen[b.Destination] {
			continue // a firehose binds its queue twice: publish.# and deliver.#
		}
		seen[b.Destination] = true
		if q := brokertest.Inspect(t, tracerVHost, b.Destination); q.Consumers > 0 {
			n++
		}
	}
	return n
}

// startFirehose starts `mqscope tail` of the whole of tracerVHost and waits
// until it reads the tracer, with readers other firehoses already reading.
func startFirehose(t *testing.T, cfg string, readers int, extra ...string) *process {
	t.Helper()
	p := startProcess(t, nil, append([]string{"tail", "--config", cfg, "--vhost", tracerVHost}, extra...)...)
	brokertest.WaitUntil(t, "the firehose reading the tracer", 15*time.Second, func() bool {
		return traceReaders(t) == readers+1
	})
	return p
}

// publishSomewhere publishes a message the tracer copies.
func publishSomewhere(t *testing.T) {
	t.Helper()
	brokertest.Publish(t, brokertest.Channel(t, tracerVHost), "", "mqscope_test.nowhere", amqp.Publishing{Body: []byte("probe")})
}

// The reproduction: firehose A switches tracing on, B starts, A
// ends. Tracing must stay on for B, and go off when B ends.
func TestFirehoseOfAnotherMqscopeKeepsTracingOnWhenTheFirstEnds(t *testing.T) {
	cfg := writeConfig(t, "guest")
	tracingOffAround(t)
	a := startFirehose(t, cfg, 0)
	if !tracingOn(t) {
		t.Fatal("the first firehose did not switch tracing on")
	}
	b := startFirehose(t, cfg, 1, "--count", "1")
	if err := a.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if code := a.wait(t); code != 0 {
		t.Fatalf("firehose A exit %d: %s", code, a.stderr.String())
	}
	if !tracingOn(t) {
		t.Fatal("firehose A switched tracing off under firehose B")
	}
	publishSomewhere(t)
	if code := b.wait(t); code != 0 {
		t.Fatalf("firehose B exit %d: %s", code, b.stderr.String())
	}
	if tracingOn(t) {
		t.Fatal("the last firehose left tracing on")
	}
}

// After kill -9 nothing can switch tracing off; the next mqscope firehose
// that ends there recognises the tracing as mqscope's and switches it off.
func TestTracingLeftByAKilledFirehoseIsSwitchedOffByTheNext(t *testing.T) {
	cfg := writeConfig(t, "guest")
	tracingOffAround(t)
	a := startFirehose(t, cfg, 0)
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	a.wait(t)
	if !tracingOn(t) {
		t.Fatal("tracing went off after kill -9: nothing to check here")
	}
	b := startFirehose(t, cfg, 0, "--count", "1")
	publishSomewhere(t)
	if code := b.wait(t); code != 0 {
		t.Fatalf("firehose B exit %d: %s", code, b.stderr.String())
	}
	if tracingOn(t) {
		t.Fatal("the tracing a killed mqscope left on was taken for an operator's")
	}
}

// `mqscope tail --mode firehose | head -n 2`: the reader goes, the next
// write fails, and mqscope switches tracing off before it exits 141.
func TestFirehoseIntoAClosedPipeSwitchesTracingOff(t *testing.T) {
	cfg := writeConfig(t, "guest")
	tracingOffAround(t)
	p := startProcess(t, closedPipe(t), "tail", "--config", cfg, "--vhost", tracerVHost)
	brokertest.WaitUntil(t, "the firehose reading the tracer", 15*time.Second, func() bool { return traceReaders(t) == 1 })
	publishSomewhere(t)
	if code := p.wait(t); code != 141 {
		t.Fatalf("exit %d (%s), want 141", code, p.stderr.String())
	}
	if tracingOn(t) {
		t.Fatal("tracing still on after the firehose's stdout closed")
	}
}

// An operator's tracing is left on, whatever ends the firehose.
func TestFirehoseLeavesAnOperatorsTracingOn(t *testing.T) {
	cfg := writeConfig(t, "guest")
	tracingOffAround(t)
	brokertest.Management(t, http.MethodPut, "/api/vhosts/"+url.PathEscape(tracerVHost), map[string]any{"tracing": true}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		brokertest.WaitUntil(t, "the firehose reading the tracer", 15*time.Second, func() bool { return traceReaders(t) == 1 })
		publishSomewhere(t)
	}()
	if out, code, msg := run(t, ctx, "tail", "--config", cfg, "--vhost", tracerVHost, "--count", "1"); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, msg, out)
	}
	if !tracingOn(t) {
		t.Fatal("mqscope switched off the tracing an operator had switched on")
	}
}

// A firehose of a queue that does not exist says so at once, and goes on.
func TestTailFirehoseOfAMissingQueueWarnsAtOnce(t *testing.T) {
	cfg := writeConfig(t, "guest")
	tracingOffAround(t)
	q := brokertest.Name("missing")
	p := startProcess(t, nil, "tail", "--config", cfg, "--vhost", tracerVHost, "--queue", q)
	want := `connected; warning: no queue "` + q + `" in vhost "` + tracerVHost + `" (yet)`
	brokertest.WaitUntil(t, "the warning on stderr", 15*time.Second, func() bool {
		return strings.Contains(p.stderr.String(), want)
	})
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.stderr.String())
	}
}

// With --wait, a consume of a queue that does not exist waits for it.
func TestTailConsumeWaitsForTheQueueWithWait(t *testing.T) {
	cfg := writeConfig(t, "guest")
	q := brokertest.Name("later")
	brokertest.DeleteAtEnd(t, cliVHost, q)
	p := startProcess(t, nil, "tail", "--config", cfg, "--vhost", cliVHost, "--queue", q, "--mode", "consume", "--wait", "--count", "1")
	want := `no queue "` + q + `" in vhost "` + cliVHost + `" yet: waiting for it to be declared`
	brokertest.WaitUntil(t, "the waiting line on stderr", 15*time.Second, func() bool {
		return strings.Contains(p.stderr.String(), want)
	})
	ch := brokertest.Channel(t, cliVHost)
	if _, err := ch.QueueDeclare(q, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	brokertest.Publish(t, ch, "", q, amqp.Publishing{Body: []byte("first")})
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.stderr.String())
	}
}
