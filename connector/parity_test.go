package connector

import (
	"context"
	"errors"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector/neonwire"
	"mqscope/internal/brokertest"
)

// pythonSendMQRequest is what neon_mq_connector's send_mq_request and
// emit_mq_message do to a request body before publishing it
// (docs/wire.md §7), written with the standard library only: set
// routing_key to the reply queue, then fill message_id when it is absent
// or None (from context.mq.message_id when truthy), then dict_to_b64.
const pythonSendMQRequest = `
import ast, base64, json, sys
body = ast.literal_eval(sys.argv[1])
body['routing_key'] = sys.argv[2]
if body.get('message_id') is None:
    body['message_id'] = body.get('context', {}).get('mq', {}).get('message_id') or 'fresh'
sys.stdout.write(base64.b64encode(json.dumps(str(body)).encode('utf-8')).decode())
`

// The request bodies of the parity checks. None has a message_id the Go
// side would mint at random, so the bytes can be compared.
var parityBodies = []string{
	`{'service': 'api_test_endpoint', 'context': {'mq': {'message_id': 'ctx-id'}}}`,
	`{'message_id': None, 'q': 1, 'context': {'mq': {'message_id': 'ctx-id'}}}`,
	`{'q': 'x', 'message_id': 'mine'}`,
	`{'routing_key': None, 'message_id': 'mine', 'z': [1, 2.5, None, True]}`,
	`{'message_id': '', 'routing_key': 'rq'}`,
}

func TestRequestBodyIsByteIdenticalToSendMQRequest(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; install it to compare request bodies with the Python library's steps")
	}
	r := &Requester{queue: "rq"}
	for _, literal := range parityBodies {
		body, _, err := r.prepare(mustLiteral(t, literal))
		if err != nil {
			t.Fatalf("%s: %v", literal, err)
		}
		out, err := exec.Command(py, "-c", pythonSendMQRequest, literal, "rq").Output()
		if err != nil {
			t.Fatalf("python3: %v", err)
		}
		if got := string(neonwire.Encode(body)); got != string(out) {
			t.Errorf("%s:\n go     %s\n python %s", literal, neonwire.Repr(body), decodeForMessage(out))
		}
	}
}

func TestRequestTakesContextMessageID(t *testing.T) {
	r := &Requester{queue: "rq"}
	for _, literal := range []string{
		`{'q': 1, 'context': {'mq': {'message_id': 'ctx-id'}}}`,
		`{'message_id': None, 'context': {'mq': {'message_id': 'ctx-id'}}}`,
	} {
		_, id, err := r.prepare(mustLiteral(t, literal))
		if err != nil || id != "ctx-id" {
			t.Errorf("%s: id %q, %v; want the context's ctx-id", literal, id, err)
		}
	}
	_, id, _ := r.prepare(mustLiteral(t, `{'q': 1, 'context': {'mq': {'message_id': ''}}}`))
	if len(id) != 32 {
		t.Errorf("an empty context id should give a fresh uuid4 hex, got %q", id)
	}
}

func TestEmptyDictIsRefused(t *testing.T) {
	r := &Requester{queue: "rq"}
	_, _, err := r.prepare(&neonwire.Dict{})
	if err == nil || !strings.Contains(err.Error(), "must not be an empty dict") {
		t.Fatalf("err = %v", err)
	}
	if _, err := r.Send(brokertest.Context(t), "q", &neonwire.Dict{}, RequestOptions{}); err == nil {
		t.Fatal("Send accepted an empty dict")
	}
}

func TestForeignRoutingKeyFailsBeforeSending(t *testing.T) {
	r := &Requester{queue: "rq"}
	_, _, err := r.prepare(mustLiteral(t, `{'q': 1, 'routing_key': 'somebody_else'}`))
	var re *ReplyElsewhereError
	if !errors.As(err, &re) || re.ReplyQueue != "somebody_else" {
		t.Fatalf("err = %v; want a *ReplyElsewhereError naming somebody_else", err)
	}
}

func TestSendKeepsTheBodysRoutingKey(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "send")
	declareTestQueue(t, c, queue)
	r := newRequester(t, c, RequesterOptions{})
	id, err := r.Send(testContext(t), queue, mustLiteral(t, `{'q': 1, 'routing_key': 'elsewhere'}`), RequestOptions{})
	if err != nil || len(id) != 32 {
		t.Fatalf("Send = %q, %v", id, err)
	}
	brokertest.WaitUntil(t, "the request in "+queue, 5e9, func() bool { return brokertest.Inspect(t, testVHost, queue).Messages == 1 })
}

