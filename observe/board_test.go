package observe

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"mqscope/internal/brokertest"
)

// A queue object as RabbitMQ 3.10's management API sends it with
// lengths_age=60&lengths_incr=10&msg_rates_age=60&msg_rates_incr=10
// (trimmed to the fields the board reads).
const mgmtQueueJSON = `{"name": %q, "vhost": "/neon_api", "consumers": %d,
 "messages_ready": %d, "messages_unacknowledged": %d, "idle_since": "2026-12-03T08:50:27.457+00:00",
 "messages_ready_details": {"avg": 0.0, "rate": 0.0, "samples": [
   {"sample": %d, "timestamp": 1796287920000}, {"sample": %d, "timestamp": 1796287870000}]},
 "message_stats": {"publish_details": {"avg_rate": 2.5, "rate": 2.0},
   "deliver_get_details": {"avg_rate": 2.0, "rate": 2.0}, "ack_details": {"avg_rate": %g, "rate": 0.0}}}`

func rowOf(t *testing.T, name string, consumers, ready, unacked, readyNow, readyThen int, ackRate float64, services map[string]string) BoardRow {
	t.Helper()
	var q mgmtQueue
	doc := []byte(fmtJSON(mgmtQueueJSON, name, consumers, ready, unacked, readyNow, readyThen, ackRate))
	if err := json.Unmarshal(doc, &q); err != nil {
		t.Fatal(err)
	}
	return boardRow(q, "/neon_api", services)
}

func TestBoardFlagsEachProblem(t *testing.T) {
	svc := map[string]string{"neon_api_input": "neon_api_connector"}
	cases := []struct {
		row  BoardRow
		want []Problem
	}{
		{rowOf(t, "neon_api_input", 0, 0, 0, 0, 0, 0, svc), []Problem{NoConsumer}},
		{rowOf(t, "neon_api_input", 1, 0, 0, 0, 0, 0, svc), []Problem{}},
		{rowOf(t, "neon_api_input", 1, 40, 0, 40, 10, 1, svc), []Problem{Backlog}},   // ready grew over the minute
		{rowOf(t, "neon_api_input", 1, 40, 0, 10, 40, 1, svc), []Problem{}},          // shrinking: no backlog
		{rowOf(t, "neon_api_input", 2, 0, 7, 0, 0, 0, svc), []Problem{StuckUnacked}}, // unacked, no acks for a minute
		{rowOf(t, "neon_api_input", 2, 0, 7, 0, 0, 3.5, svc), []Problem{}},           // acks flow
		{rowOf(t, "0123456789abcdef0123456789abcdef", 0, 3, 0, 3, 3, 0, svc), []Problem{OrphanReplyQueue}},
		{rowOf(t, "0123456789abcdef0123456789abcdef", 1, 0, 0, 0, 0, 0, svc), []Problem{}}, // a live reply queue
		{rowOf(t, "amq.gen-x", 0, 0, 0, 0, 0, 0, svc), []Problem{}},                        // not a service
	}
	for i, c := range cases {
		if !slices.Equal(c.row.Problems, c.want) {
			t.Errorf("case %d %s: problems %v, want %v", i, c.row.Queue, c.row.Problems, c.want)
		}
	}
	if r := cases[0].row; r.Kind != KindService || r.Service != "neon_api_connector" || r.PublishRate != 2.5 || !slices.Equal(r.ReadySamples, []int{0, 0}) {
		t.Errorf("row = %+v", r)
	}
}

func TestBoardOfALiveVHostFlagsNoConsumerAndOrphans(t *testing.T) {
	c := testClient(t)
	service := queueIn(t, c, testVHost, "board_service")
	orphan := randomHex(16)
	ch := channelIn(t, c, testVHost)
	if _, err := ch.QueueDeclare(orphan, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	brokertest.DeleteAtEnd(t, testVHost, orphan)
	board, err := c.Board(testContext(t), []string{testVHost}, map[string]string{service: "svc"})
	if err != nil || board.Missing != "" {
		t.Fatalf("Board: %v (%s)", err, board.Missing)
	}
	found := map[string][]Problem{}
	for _, r := range board.Rows {
		found[r.Queue] = r.Problems
	}
	if !slices.Equal(found[service], []Problem{NoConsumer}) || !slices.Equal(found[orphan], []Problem{OrphanReplyQueue}) {
		t.Fatalf("problems: service %v, orphan %v", found[service], found[orphan])
	}
	if err := c.DeleteOrphanReplyQueue(testContext(t), testVHost, orphan); err != nil {
		t.Fatal(err)
	}
	if brokertest.Inspect(t, testVHost, orphan).Exists {
		t.Fatal("the orphan reply queue is still there")
	}
	if err := c.DeleteOrphanReplyQueue(testContext(t), testVHost, service); err == nil {
		t.Fatal("a service queue was accepted for deletion as an orphan")
	}
}

func TestBoardWithoutManagementShowsWhatAMQPTells(t *testing.T) {
	c := testClient(t)
	service := queueIn(t, c, testVHost, "board_passive")
	c.Mgmt = NewManagement("http://127.0.0.1:1", c.Credentials()) // nothing listens there
	board, err := c.Board(testContext(t), []string{testVHost}, map[string]string{service: "svc", "no_such_queue_x": "svc"})
	if err != nil {
		t.Fatal(err)
	}
	if board.Missing == "" || len(board.Rows) != 1 || board.Rows[0].Queue != service || !slices.Equal(board.Rows[0].Problems, []Problem{NoConsumer}) {
		t.Fatalf("board %+v", board)
	}
}

func fmtJSON(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func TestBoardNamesTheServiceFromTheConfigOrTheQueueName(t *testing.T) {
	services := map[string]string{"neon_api_input": "neon_api_connector"}
	for queue, want := range map[string]string{
		"neon_api_input":        "neon_api_connector", // the config wins
		"chat_gpt_input":        "chat_gpt",
		"weird":                 "",
		"_input":                "",
		"mqscope_e2e_input":     "", // mqscope's own, not a service's
		strings.Repeat("a", 32): "",
	} {
		if got := serviceOf(queue, services); got != want {
			t.Errorf("serviceOf(%q) = %q, want %q", queue, got, want)
		}
	}
}
