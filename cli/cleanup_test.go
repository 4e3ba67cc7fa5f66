package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/internal/brokertest"
)

// process is a running mqscope process.
type process struct {
	cmd    *exec.Cmd
	stderr lockedBuffer
	done   chan struct{}
}

// lockedBuffer is a buffer that a test may read while the process writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startProcess starts mqscope with args, stdout going to stdout (a
// buffer when nil). It is killed if the test ends first.
func startProcess(t *testing.T, stdout *os.File, args ...string) *process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: exec.Command(exe, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), asMainEnv+"=1")
	if stdout != nil {
		p.cmd.Stdout = stdout
	} else {
		p.cmd.Stdout = &bytes.Buffer{}
	}
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { defer close(p.done); _ = p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the process to exit and returns its exit status (-1 when
// a signal killed it).
func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("mqscope %s did not exit; stderr: %s", strings.Join(p.cmd.Args[1:], " "), p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

// waitingRequest starts `mqscope request` to a queue that has no consumer
// and returns the process and its reply queue, read from the request that
// waits in the target queue.
func waitingRequest(t *testing.T) (*process, string) {
	t.Helper()
	cfg := writeConfig(t, "guest")
	target := brokertest.Queue(t, cliVHost, "waiting")
	p := startProcess(t, nil, "request", "--config", cfg, "--vhost", cliVHost, "--queue", target,
		"--json", `{"q": 1}`, "--expiration", "60000", "--timeout", "60s")
	brokertest.WaitUntil(t, "the request in "+target, 15*time.Second, func() bool {
		return brokertest.Inspect(t, cliVHost, target).Messages == 1
	})
	d, ok, err := brokertest.Channel(t, cliVHost).Get(target, true)
	if err != nil || !ok {
		t.Fatalf("get the request from %s: %v %v", target, ok, err)
	}
	replyQueue := routingKeyOf(t, d.Body)
	brokertest.DeleteAtEnd(t, cliVHost, replyQueue)
	if !brokertest.Inspect(t, cliVHost, replyQueue).Exists {
		t.Fatalf("reply queue %s does not exist while the request waits", replyQueue)
	}
	return p, replyQueue
}

// routingKeyOf is the routing_key of a Neon request body.
func routingKeyOf(t *testing.T, body []byte) string {
	t.Helper()
	v, err := neonwire.DecodeNeon(body)
	if err != nil {
		t.Fatal(err)
	}
	rk, _ := v.(*neonwire.Dict).Get("routing_key")
	s, _ := rk.(string)
	if s == "" {
		t.Fatalf("request without routing_key: %s", neonwire.Repr(v))
	}
	return s
}

func TestRequestInterruptedExitsWithTheSignalsStatusAndDeletesItsReplyQueue(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		name string
	}{{syscall.SIGINT, 130, "SIGINT"}, {syscall.SIGTERM, 143, "SIGTERM"}, {syscall.SIGHUP, 129, "SIGHUP"}} {
		t.Run(tc.name, func(t *testing.T) {
			p, replyQueue := waitingRequest(t)
			if err := p.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			code := p.wait(t)
			msg := strings.TrimSpace(p.stderr.String())
			if code != tc.code || !strings.Contains(msg, "interrupted by "+tc.name+": no reply was received") {
				t.Errorf("exit %d, stderr %q; want %d and a line saying no reply was received", code, msg, tc.code)
			}
			if brokertest.Inspect(t, cliVHost, replyQueue).Exists {
				t.Errorf("reply queue %s is still there after %s", replyQueue, tc.name)
			}
		})
	}
}

// After kill -9 nothing can clean up, and the reply queue cannot expire
// (Neon services declare it without arguments): the next mqscope that
// opens a requester on the vhost deletes it.
func TestReplyQueueOfAKilledRequestIsDeletedByTheNext(t *testing.T) {
	p, replyQueue := waitingRequest(t)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	if !brokertest.Inspect(t, cliVHost, replyQueue).Exists {
		t.Fatal("the reply queue went with the process: nothing to check here")
	}
	target := brokertest.Queue(t, cliVHost, "next")
	_, code, msg := run(t, brokertest.Context(t), "request", "--config", writeConfig(t, "guest"), "--vhost", cliVHost,
		"--queue", target, "--json", `{"q": 2}`, "--timeout", "100ms")
	if code != 1 || !strings.Contains(msg, "no reply") {
		t.Fatalf("the next request: exit %d, %q", code, msg)
	}
	if brokertest.Inspect(t, cliVHost, replyQueue).Exists {
		t.Fatalf("the reply queue %s of the killed request is still there", replyQueue)
	}
}

// closedPipe is the write end of a pipe whose reader has gone, like the
// stdout of `mqscope request … | true` once true has exited.
func closedPipe(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close() })
	return w
}