func mustLiteral(t *testing.T, literal string) neonwire.Value {
	t.Helper()
	v, err := neonwire.ParseLiteral(literal)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// decodeForMessage shows a wire body as its repr for a failure message.
func decodeForMessage(wire []byte) string {
	v, err := neonwire.DecodeNeon(wire)
	if err != nil {
		return string(wire)
	}
	return neonwire.Repr(v)
}

func TestConsumerRefusedForGoodStopsTheService(t *testing.T) {
	c := testClient(t)
	queue := brokertest.Name("inequivalent")
	ch := brokertest.Channel(t, testVHost)
	if _, err := ch.QueueDeclare(queue, false, false, false, false, amqp.Table{"x-max-length": int32(5)}); err != nil {
		t.Fatal(err)
	}
	brokertest.DeleteAtEnd(t, testVHost, queue)
	svc := NewService(c, testVHost)
	var states []State
	var mu sync.Mutex
	svc.OnState = func(s State) { mu.Lock(); states = append(states, s); mu.Unlock() }
	if err := svc.AddConsumer(Consumer{Name: "api", Queue: queue, Handler: func(context.Context, *Delivery) error { return nil }}); err != nil {
		t.Fatal(err)
	}
	err := svc.Run(testContext(t))
	if err == nil || !strings.Contains(err.Error(), "x-max-length") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Run = %v; want one line naming x-max-length", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range states {
		if s.Kind == StateReconnecting {
			t.Fatalf("a consumer refused for good reconnected: %+v", states)
		}
	}
}

func TestBackoffKeepsGrowingWhileSetupFails(t *testing.T) {
	c := testClient(t, WithBackoff(Backoff{Initial: 40 * time.Millisecond, Max: time.Second}))
	var retries []time.Duration
	ctx, cancel := context.WithCancel(testContext(t))
	fails := 0
	_ = c.Supervise(ctx, nil, "setup fails", testVHost, func(ctx context.Context, conn *amqp.Connection, up func()) error {
		fails++
		if fails == 5 {
			cancel()
		}
		return errors.New("setup failed before consuming") // up is never called
	}, func(s State) {
		if s.Kind == StateReconnecting {
			retries = append(retries, s.Retry)
		}
	})
	// Each delay is drawn from [d/2, d] for d = 40, 80, 160, 320 ms: with no
	// reset in between, the fourth is at least 160 ms whatever the jitter.
	if len(retries) < 4 || retries[3] < 160*time.Millisecond {
		t.Fatalf("retry delays %v; want them to keep growing while no session got going", retries)
	}
}

func TestExchangeConsumerDefaultsToDirectAndQueueNameBinding(t *testing.T) {
	c := testClient(t)
	queue, exchange := brokertest.Name("bindq"), brokertest.Name("bindx")
	brokertest.DeleteAtEnd(t, testVHost, queue)
	t.Cleanup(func() {
		brokertest.Management(t, "DELETE", "/api/exchanges/"+url.PathEscape(testVHost)+"/"+url.PathEscape(exchange), nil, nil)
	})
	svc := NewService(c, testVHost)
	if err := svc.AddConsumer(Consumer{Name: "sub", Queue: queue, Exchange: exchange, Handler: func(context.Context, *Delivery) error { return nil }}); err != nil {
		t.Fatal(err)
	}
	runService(t, svc, queue)
	var x struct {
		Type string `json:"type"`
	}
	brokertest.Management(t, "GET", "/api/exchanges/"+url.PathEscape(testVHost)+"/"+url.PathEscape(exchange), nil, &x)
	var bindings []struct {
		RoutingKey string `json:"routing_key"`
	}
	brokertest.Management(t, "GET", "/api/bindings/"+url.PathEscape(testVHost)+"/e/"+url.PathEscape(exchange)+"/q/"+url.PathEscape(queue), nil, &bindings)
	if x.Type != "direct" || len(bindings) != 1 || bindings[0].RoutingKey != queue {
		t.Fatalf("exchange type %q, bindings %+v; want direct, bound with the queue's name", x.Type, bindings)
	}
}
