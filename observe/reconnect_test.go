package observe

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/internal/brokertest"

	amqp "github.com/rabbitmq/amqp091-go"
)

// These tests break only their own connections: each client gets a name of
// its own, which closeConnectionsNamed finds through the management API.
// Everything else (queues, publishers) goes through another client.

func namedClient(t *testing.T, purpose string) *Broker {
	return testClient(t, connector.WithConnectionName("mqscope test "+purpose+" "+randomHex(4)))
}

func TestPrivateQueueOutlivesADisconnect(t *testing.T) {
	for _, mode := range []capture.Mode{capture.ModeTap, capture.ModeFirehose} {
		t.Run(string(mode), func(t *testing.T) {
			admin := testClient(t)
			spec, exchange, key := WatchSpec{VHost: testVHost, Mode: capture.ModeTap}, "", ""
			event := capture.EventDeliver
			if mode == capture.ModeFirehose {
				tracingOffAround(t, admin)
				key = queueIn(t, admin, fhVHost, "outlive")
				spec, event = WatchSpec{VHost: fhVHost, Queue: key, Mode: capture.ModeFirehose}, capture.EventPublish
			} else {
				exchange = exchangeIn(t, channelIn(t, admin, testVHost), amqp.ExchangeFanout)
				spec.Exchange = exchange
			}
			c := namedClient(t, "outlive "+string(mode))
			seen, states := newCollector(event), newStateLog()
			w, err := c.Watch(testContext(t), spec, seen.add, states.add)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = w.Close() })

			pub := startPublisher(t, admin, spec.VHost, exchange, key, "outlive")
			closeConnectionsNamed(t, c, c.Name())
			down, next := states.wait(t, 0, "", connector.StateReconnecting, 20*time.Second)
			up, _ := states.wait(t, next, "", connector.StateConnected, 20*time.Second)
			during := pub.publishedBetween(down.Time, up.Time)
			published := pub.halt()

			seen.waitAll(t, "outlive", published, 20*time.Second)
			if gaps := seen.gapList(); len(gaps) > 0 {
				t.Fatalf("the private queue survived, yet the watch reported a gap: %+v", gaps)
			}
			_, dups := seen.tally("outlive", published)
			t.Logf("%s: %d published (%d while disconnected for %s), all seen, %d seen twice",
				mode, len(published), during, up.Time.Sub(down.Time).Round(time.Millisecond), dups)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			privateQueueGone(t, admin, w)
		})
	}
}

