package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"mqscope/capture"
)

// t0 is the time of the first test message.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// neonBody encodes a Python dict literal the way neon_mq_connector's
// dict_to_b64 does: base64 of a JSON string holding the repr.
func neonBody(repr string) []byte {
	j, err := json.Marshal(repr)
	if err != nil {
		panic(err)
	}
	return []byte(base64.StdEncoding.EncodeToString(j))
}

// request is a Neon request to queue, asking for its reply on replyQueue.
func request(vhost, queue, id, replyQueue string, at time.Time) capture.Message {
	return capture.Message{
		Time: at, VHost: vhost, RoutingKey: queue, Queue: queue,
		Event: capture.EventConsume, Mode: capture.ModeConsume,
		Body: neonBody(fmt.Sprintf("{'service': 'api_test_endpoint', 'routing_key': '%s', 'message_id': '%s'}", replyQueue, id)),
	}
}

// reply is a Neon reply with the given message_id arriving on queue.
func reply(vhost, queue, id string, at time.Time) capture.Message {
	return capture.Message{
		Time: at, VHost: vhost, RoutingKey: queue, Queue: queue,
		Event: capture.EventConsume, Mode: capture.ModeConsume,
		Body: neonBody(fmt.Sprintf("{'status_code': 200, 'content': 'Success', 'encoding': None, 'message_id': '%s'}", id)),
	}
}

// textMessage is a plain-text message on queue.
func textMessage(queue, text string) capture.Message {
	return capture.Message{Time: t0, VHost: "/v", RoutingKey: queue, Queue: queue,
		Event: capture.EventConsume, Mode: capture.ModeConsume, Body: []byte(text)}
}

// seqsOf returns the Seq of each entry.
func seqsOf(es []Entry) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

// mustGet returns the retained entry seq or fails the test.
func mustGet(t *testing.T, s *Store, seq uint64) Entry {
	t.Helper()
	e, ok := s.Get(seq)
	if !ok {
		t.Fatalf("Get(%d): not retained", seq)
	}
	return e
}
