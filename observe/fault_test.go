package observe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/connector"

	amqp "github.com/rabbitmq/amqp091-go"
)

// The fault tests close every connection of a vhost or restart the broker,
// with rabbitmqctl. A restart breaks every other test running at the same
// time, so they run only when MQSCOPE_FAULT_TESTS=1, and scripts/test.sh
// runs them alone (-p 1) after the main suite. Each logs what it measured:
// run with -v to see it.
//
// To run them while others use the local broker, point them at a scratch
// node instead: MQSCOPE_FAULT_NODE (rabbitmqctl -n, e.g. mqfault@localhost),
// MQSCOPE_FAULT_PORT (its AMQP port) and MQSCOPE_FAULT_MGMT (its management
// API URL).

// faultVHost is created for the fault tests and deleted after each.
const faultVHost = "/mqscope_fault"

func needFaultTests(t *testing.T) {
	t.Helper()
	if os.Getenv("MQSCOPE_FAULT_TESTS") != "1" {
		t.Skip("fault test: set MQSCOPE_FAULT_TESTS=1 to run it (it disturbs other tests; scripts/test.sh runs it alone)")
	}
	if _, err := exec.LookPath("rabbitmqctl"); err != nil {
		t.Fatal("fault tests need rabbitmqctl on PATH (and the right to run it)")
	}
}

// faultClient is a client of the broker the fault tests break: the local
// one, unless MQSCOPE_FAULT_PORT and MQSCOPE_FAULT_MGMT name another.
func faultClient(t *testing.T, name string) *Broker {
	t.Helper()
	port, mgmt := cmp.Or(os.Getenv("MQSCOPE_FAULT_PORT"), "5672"), cmp.Or(os.Getenv("MQSCOPE_FAULT_MGMT"), "http://127.0.0.1:15672")
	c := testClientWith(t, fmt.Sprintf(`{"server": "127.0.0.1", "port": %q,
		"users": {"mq_handler": {"user": "guest", "password": "guest"}}}`, port),
		connector.WithConnectionName(name))
	return NewBroker(c.Client, mgmt)
}

