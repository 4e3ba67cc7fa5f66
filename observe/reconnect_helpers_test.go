package observe

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/connector"

	amqp "github.com/rabbitmq/amqp091-go"
)

// collector is a sink that keeps what a watch passed on: how often each
// body was seen (for one event, or all) and the gap markers, in order.
type collector struct {
	event capture.Event // count only messages with this event; "" counts all

	mu      sync.Mutex
	counts  map[string]int
	order   []string // bodies and gap markers ("gap: …") as they came
	gaps    []capture.Gap
	changed chan struct{}
}

func newCollector(event capture.Event) *collector {
	return &collector{event: event, counts: map[string]int{}, changed: make(chan struct{}, 1)}
}

func (c *collector) add(m capture.Message) {
	c.mu.Lock()
	if g, ok := capture.GapOf(&m); ok {
		c.gaps = append(c.gaps, g)
		c.order = append(c.order, "gap: "+g.Reason)
	} else if c.event == "" || m.Event == c.event {
		c.counts[string(m.Body)]++
		c.order = append(c.order, string(m.Body))
	}
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// waitFor waits until done, called under the lock, is true.
func (c *collector) waitFor(t *testing.T, what string, timeout time.Duration, done func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		ok := done()
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-c.changed:
		case <-deadline:
			t.Fatalf("never saw %s", what)
		}
	}
}

// waitBody waits for one message with body.
func (c *collector) waitBody(t *testing.T, body string) {
	t.Helper()
	c.waitFor(t, fmt.Sprintf("message %q", body), 15*time.Second, func() bool { return c.counts[body] > 0 })
}

// tally compares what was seen with the bodies "<prefix>-<i>" of published:
// how many of them were never seen, and how many were seen more than once.
func (c *collector) tally(prefix string, published []int) (missing, duplicates int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, i := range published {
		switch n := c.counts[fmt.Sprintf("%s-%d", prefix, i)]; {
		case n == 0:
			missing++
		case n > 1:
			duplicates += n - 1
		}
	}
	return missing, duplicates
}

// waitAll waits until every published body was seen, failing with the
// number still missing.
func (c *collector) waitAll(t *testing.T, prefix string, published []int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		missing, _ := c.tally(prefix, published)
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d messages %s-* were never seen", missing, len(published), prefix)
		}
		select {
		case <-c.changed:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *collector) gapList() []capture.Gap {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]capture.Gap(nil), c.gaps...)
}

func (c *collector) sequence() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.order...)
}

// stateLog records every State reported to it.
type stateLog struct {
	mu      sync.Mutex
	states  []connector.State
	changed chan struct{}
}

func newStateLog() *stateLog { return &stateLog{changed: make(chan struct{}, 1)} }

func (l *stateLog) add(s connector.State) {
	l.mu.Lock()
	l.states = append(l.states, s)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// wait returns the first state from index from on whose worker contains
// worker and whose kind is kind, and the index after it.
func (l *stateLog) wait(t *testing.T, from int, worker string, kind connector.StateKind, timeout time.Duration) (connector.State, int) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		l.mu.Lock()
		for i := from; i < len(l.states); i++ {
			if s := l.states[i]; s.Kind == kind && strings.Contains(s.Worker, worker) {
				l.mu.Unlock()
				return s, i + 1
			}
		}
		l.mu.Unlock()
		select {
		case <-l.changed:
		case <-deadline:
			t.Fatalf("%q never reported %s; its last state: %s", worker, kind, l.last(worker))
		}
	}
}

// last describes the latest state of worker.
func (l *stateLog) last(worker string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.states) - 1; i >= 0; i-- {
		if s := l.states[i]; strings.Contains(s.Worker, worker) {
			return fmt.Sprintf("%s (%v) at %s", s.Kind, s.Err, s.Time.Format("15:04:05.000"))
		}
	}
	return "none"
}

func (l *stateLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.states)
}

// publisher publishes numbered messages "<prefix>-<i>" with publisher
// confirms until stopped, redialling when its connection drops, so it keeps
// publishing across a fault. A message counts as published once the broker
// confirmed it; one that was not confirmed is published again under the
// next number.
type publisher struct {
	client        *connector.Client
	vhost         string
	exchange, key string
	prefix        string
	persistent    bool
	interval      time.Duration

	mu        sync.Mutex
	confirmed []int
	sentAt    map[int]time.Time
	failures  int

	stop chan struct{}
	done chan struct{}
}

func startPublisher(t *testing.T, c *Broker, vhost, exchange, key, prefix string) *publisher {
	return newPublisher(c.Client, vhost, exchange, key, prefix).start(t)
}

// newPublisher makes a publisher that start sets going.
func newPublisher(c *connector.Client, vhost, exchange, key, prefix string) *publisher {
	return &publisher{
		client: c, vhost: vhost, exchange: exchange, key: key, prefix: prefix,
		interval: 2 * time.Millisecond, sentAt: map[int]time.Time{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
}

// start publishes until halt or the end of the test.
func (p *publisher) start(t *testing.T) *publisher {
	go p.run()
	t.Cleanup(func() { p.halt() })
	return p
}

// halt stops publishing and returns the numbers the broker confirmed.
func (p *publisher) halt() []int {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.confirmed...)
}

func (p *publisher) run() {
	defer close(p.done)
	next := 0
	for !p.stopped() {
		ch, closeConn, err := p.dial()
		if err != nil {
			p.pause(50 * time.Millisecond)
			continue
		}
		for !p.stopped() {
			if err := p.publishOne(ch, next); err != nil {
				p.mu.Lock()
				p.failures++
				p.mu.Unlock()
				next++
				break
			}
			next++
			p.pause(p.interval)
		}
		closeConn()
	}
}

func (p *publisher) dial() (*amqp.Channel, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := p.client.Dial(ctx, p.vhost)
	if err != nil {
		return nil, nil, err
	}
	ch, err := conn.Channel()
	if err == nil {
		err = ch.Confirm(false)
	}
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return ch, func() { conn.Close() }, nil
}

func (p *publisher) publishOne(ch *amqp.Channel, i int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pub := amqp.Publishing{Body: fmt.Appendf(nil, "%s-%d", p.prefix, i)}
	if p.persistent {
		pub.DeliveryMode = amqp.Persistent
	}
	at := time.Now()
	conf, err := ch.PublishWithDeferredConfirmWithContext(ctx, p.exchange, p.key, false, false, pub)
	if err != nil {
		return err
	}
	if ok, err := conf.WaitContext(ctx); err != nil || !ok {
		return fmt.Errorf("not confirmed: %v", err)
	}
	p.mu.Lock()
	p.confirmed = append(p.confirmed, i)
	p.sentAt[i] = at
	p.mu.Unlock()
	return nil
}

func (p *publisher) stopped() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

func (p *publisher) pause(d time.Duration) {
	select {
	case <-p.stop:
	case <-time.After(d):
	}
}

// publishedBetween counts the confirmed messages sent from a to b.
func (p *publisher) publishedBetween(a, b time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, at := range p.sentAt {
		if !at.Before(a) && !at.After(b) {
			n++
		}
	}
	return n
}
