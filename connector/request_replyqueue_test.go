package connector

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mqscope/internal/brokertest"
)

// replyQueueArguments reads the reply queue's declare arguments through the
// management API.
func replyQueueArguments(t *testing.T, queue string) map[string]any {
	t.Helper()
	var q struct {
		Arguments map[string]any `json:"arguments"`
	}
	brokertest.Management(t, http.MethodGet, "/api/queues/"+url.PathEscape(testVHost)+"/"+url.PathEscape(queue), nil, &q)
	return q.Arguments
}

// A Neon service declares the reply queue with no arguments before it
// replies; with any argument on the queue (x-expires, say) the broker would
// refuse that declare and the reply would never come.
func TestReplyQueueHasNoArgumentsSoServicesCanDeclareIt(t *testing.T) {
	c := testClient(t)
	r := newRequester(t, c, RequesterOptions{})
	if args := replyQueueArguments(t, r.ReplyQueue()); len(args) != 0 {
		t.Fatalf("the reply queue has arguments %v; a Neon service's declare of it would fail", args)
	}
}

// A refused declare of the target closes the channel it was sent on. It
// must not be the reply queue's: the Requester would lose its consumer and
// reconnect, and a Close in the meantime left the reply queue behind.
func TestRefusedDeclareTargetKeepsTheReplyConsumer(t *testing.T) {
	c := testClient(t)
	durable := uniqueQueue(t, c, "durable")
	ch := brokertest.Channel(t, testVHost)
	if _, err := ch.QueueDeclare(durable, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	echo := uniqueQueue(t, c, "echo")
	startEcho(t, c, echo, nil)
	var mu sync.Mutex
	var states []State
	r := newRequester(t, c, RequesterOptions{OnState: func(s State) { mu.Lock(); states = append(states, s); mu.Unlock() }})

	_, err := r.Request(testContext(t), durable, dictOf("q", 1), RequestOptions{Timeout: 5 * time.Second, DeclareTarget: true})
	if err == nil || !strings.Contains(err.Error(), "PRECONDITION_FAILED") {
		t.Fatalf("declaring a durable queue with Neon's flags: got %v, want the broker's 406", err)
	}
	if _, err := r.Request(testContext(t), echo, dictOf("q", 2), RequestOptions{Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range states {
		if s.Kind == StateReconnecting {
			t.Fatalf("the refused declare cost the reply queue its channel: %v", s.Err)
		}
	}
}