// rabbitmqctl runs one rabbitmqctl command on the fault tests' node,
// failing the test with its output.
func rabbitmqctl(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if node := os.Getenv("MQSCOPE_FAULT_NODE"); node != "" {
		args = append([]string{"-n", node}, args...)
	}
	if out, err := exec.CommandContext(ctx, "rabbitmqctl", args...).CombinedOutput(); err != nil {
		t.Fatalf("rabbitmqctl %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// faultRig is what the issue asks to survive a fault: a session (a
// firehose, a tap and a consume watch, and its reply queue) and a Neon
// service, with a publisher and a stream of requests going on throughout.
//
// Everything flows through one durable fanout exchange: the firehose and
// the tap see each publish, and a durable queue bound to it feeds the
// consume watch, so the publisher's persistent messages wait in it across
// a restart.
type faultRig struct {
	admin    *Broker
	exchange string
	queue    string // consumed by the consume watch
	echo     string // the service's queue
	session  *Session
	states   *stateLog
	seen     map[capture.Mode]*collector
	pub      *publisher
	requests *requestLoop
}

// workers are the names the rig's workers report states under.
func (r *faultRig) workers() []string {
	return []string{
		"firehose " + faultVHost + " exchange " + r.exchange,
		"tap " + faultVHost + " " + r.exchange + " #",
		"consume " + faultVHost + " " + r.queue,
		"requests " + faultVHost,
		"consumer echo",
	}
}

func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	admin := faultClient(t, "mqscope fault admin")
	makeFaultVHost(t, admin)
	r := &faultRig{admin: admin, states: newStateLog(), seen: map[capture.Mode]*collector{
		capture.ModeFirehose: newCollector(capture.EventPublish), capture.ModeTap: newCollector(capture.EventDeliver), capture.ModeConsume: newCollector(capture.EventConsume),
	}}
	r.exchange, r.queue = "mqscope_fault.fanout", "mqscope_fault.durable"
	r.echo = "mqscope_fault.echo"
	declareDurable(t, admin, r.exchange, r.queue)

	c := faultClient(t, "mqscope fault mqscope")
	svc := connector.NewService(c.Client, faultVHost)
	if err := svc.AddConsumer(connector.Consumer{Name: "echo", Queue: r.echo, Handler: func(ctx context.Context, d *connector.Delivery) error {
		return d.Reply(ctx, dictOf("echo", true))
	}}); err != nil {
		t.Fatal(err)
	}
	svc.OnState = r.states.add
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })

	sess, err := c.OpenSession(testContext(t), SessionOptions{
		VHost: faultVHost,
		Watches: []WatchSpec{
			{Exchange: r.exchange, Mode: capture.ModeFirehose},
			{Exchange: r.exchange, Mode: capture.ModeTap},
			{Queue: r.queue, Mode: capture.ModeConsume},
		},
		Sink: func(m capture.Message) {
			if col := r.seen[m.Mode]; col != nil {
				col.add(m)
			}
		},
		OnState: r.states.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	r.session = sess
	for _, w := range r.workers()[:3] {
		r.states.wait(t, 0, w, connector.StateConnected, 20*time.Second)
	}
	r.states.wait(t, 0, "consumer echo", connector.StateConnected, 20*time.Second)

	r.pub = newPublisher(faultClient(t, "mqscope fault publisher").Client, faultVHost, r.exchange, "", "fault")
	r.pub.persistent = true // the durable queue keeps them across a restart
	r.pub.start(t)
	r.requests = startRequests(t, sess, r.echo)
	return r
}

// makeFaultVHost creates faultVHost with all permissions for the test
// user, and deletes it when the test ends.
func makeFaultVHost(t *testing.T, admin *Broker) {
	t.Helper()
	m := admin.Mgmt
	path := "/api/vhosts/" + url.PathEscape(faultVHost)
	// Left over from a run that was killed: its durable queue still holds
	// that run's messages.
	_ = m.do(testContext(t), "DELETE", path, nil, nil)
	if err := m.do(testContext(t), "PUT", path, map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	perms := map[string]string{"configure": ".*", "write": ".*", "read": ".*"}
	if err := m.do(testContext(t), "PUT", "/api/permissions/"+url.PathEscape(faultVHost)+"/"+admin.User(), perms, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// After a restart the management API may take a moment to answer.
		for range 20 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := m.do(ctx, "DELETE", path, nil, nil)
			cancel()
			if err == nil {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Errorf("could not delete vhost %s", faultVHost)
	})
}

func declareDurable(t *testing.T, admin *Broker, exchange, queue string) {
	t.Helper()
	conn, err := admin.Dial(testContext(t), faultVHost)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err == nil {
		err = ch.ExchangeDeclare(exchange, amqp.ExchangeFanout, true, false, false, false, nil)
	}
	if err == nil {
		_, err = ch.QueueDeclare(queue, true, false, false, false, nil)
	}
	if err == nil {
		err = ch.QueueBind(queue, "", exchange, false, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// awaitReconnect waits until every worker lost its connection and was
// connected again after the state with index from, and logs when each
// noticed the drop (after the fault began at began), how long it was down
// (from noticing to connected again) and, when the broker was restarted,
// how long after it was back (start_app returned).
func (r *faultRig) awaitReconnect(t *testing.T, from int, began, back time.Time) {
	t.Helper()
	for _, w := range r.workers() {
		down, next := r.states.wait(t, from, w, connector.StateReconnecting, 60*time.Second)
		up, _ := r.states.wait(t, next, w, connector.StateConnected, 60*time.Second)
		line := fmt.Sprintf("  %-45s noticed the drop at +%s (%s), connected again %s later",
			w, down.Time.Sub(began).Round(time.Millisecond), down.Err, up.Time.Sub(down.Time).Round(time.Millisecond))
		if !back.IsZero() {
			line += fmt.Sprintf(", %s after start_app returned", up.Time.Sub(back).Round(time.Millisecond))
		}
		t.Log(line)
	}
}

// finish stops the traffic, waits for what must arrive, and logs the
// counts. lossless lists the modes that must have seen every message; the
// others may have missed some, but only inside a gap they reported.
func (r *faultRig) finish(t *testing.T, lossless ...capture.Mode) {
	t.Helper()
	published := r.pub.halt()
	r.requests.halt(t)
	for _, mode := range []capture.Mode{capture.ModeFirehose, capture.ModeTap, capture.ModeConsume} {
		col := r.seen[mode]
		gaps := col.gapList()
		mustSee := published
		if !containsMode(lossless, mode) {
			mustSee = r.publishedAfterGaps(published, gaps)
		} else if len(gaps) > 0 {
			t.Errorf("%s reported gaps %+v, but should have lost nothing", mode, gaps)
		}
		col.waitAll(t, "fault", mustSee, 30*time.Second)
		missing, dups := col.tally("fault", published)
		t.Logf("  %-8s published %d, seen %d (missing %d, seen twice %d), gaps: %s",
			mode, len(published), len(published)-missing, missing, dups, describeGaps(gaps))
	}
	t.Logf("  requests: %s", r.requests.summary())
}

// publishedAfterGaps keeps the messages published after the end of the
// last gap: the watch was bound to the exchange again by then, so it must
// have seen them. Before that, a message may have been lost with the
// private queue, which the gap says.
func (r *faultRig) publishedAfterGaps(published []int, gaps []capture.Gap) []int {
	if len(gaps) == 0 {
		return published
	}
	end := gaps[len(gaps)-1].To
	r.pub.mu.Lock()
	defer r.pub.mu.Unlock()
	var out []int
	for _, i := range published {
		if r.pub.sentAt[i].After(end) {
			out = append(out, i)
		}
	}
	return out
}

func containsMode(modes []capture.Mode, m capture.Mode) bool {
	for _, x := range modes {
		if x == m {
			return true
		}
	}
	return false
}

func describeGaps(gaps []capture.Gap) string {
	if len(gaps) == 0 {
		return "none"
	}
	parts := make([]string, len(gaps))
	for i, g := range gaps {
		parts[i] = fmt.Sprintf("%s long (%s)", g.To.Sub(g.From).Round(time.Millisecond), g.Reason)
	}
	return strings.Join(parts, ", ")
}

// requestLoop sends a request to the echo service every 50 ms, each with a
// 3 s timeout, and counts the outcomes.
type requestLoop struct {
	mu       sync.Mutex
	outcomes map[string]int
	slowest  time.Duration
	// slowestWas is the outcome of the slowest request.
	slowestWas string
	stop       chan struct{}
	wg         sync.WaitGroup
}

const faultRequestTimeout = 3 * time.Second

func startRequests(t *testing.T, s *Session, queue string) *requestLoop {
	l := &requestLoop{outcomes: map[string]int{}, stop: make(chan struct{})}
	l.wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-tick.C:
				l.wg.Go(func() { l.one(s, queue) })
			}
		}
	})
	t.Cleanup(func() { l.halt(t) })
	return l
}

func (l *requestLoop) one(s *Session, queue string) {
	start := time.Now()
	_, err := s.Request(context.Background(), queue, dictOf("q", "ping"), connector.RequestOptions{Timeout: faultRequestTimeout})
	took := time.Since(start)
	var outcome string
	var noRoute *connector.NoRouteError
	switch {
	case err == nil:
		outcome = "replied"
	case errors.Is(err, connector.ErrConnectionLost):
		outcome = "lost in flight"
	case errors.Is(err, connector.ErrNotConnected):
		outcome = "not sent (no connection)"
	case errors.Is(err, connector.ErrTimeout):
		outcome = "timed out"
	case errors.As(err, &noRoute):
		outcome = "no route (queue not declared yet)"
	default:
		outcome = "other: " + err.Error()
	}
	l.mu.Lock()
	l.outcomes[outcome]++
	if took > l.slowest {
		l.slowest, l.slowestWas = took, outcome
	}
	l.mu.Unlock()
}

// halt stops sending, waits for the requests still running, and fails the
// test if any ended in an unexpected way or hung past its timeout.
func (l *requestLoop) halt(t *testing.T) {
	select {
	case <-l.stop:
		return
	default:
		close(l.stop)
	}
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	for outcome := range l.outcomes {
		if strings.HasPrefix(outcome, "other: ") {
			t.Errorf("a request failed in an unexpected way: %s", outcome)
		}
	}
	// A generous bound, only to catch a request that hangs.
	if l.slowest > faultRequestTimeout+5*time.Second {
		t.Errorf("a request took %s with a %s timeout", l.slowest, faultRequestTimeout)
	}
}

func (l *requestLoop) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]string, 0, len(l.outcomes))
	for k := range l.outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", l.outcomes[k], k)
	}
	return strings.Join(parts, ", ") + fmt.Sprintf("; slowest %s (%s)", l.slowest.Round(time.Millisecond), l.slowestWas)
}

