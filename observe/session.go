package observe

import (
	"context"
	"fmt"
	"sync"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// SessionOptions describe what a session watches and where its traffic goes.
type SessionOptions struct {
	VHost   string
	Watches []WatchSpec
	// Sink receives every observed message, every request the session sends
	// and every reply it receives. It is called on consumer goroutines and
	// must not block.
	Sink func(capture.Message)
	// OnState receives connection state changes of every worker; a watch
	// that cannot start is reported here as StateFailed.
	OnState func(connector.State)
	// OnUnmatched receives replies that match no request in flight.
	OnUnmatched func(capture.Message)
}

// Session is what the TUI and `mqscope tail` run on one vhost: the watches
// feeding the live view and a Requester with the session's reply queue.
type Session struct {
	broker    *Broker
	requester *Requester

	mu      sync.Mutex
	watches []*Watch
}

// OpenSession starts the request side (whose failure, such as a wrong
// password or a missing vhost, is returned) and every watch. A watch that
// fails to start is reported through OnState as StateFailed and the others go
// on, so one missing queue does not hide the rest.
func (b *Broker) OpenSession(ctx context.Context, opts SessionOptions) (*Session, error) {
	req, err := b.OpenRequester(ctx, opts.VHost, requesterOptions(opts))
	if err != nil {
		return nil, err
	}
	s := &Session{broker: b, requester: req}
	var wg sync.WaitGroup
	for _, spec := range mergeFirehoses(opts.VHost, opts.Watches) {
		wg.Go(func() { s.startWatch(ctx, spec, opts) })
	}
	wg.Wait()
	return s, nil
}

// mergeFirehoses fills in the vhost and folds the firehose watches of one
// vhost and exchange filter into one watch with several queues: each
// firehose reads every trace message of its vhost, so separate ones would
// show each message (and each reply) once per watched queue.
func mergeFirehoses(vhost string, specs []WatchSpec) []WatchSpec {
	var out []WatchSpec
	merged := map[[2]string]int{} // vhost, exchange → index in out
	whole := map[int]bool{}       // merged watches that keep the whole vhost
	for _, spec := range specs {
		if spec.VHost == "" {
			spec.VHost = vhost
		}
		if spec.Mode != capture.ModeFirehose {
			out = append(out, spec)
			continue
		}
		key := [2]string{spec.VHost, spec.Exchange}
		i, seen := merged[key]
		if !seen {
			i = len(out)
			merged[key] = i
			out = append(out, WatchSpec{VHost: spec.VHost, Exchange: spec.Exchange, Mode: capture.ModeFirehose})
		}
		queues := spec.firehoseQueues()
		whole[i] = whole[i] || len(queues) == 0
		out[i].Queues = append(out[i].Queues, queues...)
	}
	for i := range whole {
		if whole[i] {
			out[i].Queues = nil
		}
	}
	return out
}

func (s *Session) startWatch(ctx context.Context, spec WatchSpec, opts SessionOptions) {
	w, err := s.broker.Watch(ctx, spec, opts.Sink, opts.OnState)
	if err != nil {
		if opts.OnState != nil {
			opts.OnState(connector.State{Worker: spec.String(), VHost: spec.VHost, Kind: connector.StateFailed, Err: err})
		}
		return
	}
	s.mu.Lock()
	s.watches = append(s.watches, w)
	s.mu.Unlock()
}

// Request sends a Neon request through the session's reply queue.
// In read-only mode it is refused: a request is a publish.
func (s *Session) Request(ctx context.Context, queue string, value neonwire.Value, opts connector.RequestOptions) (*connector.Response, error) {
	if err := s.broker.ReadOnly.Refuse(fmt.Sprintf("a request would publish to queue %q", queue)); err != nil {
		return nil, err
	}
	return s.requester.Request(ctx, queue, value, opts)
}

// ReplyQueue is the session's reply queue.
func (s *Session) ReplyQueue() string { return s.requester.ReplyQueue() }

// VHost is the session's vhost.
func (s *Session) VHost() string { return s.requester.VHost() }

// Watches returns the watches that started.
func (s *Session) Watches() []*Watch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Watch(nil), s.watches...)
}

// Close stops every watch (removing private queues and restoring tracing)
// and the requester (deleting the reply queue).
func (s *Session) Close() {
	var wg sync.WaitGroup
	for _, w := range s.Watches() {
		wg.Go(func() { _ = w.Close() })
	}
	wg.Go(s.requester.Close)
	wg.Wait()
}

// requesterOptions routes the requester's own traffic into the session's
// sink as captured messages: requests as "sent", arrivals on the reply
// queue as "reply".
func requesterOptions(opts SessionOptions) connector.RequesterOptions {
	ro := connector.RequesterOptions{OnState: opts.OnState}
	if opts.Sink != nil {
		ro.OnSent = func(m connector.Message) { opts.Sink(fromLibrary(&m, capture.EventPublish, capture.ModeSent)) }
		ro.OnReceived = func(m connector.Message) { opts.Sink(fromLibrary(&m, capture.EventConsume, capture.ModeReply)) }
	}
	if opts.OnUnmatched != nil {
		ro.OnUnmatched = func(m connector.Message) { opts.OnUnmatched(fromLibrary(&m, capture.EventConsume, capture.ModeReply)) }
	}
	return ro
}

// CheckSend says what stands in the way of a request to queue in the
// session's vhost (see Broker.CheckSend).
func (s *Session) CheckSend(ctx context.Context, queue, expiration string) (SendCheck, error) {
	return s.broker.CheckSend(ctx, s.VHost(), queue, expiration)
}
