package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/internal/brokertest"
)

// deadLetter fills a fresh dead-letter queue with n messages that died in
// a fresh work queue (rejected without requeue), and returns both names.
func deadLetter(t *testing.T, n int) (work, dlq string) {
	t.Helper()
	ch := brokertest.Channel(t, cliVHost)
	dlq = brokertest.Queue(t, cliVHost, "dlq")
	work = brokertest.Name("work")
	if _, err := ch.QueueDeclare(work, false, false, false, false, amqp.Table{
		"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq}); err != nil {
		t.Fatal(err)
	}
	brokertest.DeleteAtEnd(t, cliVHost, work)
	for i := range n {
		brokertest.Publish(t, ch, "", work, amqp.Publishing{Body: []byte(fmt.Sprintf("msg-%04d", i)), ContentType: "text/plain", Headers: amqp.Table{"k": "v"}})
	}
	if err := ch.Qos(500, 0, false); err != nil {
		t.Fatal(err)
	}
	deliveries, err := ch.Consume(work, "deadletter", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		d := <-deliveries
		_ = d.Nack(false, false) // dead-lettered to dlq with an x-death header
	}
	if err := ch.Cancel("deadletter", false); err != nil {
		t.Fatal(err)
	}
	brokertest.WaitUntil(t, "the dead letters", 20*time.Second, func() bool { return brokertest.Inspect(t, cliVHost, dlq).Messages == n })
	return work, dlq
}

// bodies takes every message of queue and counts each body.
func bodies(t *testing.T, queue string) map[string]int {
	t.Helper()
	ch := brokertest.Channel(t, cliVHost)
	seen := map[string]int{}
	for {
		d, ok, err := ch.Get(queue, true)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return seen
		}
		if string(d.Body) == "msg-0000" && (d.ContentType != "text/plain" || d.Headers["k"] != "v" || d.Headers["x-death"] == nil) {
			t.Errorf("properties changed on the way: %+v", d)
		}
		seen[string(d.Body)]++
	}
}

func TestRedriveMovesDeadLettersBack(t *testing.T) {
	path := writeConfig(t, "guest")
	work, dlq := deadLetter(t, 50)
	out, code, msg := run(t, context.Background(), "redrive", "--config", path, "--vhost", cliVHost, "--queue", dlq)
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("moved 50 of 50 from %q: 50 to %q", dlq, work)) {
		t.Fatalf("redrive: exit %d %s\n%s", code, msg, out)
	}
	if got := bodies(t, work); len(got) != 50 {
		t.Fatalf("%d distinct messages in the work queue, want 50", len(got))
	}
}

func TestRedriveLeavesMessagesWithoutXDeath(t *testing.T) {
	path := writeConfig(t, "guest")
	dlq := brokertest.Queue(t, cliVHost, "dlq_plain")
	brokertest.Publish(t, brokertest.Channel(t, cliVHost), "", dlq, amqp.Publishing{Body: []byte("never died")})
	brokertest.WaitUntil(t, "the message", 5*time.Second, func() bool { return brokertest.Inspect(t, cliVHost, dlq).Messages == 1 })
	out, code, _ := run(t, context.Background(), "redrive", "--config", path, "--vhost", cliVHost, "--queue", dlq)
	if code != 1 || !strings.Contains(out, "1 left in") || !strings.Contains(out, "no x-death header (give --to") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if n := brokertest.Inspect(t, cliVHost, dlq).Messages; n != 1 {
		t.Fatalf("%d messages in the dead-letter queue, want the 1 left there", n)
	}
}

// Killed with SIGKILL half way and run again, redrive loses nothing: every
// message ends in the target, some perhaps twice.
func TestRedriveKilledHalfWayLosesNothing(t *testing.T) {
	path := writeConfig(t, "guest")
	const n = 1000
	work, dlq := deadLetter(t, n)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "redrive", "--config", path, "--vhost", cliVHost, "--queue", dlq)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	brokertest.WaitUntil(t, "half the messages moved", 60*time.Second, func() bool {
		return brokertest.Inspect(t, cliVHost, work).Messages >= n/2
	})
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	moved := brokertest.Inspect(t, cliVHost, work).Messages
	brokertest.WaitUntil(t, "the killed connection's messages back in the queue", 20*time.Second, func() bool {
		return brokertest.Inspect(t, cliVHost, dlq).Messages+moved >= n
	})
	if r := runBinary(t, "redrive", "--config", path, "--vhost", cliVHost, "--queue", dlq); r.code != 0 {
		t.Fatalf("second redrive: exit %d %s", r.code, r.all())
	}
	got := bodies(t, work)
	dups := 0
	for _, c := range got {
		dups += c - 1
	}
	t.Logf("killed after %d of %d were moved; afterwards %d distinct messages in the target, %d duplicates", moved, n, len(got), dups)
	if len(got) != n || brokertest.Inspect(t, cliVHost, dlq).Messages != 0 {
		t.Fatalf("%d distinct messages in the target (want %d), %d left in the dead-letter queue", len(got), n, brokertest.Inspect(t, cliVHost, dlq).Messages)
	}
}

func TestReplayAndRedriveRefuseInReadOnlyMode(t *testing.T) {
	path := writeConfig(t, "guest")
	db := recordDemo(t, path, 1)
	dlq := brokertest.Queue(t, cliVHost, "dlq_ro")
	for _, args := range [][]string{
		{"replay", db, "--config", path, "--read-only"},
		{"redrive", "--config", path, "--read-only", "--vhost", cliVHost, "--queue", dlq},
	} {
		_, code, msg := run(t, context.Background(), args...)
		if code != 1 || !strings.HasPrefix(msg, "mqscope: read-only: ") || !strings.Contains(msg, "to leave read-only mode") {
			t.Errorf("%s: exit %d, %q", args[0], code, msg)
		}
	}
}