func TestFaultBrokerClosesEveryConnection(t *testing.T) {
	needFaultTests(t)
	r := newFaultRig(t)
	time.Sleep(time.Second) // traffic before the fault
	from := r.states.len()
	began := time.Now()
	rabbitmqctl(t, "close_all_connections", "--vhost", faultVHost, "mqscope fault test")
	r.awaitReconnect(t, from, began, time.Time{})
	time.Sleep(time.Second) // traffic after it
	// The private queues outlived the disconnect and the consumed queue
	// requeued what was not acknowledged: no watch lost anything.
	r.finish(t, capture.ModeFirehose, capture.ModeTap, capture.ModeConsume)
}

func TestFaultBrokerRestart(t *testing.T) {
	needFaultTests(t)
	r := newFaultRig(t)
	time.Sleep(time.Second)
	from := r.states.len()
	began := time.Now()
	rabbitmqctl(t, "stop_app")
	restarted := false
	t.Cleanup(func() {
		if !restarted { // never leave the broker stopped
			rabbitmqctl(t, "start_app")
			rabbitmqctl(t, "await_startup")
		}
	})
	time.Sleep(2 * time.Second) // down: publishes and requests fail meanwhile
	rabbitmqctl(t, "start_app")
	back := time.Now()
	rabbitmqctl(t, "await_startup")
	restarted = true
	t.Logf("  stop_app, 2 s down, start_app and await_startup took %s", time.Since(began).Round(time.Millisecond))
	r.awaitReconnect(t, from, began, back)
	time.Sleep(time.Second)
	// The durable queue kept its persistent messages; the private queues,
	// like every non-durable queue, were gone: the firehose and the tap
	// each report the gap.
	r.finish(t, capture.ModeConsume)
	for _, mode := range []capture.Mode{capture.ModeFirehose, capture.ModeTap} {
		if gaps := r.seen[mode].gapList(); len(gaps) != 1 || gaps[0].Reason != "private queue lost" {
			t.Errorf("%s: gaps = %+v, want one for the lost private queue", mode, gaps)
		}
	}
}
