package observe

import (
	"context"
	"fmt"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector"
)

// QueuePollInterval is how often a watch looks for a queue that does not
// exist yet (one passive declare on its own connection).
var QueuePollInterval = 2 * time.Second

// QueueMissingError says that a watch waits for its queue, which does not
// exist yet (WatchSpec.WaitForQueue).
type QueueMissingError struct{ VHost, Queue string }

func (e *QueueMissingError) Error() string {
	return fmt.Sprintf("no queue %q in vhost %q yet: waiting for it to be declared", e.Queue, e.VHost)
}

// awaitQueue returns once the watched queue exists, reporting through
// ready that the watch waits for it (a *QueueMissingError) every round
// until then. ok is false when ctx ended or the connection failed (err).
func (w *Watch) awaitQueue(ctx context.Context, conn *amqp.Connection, ready func(error)) (ok bool, err error) {
	for {
		info, err := connector.InspectQueue(conn, w.spec.Queue)
		if err != nil {
			return false, fmt.Errorf("look for queue %q in vhost %q: %w", w.spec.Queue, w.spec.VHost, err)
		}
		if info.Exists {
			return true, nil
		}
		ready(&QueueMissingError{VHost: w.spec.VHost, Queue: w.spec.Queue})
		t := time.NewTimer(QueuePollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, nil
		case <-t.C:
		}
	}
}

// missingQueues are the firehose's queues that do not exist.
func (w *Watch) missingQueues(conn *amqp.Connection) []string {
	var missing []string
	for _, q := range w.spec.firehoseQueues() {
		if info, err := connector.InspectQueue(conn, q); err == nil && !info.Exists {
			missing = append(missing, q)
		}
	}
	return missing
}

// missingCaveat says what a firehose of queues that do not exist shows.
func (w *Watch) missingCaveat(missing []string) error {
	return fmt.Errorf("no queue %s in vhost %q (yet): the firehose shows what is published to it, marked unroutable, and all its traffic once it is declared",
		quoteList(missing), w.spec.VHost)
}

// checkFirehoseQueues warns, through the "connected" state, when queues the
// firehose keeps do not exist, and looks for them every QueuePollInterval
// until they all do or ctx ends: then the warning goes.
func (w *Watch) checkFirehoseQueues(ctx context.Context, conn *amqp.Connection) {
	missing := w.missingQueues(conn)
	if len(missing) == 0 {
		w.setQueueCaveat(nil)
		return
	}
	w.setQueueCaveat(w.missingCaveat(missing))
	go pollEvery(ctx, QueuePollInterval, func() bool {
		if conn.IsClosed() {
			return true // the next connection checks again
		}
		if missing = w.missingQueues(conn); len(missing) > 0 {
			return false
		}
		w.setQueueCaveat(nil)
		w.emit(connector.State{Worker: w.spec.String(), VHost: w.spec.VHost, Kind: connector.StateConnected, Err: w.caveats(), Time: time.Now()})
		return true
	})
}

// consumeCaveat says what a consume of the queue really does when that is
// not "take the messages away from the service": a stream queue gives a
// copy, and a single-active-consumer queue that already has a consumer
// puts mqscope on standby. The management API says what kind the queue is
// (nil when it does not answer: nothing is known); consumers is the count
// before mqscope's consumer, from the passive declare.
func (w *Watch) consumeCaveat(ctx context.Context, consumers int) error {
	// Briefly: an unreachable management API must not hold up the watch.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	d, err := w.mgmt.Queue(ctx, w.spec.VHost, w.spec.Queue)
	if err != nil {
		return nil
	}
	q := w.spec.Queue
	switch {
	case d.Type == "stream":
		return fmt.Errorf("queue %q is a stream: consuming it takes nothing away from the service (it is not destructive) and shows what is published from now on", q)
	case d.Arguments["x-single-active-consumer"] == true && consumers > 0:
		return fmt.Errorf("queue %q has a single active consumer, another one: mqscope is on standby and sees nothing; if that consumer stops, mqscope becomes the active one and takes the messages away from the service", q)
	}
	return nil
}

// quoteList writes names as "a", "b".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// pollEvery calls step every d until it returns true or ctx ends.
func pollEvery(ctx context.Context, d time.Duration, step func() (done bool)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if step() {
				return
			}
		}
	}
}