func TestRequestIntoAClosedPipeCleansUpAndExits141(t *testing.T) {
	cfg := writeConfig(t, "guest")
	c := testClient(t, cfg)
	target := brokertest.Queue(t, cliVHost, "echo")
	replyQueues := make(chan string, 1)
	svc := connector.NewService(c, cliVHost)
	err := svc.AddConsumer(connector.Consumer{Name: "echo", Queue: target, Handler: func(ctx context.Context, d *connector.Delivery) error {
		replyQueues <- routingKeyOf(t, d.Body)
		reply := &neonwire.Dict{}
		reply.Set("echo", true)
		return d.Reply(ctx, reply)
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svcDone := make(chan struct{})
	go func() { defer close(svcDone); _ = svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-svcDone })

	p := startProcess(t, closedPipe(t), "request", "--config", cfg, "--vhost", cliVHost, "--queue", target, "--json", `{"q": 1}`)
	code := p.wait(t)
	replyQueue := <-replyQueues
	brokertest.DeleteAtEnd(t, cliVHost, replyQueue)
	if code != 141 {
		t.Errorf("exit %d (stderr %q), want 141", code, p.stderr.String())
	}
	if brokertest.Inspect(t, cliVHost, replyQueue).Exists {
		t.Errorf("reply queue %s is still there", replyQueue)
	}
}

// tapBindings are the queues bound to exchange in the CLI's vhost.
func tapBindings(t *testing.T, exchange string) []string {
	t.Helper()
	var bindings []struct {
		Destination string `json:"destination"`
	}
	brokertest.Management(t, http.MethodGet, "/api/exchanges/"+url.PathEscape(cliVHost)+"/"+url.PathEscape(exchange)+"/bindings/source", nil, &bindings)
	var out []string
	for _, b := range bindings {
		out = append(out, b.Destination)
	}
	return out
}

func TestTailIntoAClosedPipeDeletesItsPrivateQueueAndExits141(t *testing.T) {
	cfg := writeConfig(t, "guest")
	exchange := brokertest.Name("pipe")
	ch := brokertest.Channel(t, cliVHost)
	if err := ch.ExchangeDeclare(exchange, amqp.ExchangeFanout, false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	p := startProcess(t, closedPipe(t), "tail", "--config", cfg, "--vhost", cliVHost, "--exchange", exchange)
	var private []string
	brokertest.WaitUntil(t, "the tap's binding", 15*time.Second, func() bool {
		private = tapBindings(t, exchange)
		return len(private) == 1
	})
	brokertest.DeleteAtEnd(t, cliVHost, private[0])
	brokertest.Publish(t, ch, exchange, "", amqp.Publishing{Body: []byte("to nobody")})
	code := p.wait(t)
	if code != 141 {
		t.Errorf("exit %d (stderr %q), want 141", code, p.stderr.String())
	}
	if brokertest.Inspect(t, cliVHost, private[0]).Exists {
		t.Errorf("private queue %s is still there", private[0])
	}
}
