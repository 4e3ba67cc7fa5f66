package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mqscope/appconfig"
	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/internal/brokertest"
	"mqscope/store"
)

// brokerVHost is the test vhost of the local broker the UI's broker
// tests use; their queues have unique names.
const brokerVHost = "/mqscope_test"

// countingService answers each request on queue with how many it has
// answered, so that a re-sent request's reply differs from the first.
func countingService(t *testing.T, c *connector.Client, queue string) {
	t.Helper()
	var n atomic.Int64
	svc := connector.NewService(c, brokerVHost)
	if err := svc.AddConsumer(connector.Consumer{Name: "counter", Queue: queue, Handler: func(ctx context.Context, d *connector.Delivery) error {
		return d.Reply(ctx, dict("status_code", int64(200), "n", n.Add(1)))
	}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	brokertest.WaitUntil(t, "the service consuming "+queue, 15*time.Second, func() bool {
		return brokertest.Inspect(t, brokerVHost, queue).Consumers > 0
	})
}

// TestResendAgainstTheBrokerPairsTheNewReply: a request sent through a
// real session and its reply are in the list; r on the reply re-sends the
// request, and the new request and its reply are paired in the list, the
// status says where it went, and the Pair tab diffs the two replies.
func TestResendAgainstTheBrokerPairsTheNewReply(t *testing.T) {
	brokertest.Need(t)
	cfg, err := appconfig.Parse("mq_config.json", []byte(brokertest.ConfigJSON(brokertest.Password)))
	if err != nil {
		t.Fatal(err)
	}
	queue := brokertest.Queue(t, brokerVHost, "mqscope_resend")
	client, err := cfg.NewClient("mq_handler")
	if err != nil {
		t.Fatal(err)
	}
	countingService(t, client, queue)

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st := store.New(store.Options{})
	e := env{ctx: ctx, store: st, events: newEventQueue(), vhost: brokerVHost, loc: time.UTC, now: time.Now}
	e.own = newOwnOrder(st.Sink(nil), time.Now)
	var sessions sessionKeeper
	t.Cleanup(sessions.closeAll)
	m := newModel(e)
	m.Update(openSessionCmd(ctx, cfg, pickChoice{service: "mq_handler", vhost: brokerVHost}, nil, e.own.sink, e.events, &sessions, 0)())
	if m.req == nil {
		t.Fatalf("no session: %v", m.conns.openErr)
	}
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})

	// The original request, sent and answered.
	first := dict("service", "counter", "routing_key", m.req.ReplyQueue(), "message_id", connector.NewMessageID())
	if _, err := m.req.Request(ctx, queue, first, resendOptions()); err != nil {
		t.Fatal(err)
	}
	paired := func(id string) *store.Entry {
		for _, e := range st.Range(0, st.Len()) {
			if e.MessageID == id && e.Pair != nil && e.Pair.IsReply {
				return &e
			}
		}
		return nil
	}
	firstID := ownMessageID(first)
	brokertest.WaitUntil(t, "the first reply in the list", 5*time.Second, func() bool { return paired(firstID) != nil })
	m.Update(frameMsg{at: time.Now()})
	m.list.selSeq = paired(firstID).Seq

	cmd := press(m, "r")
	if !strings.Contains(m.status.text, "to "+queue+" in "+brokerVHost+" as ") {
		t.Fatalf("status %q", m.status.text)
	}
	m.Update(collect(t, cmd, isType(replyMsg{})))
	want := "reply in "
	if !strings.Contains(m.status.text, want) || !strings.Contains(m.status.text, "1 field differs from the recorded reply: changed n") {
		t.Fatalf("status %q", m.status.text)
	}
	res, ok := m.resultFor(paired(firstID))
	if !ok || res.MessageID == firstID || len(res.MessageID) != 32 {
		t.Fatalf("result %+v", res)
	}
	brokertest.WaitUntil(t, "the new reply paired in the list", 5*time.Second, func() bool { return paired(res.MessageID) != nil })
	newReply := paired(res.MessageID)
	if v, _ := newReply.Decoded.Value.(*neonwire.Dict).Get("n"); v != int64(2) {
		t.Fatalf("the new reply holds n=%v, want 2", v)
	}
	m.list.selSeq = paired(firstID).Seq
	if s := pairTab(m); !strings.Contains(s, "~ n: 1 → 2") || !strings.Contains(s, "new reply "+shortID(res.MessageID)) {
		t.Fatalf("the Pair tab of the original reply:\n%s", s)
	}
}