func TestLostPrivateQueueIsReportedAsAGap(t *testing.T) {
	admin := testClient(t)
	ch := channelIn(t, admin, testVHost)
	fanout := exchangeIn(t, ch, amqp.ExchangeFanout)
	c := namedClient(t, "gap")
	seen, states := newCollector(capture.EventDeliver), newStateLog()
	spec := WatchSpec{VHost: testVHost, Exchange: fanout, Mode: capture.ModeTap}
	w, err := c.Watch(testContext(t), spec, seen.add, states.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	publishTo(t, ch, fanout, "", amqp.Publishing{Body: []byte("before")})
	seen.waitBody(t, "before")

	deleted := time.Now()
	if _, err := ch.QueueDelete(w.private, false, false, false); err != nil {
		t.Fatal(err)
	}
	_, next := states.wait(t, 0, "", connector.StateReconnecting, 20*time.Second)
	states.wait(t, next, "", connector.StateConnected, 20*time.Second)
	publishTo(t, ch, fanout, "", amqp.Publishing{Body: []byte("after")})
	seen.waitBody(t, "after")

	gaps := seen.gapList()
	if len(gaps) != 1 {
		t.Fatalf("gaps = %+v, want exactly one", gaps)
	}
	g := gaps[0]
	if g.Watch != spec.String() || g.Reason != "private queue lost" || g.From.Before(deleted) || g.To.Before(g.From) {
		t.Fatalf("gap = %+v, want one of %q from after %s", g, spec.String(), deleted)
	}
	if got := strings.Join(seen.sequence(), " | "); got != "before | gap: private queue lost | after" {
		t.Fatalf("the marker is not between the messages around it: %s", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	privateQueueGone(t, admin, w)
}

func TestRedeliveryOfAShownMessageIsShownOnce(t *testing.T) {
	tap := &Watch{private: "mqscope.tap.x"}
	a := &amqp.Delivery{Exchange: "x", RoutingKey: "k", Body: []byte("same")}
	mark := tap.mark(a)
	if other := tap.mark(&amqp.Delivery{Exchange: "x", RoutingKey: "k", Body: []byte("other")}); other == mark || mark == 0 {
		t.Fatalf("marks %x and %x should differ and not be 0", mark, other)
	}
	tap.keepUnacked([]uint64{mark, mark}) // two identical messages shown, not acknowledged
	again := *a
	again.Redelivered = true
	first, second := tap.shownBefore(&again, mark), tap.shownBefore(&again, mark)
	if !first || !second {
		t.Fatal("both redeliveries of shown messages should be recognised")
	}
	if tap.shownBefore(&again, mark) {
		t.Fatal("a third redelivery was never shown and must be")
	}
	tap.keepUnacked([]uint64{mark})
	if tap.shownBefore(a, mark) {
		t.Fatal("a message that is not redelivered is new")
	}
	consume := &Watch{}
	if m := consume.mark(a); m != 0 {
		t.Fatalf("consume watches take from a shared queue, where a redelivery is news; mark = %x", m)
	}
}

func TestRequestInFlightFailsWithConnectionLostOnADrop(t *testing.T) {
	admin := testClient(t)
	q := queueIn(t, admin, testVHost, "silent") // nobody answers
	c := namedClient(t, "in flight")
	r := newRequester(t, c, connector.RequesterOptions{})
	errc := make(chan error, 1)
	go func() {
		_, err := r.Request(testContext(t), q, dictOf("q", 1), connector.RequestOptions{Timeout: 30 * time.Second, Expiration: "60000"})
		errc <- err
	}()
	waitMessages(t, admin, testVHost, q, 1)
	closeConnectionsNamed(t, c, c.Name())
	select {
	case err := <-errc:
		if !errors.Is(err, connector.ErrConnectionLost) {
			t.Fatalf("err = %v, want ErrConnectionLost", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the request in flight hung after its connection was closed")
	}
}

func TestRequestWhileDisconnectedWaitsForTheConnection(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "echo")
	runEchoIn(t, c, testVHost, queue)
	r, proxy, states := requesterBehindProxy(t)
	proxy.down()
	states.wait(t, 0, "", connector.StateReconnecting, 20*time.Second)
	errc := make(chan error, 1)
	go func() {
		_, err := r.Request(testContext(t), queue, dictOf("q", "wait"), connector.RequestOptions{Timeout: 20 * time.Second})
		errc <- err
	}()
	select {
	case err := <-errc:
		t.Fatalf("the request finished without a connection: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	proxy.up()
	if err := <-errc; err != nil {
		t.Fatalf("the request that waited for the connection failed: %v", err)
	}
}

func TestRequestNotSentWhenTheConnectionStaysDown(t *testing.T) {
	r, proxy, states := requesterBehindProxy(t)
	proxy.down() // for the rest of the test
	// Wait until a reconnect attempt failed to reach the broker: that is
	// the cause the error must give.
	var cause error
	for from := 0; cause == nil; {
		s, next := states.wait(t, from, "", connector.StateReconnecting, 20*time.Second)
		var de *connector.DialError
		if errors.As(s.Err, &de) && de.Reach {
			cause = s.Err
		}
		from = next
	}
	if !strings.Contains(cause.Error(), "cannot reach RabbitMQ at "+proxy.Addr()) {
		t.Fatalf("the failed reconnect says %q, want it to say the broker cannot be reached", cause)
	}
	_, err := r.Request(testContext(t), "anywhere", dictOf("q", 1), connector.RequestOptions{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, connector.ErrNotConnected) {
		t.Fatalf("err = %v, want ErrNotConnected", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, `request not sent: no connection to vhost "/mqscope_test"`) || !strings.Contains(msg, cause.Error()) {
		t.Fatalf("error does not say what happened and why: %q", msg)
	}
}

// requesterBehindProxy opens a Requester on testVHost whose connections go
// through a proxy of their own, so that the test can take the broker away
// from it (and only from it) and give it back; it retries quickly.
func requesterBehindProxy(t *testing.T) (*connector.Requester, *tcpProxy, *stateLog) {
	t.Helper()
	brokertest.Need(t)
	proxy := newProxy(t, brokertest.Addr)
	c := testClient(t, connector.WithServers(proxy.Addr()),
		connector.WithBackoff(connector.Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond}))
	states := newStateLog()
	return newRequester(t, c, connector.RequesterOptions{OnState: states.add}), proxy, states
}

func TestSessionKeepsWatchingWhenOneWatchedQueueIsDeleted(t *testing.T) {
	admin := testClient(t)
	doomed, survivor := queueIn(t, admin, testVHost, "doomed"), queueIn(t, admin, testVHost, "survivor")
	seen, states := newCollector(capture.EventConsume), newStateLog()
	sess, err := testClient(t).OpenSession(testContext(t), SessionOptions{
		VHost:   testVHost,
		Watches: []WatchSpec{{Queue: doomed, Mode: capture.ModeConsume}, {Queue: survivor, Mode: capture.ModeConsume}},
		Sink:    seen.add, OnState: states.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	ch := channelIn(t, admin, testVHost)
	if _, err := ch.QueueDelete(doomed, false, false, false); err != nil {
		t.Fatal(err)
	}
	failed, _ := states.wait(t, 0, doomed, connector.StateFailed, 20*time.Second)
	if want := fmt.Sprintf("queue %q in vhost %q was deleted", doomed, testVHost); failed.Err == nil || failed.Err.Error() != want {
		t.Fatalf("failed with %v, want %q", failed.Err, want)
	}
	publishTo(t, ch, "", survivor, amqp.Publishing{Body: []byte("still watched")})
	seen.waitBody(t, "still watched")
	for _, w := range sess.Watches() {
		if w.Spec().Queue == survivor && w.Err() != nil {
			t.Fatalf("the other watch stopped too: %v", w.Err())
		}
	}
}

func TestReconnectFailsOverInServerOrder(t *testing.T) {
	// A dead member first: every dial, the first and each reconnect, has
	// to get past it to the live broker.
	c := testClient(t, connector.WithServers("127.0.0.1:1", "127.0.0.1:5672"),
		connector.WithConnectionName("mqscope test failover "+randomHex(4)))
	admin := testClient(t)
	ch := channelIn(t, admin, testVHost)
	fanout := exchangeIn(t, ch, amqp.ExchangeFanout)
	seen, states := newCollector(capture.EventDeliver), newStateLog()
	w, err := c.Watch(testContext(t), WatchSpec{VHost: testVHost, Exchange: fanout, Mode: capture.ModeTap}, seen.add, states.add)
	if err != nil {
		t.Fatalf("first dial did not fail over to the live broker: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	closeConnectionsNamed(t, c, c.Name())
	_, next := states.wait(t, 0, "", connector.StateReconnecting, 20*time.Second)
	states.wait(t, next, "", connector.StateConnected, 20*time.Second)
	publishTo(t, ch, fanout, "", amqp.Publishing{Body: []byte("after failover")})
	seen.waitBody(t, "after failover")
}

func TestQueueOnADownNodeIsRetriedNotGivenUp(t *testing.T) {
	down := &amqp.Error{Code: amqp.NotFound, Server: true,
		Reason: "NOT_FOUND - home node 'rabbit@mq2' of durable queue 'neon_api_input' in vhost '/neon_api' is down or inaccessible"}
	// What a watch makes of the broker closing its channel with each.
	w := &Watch{spec: WatchSpec{VHost: "/neon_api", Queue: "neon_api_input", Mode: capture.ModeConsume}}
	if connector.IsPermanent(w.channelClosed("neon_api_input", down, true)) || !homeNodeDown(down) {
		t.Fatal("a queue whose node is down comes back: the watch must retry")
	}
	gone := &amqp.Error{Code: amqp.NotFound, Server: true, Reason: "NOT_FOUND - no queue 'neon_api_input' in vhost '/neon_api'"}
	if !connector.IsPermanent(w.channelClosed("neon_api_input", gone, true)) || homeNodeDown(gone) {
		t.Fatal("a missing queue stops the watch")
	}
}
