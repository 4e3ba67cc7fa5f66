package connector

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

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
