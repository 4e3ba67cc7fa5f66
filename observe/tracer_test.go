package observe

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/capture"
	"mqscope/connector"
)

// tracerVHost belongs to the tracer ownership tests: they check who
// switches tracing on and off there, so no other test may.
const tracerVHost = "/mqscope_tracer"

// limitedConfig logs in as scripts/broker.sh's user without the
// management tag.
const limitedConfig = `{"server": "127.0.0.1", "port": 5672, "users": {
	"mq_handler": {"user": "mqscope_limited", "password": "mqscope-limited-secret"}}}`

// setTracerVHost switches tracing of tracerVHost as an operator would (no
// mqscope record), and off again when the test ends.
func setTracerVHost(t *testing.T, c *Broker, on bool) {
	t.Helper()
	set := func(on bool) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return c.Mgmt.SetTracing(ctx, tracerVHost, on)
	}
	if err := set(on); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set(false); err != nil {
			t.Errorf("switch tracing off: %v", err)
		}
	})
}

// process is a Broker standing for one mqscope process: its own
// register of tracers, and the state directory of the user, dir.
func process(t *testing.T, dir string) *Broker {
	t.Helper()
	b := testClient(t)
	b.StateDir = dir
	return b
}

// firehose starts a firehose of tracerVHost whose messages arrive on the
// returned channel.
func firehose(t *testing.T, b *Broker) (*Watch, <-chan capture.Message) {
	t.Helper()
	return startWatch(t, b, WatchSpec{VHost: tracerVHost, Mode: capture.ModeFirehose})
}

// seesTraffic publishes a message to an unknown queue and waits for the
// firehose's copy of it.
func seesTraffic(t *testing.T, ch *amqp.Channel, msgs <-chan capture.Message) {
	t.Helper()
	body := "probe " + randomHex(4)
	publishTo(t, ch, "", "mqscope_test.nowhere", amqp.Publishing{Body: []byte(body)})
	waitMessage(t, msgs, body, bodyIs(body, capture.EventPublish))
}

func TestTracerStaysOnWhileAnotherMqscopeFirehoseReadsIt(t *testing.T) {
	dir := t.TempDir()
	a, b := process(t, dir), process(t, dir)
	setTracerVHost(t, a, false)
	wa, _ := firehose(t, a)
	if !tracing(t, a, tracerVHost) {
		t.Fatal("the first firehose did not switch tracing on")
	}
	wb, msgs := firehose(t, b)
	if err := wa.Close(); err != nil {
		t.Fatal(err)
	}
	if !tracing(t, a, tracerVHost) {
		t.Fatal("the firehose that switched tracing on switched it off under another mqscope's firehose")
	}
	seesTraffic(t, channelIn(t, b, tracerVHost), msgs)
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}
	if tracing(t, a, tracerVHost) {
		t.Fatal("the last mqscope firehose left tracing on")
	}
}

func TestTracerOfAnOperatorIsLeftOn(t *testing.T) {
	a := process(t, t.TempDir())
	setTracerVHost(t, a, true)
	w, _ := firehose(t, a)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !tracing(t, a, tracerVHost) {
		t.Fatal("mqscope switched off the tracing an operator had switched on")
	}
}

// An mqscope killed while its firehose ran (kill -9, SIGPIPE) left tracing
// on and its record: the next firehose that ends there switches it off.
func TestTracerLeftOnByAKilledMqscopeIsSwitchedOffByTheNext(t *testing.T) {
	dir := t.TempDir()
	killed := process(t, dir)
	setTracerVHost(t, killed, true)
	if err := tracingRecordOf(dir, killed.Mgmt.URL(), tracerVHost).write(killed.Mgmt.URL(), tracerVHost); err != nil {
		t.Fatal(err)
	}
	next := process(t, dir)
	w, _ := firehose(t, next)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if tracing(t, next, tracerVHost) {
		t.Fatal("the tracing a killed mqscope left on was taken for an operator's")
	}
	if tracingRecordOf(dir, next.Mgmt.URL(), tracerVHost).exists() {
		t.Fatal("the record outlived the tracing")
	}
}

// fastTracerPolls makes firehoses check their tracer every 50 ms for the
// test.
func fastTracerPolls(t *testing.T) {
	old := TracerPollInterval
	TracerPollInterval = 50 * time.Millisecond
	t.Cleanup(func() { TracerPollInterval = old })
}

func TestTracingSwitchedOffUnderAWatchIsAGapAndSwitchedOnAgain(t *testing.T) {
	fastTracerPolls(t)
	a := process(t, t.TempDir())
	setTracerVHost(t, a, false)
	_, msgs := firehose(t, a)
	if err := a.Mgmt.SetTracing(testContext(t), tracerVHost, false); err != nil {
		t.Fatal(err)
	}
	gap := waitMessage(t, msgs, "the gap marker", func(m capture.Message) bool { return m.Event == capture.EventGap })
	if g, ok := capture.GapOf(&gap); !ok || !strings.Contains(g.Reason, "tracing was switched off") {
		t.Fatalf("gap = %+v", g)
	}
	if !tracing(t, a, tracerVHost) {
		t.Fatal("tracing was not switched on again")
	}
	seesTraffic(t, channelIn(t, a, tracerVHost), msgs)
}

// A user who may not use the management API (no management tag) can still
// read a tracer that an administrator switched on; the watch says that it
// cannot tell whether tracing is on.
func TestFirehoseWithoutManagementRightsWatchesWhenTracingIsOn(t *testing.T) {
	admin := process(t, t.TempDir())
	setTracerVHost(t, admin, true)
	limited := testClientWith(t, limitedConfig)
	var mu sync.Mutex
	var states []connector.State
	msgs := make(chan capture.Message, 64)
	w, err := limited.Watch(testContext(t), WatchSpec{VHost: tracerVHost, Mode: capture.ModeFirehose},
		func(m capture.Message) { msgs <- m },
		func(s connector.State) { mu.Lock(); states = append(states, s); mu.Unlock() })
	if err != nil {
		t.Fatalf("firehose as a user without the management tag, tracing on: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	seesTraffic(t, channelIn(t, admin, tracerVHost), msgs)
	mu.Lock()
	first := states[0]
	mu.Unlock()
	if first.Kind != connector.StateConnected || first.Err == nil || !strings.Contains(first.Err.Error(), "cannot tell whether tracing is on") {
		t.Fatalf("first state = %+v, want connected with the caveat", first)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !tracing(t, admin, tracerVHost) {
		t.Fatal("the limited user's firehose switched tracing off")
	}
}
