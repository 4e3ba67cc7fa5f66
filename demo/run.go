package demo

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// Options choose what the demo runs.
type Options struct {
	Services []string // subset of ServiceNames; empty = all
	Rate     float64  // requests per second sent by the traffic generator; 0 = none
	Force    bool     // run even where the queues already have consumers
	Log      func(format string, args ...any)
	// Ready, if set, is called once every chosen service consumes its queue.
	Ready func()
	// OpenRequester, if set, opens the traffic generator's requester; by
	// default the client's NewRequester. mqscope passes one that notes the
	// reply queue, so that the queue of a demo killed with SIGKILL is
	// deleted by the next run.
	OpenRequester func(ctx context.Context, vhost string, opts connector.RequesterOptions) (Requester, error)
}

// Requester is what the traffic generator sends through: a
// *connector.Requester or a type that wraps one.
type Requester interface {
	Request(ctx context.Context, queue string, value neonwire.Value, opts connector.RequestOptions) (*connector.Response, error)
	Close()
}

// opener is OpenRequester, or client.NewRequester when it is not set.
func (o Options) opener(client *connector.Client) func(context.Context, string, connector.RequesterOptions) (Requester, error) {
	if o.OpenRequester != nil {
		return o.OpenRequester
	}
	return func(ctx context.Context, vhost string, opts connector.RequesterOptions) (Requester, error) {
		return client.NewRequester(ctx, vhost, opts)
	}
}

// Run starts the chosen demo services and the traffic generator in vhost and
// blocks until ctx ends. It refuses to start where another consumer already
// reads one of the demo queues, so a demo can never answer in place of a
// real service, unless Force is set.
func Run(ctx context.Context, client *connector.Client, vhost string, opts Options) error {
	names, err := selectServices(opts.Services)
	if err != nil {
		return err
	}
	logf := opts.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if !opts.Force {
		if err := checkUnclaimed(ctx, client, vhost, names); err != nil {
			return err
		}
	}
	svc := connector.NewService(client, vhost)
	all := handlers()
	for _, name := range names {
		if err := svc.AddConsumer(connector.Consumer{Name: name, Queue: Queues[name], Handler: all[name]}); err != nil {
			return err
		}
	}
	svc.OnError = func(consumer string, err error) { logf("demo %s: %v", consumer, err) }
	svc.OnState = func(s connector.State) { logState(logf, s) }

	var wg sync.WaitGroup
	wg.Go(func() { _ = svc.Run(ctx) })
	wg.Go(func() {
		// Traffic starts once the services consume, so that its first
		// requests do not fail with "no queue" while they are declared.
		if err := waitReady(ctx, client, vhost, names); err != nil {
			return
		}
		logf("demo: ready")
		if opts.Ready != nil {
			opts.Ready()
		}
		if opts.Rate > 0 {
			generate(ctx, opts.opener(client), vhost, names, opts.Rate, &trafficStats{}, logf)
		}
	})
	wg.Wait()
	return nil
}

// waitReady polls until every named service's queue has a consumer, or ctx
// ends.
func waitReady(ctx context.Context, client *connector.Client, vhost string, names []string) error {
	queues := make([]string, len(names))
	for i, n := range names {
		queues[i] = Queues[n]
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		infos, err := client.InspectQueues(ctx, vhost, queues...)
		if err == nil && !slices.ContainsFunc(infos, func(q connector.QueueInfo) bool { return q.Consumers == 0 }) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func selectServices(want []string) ([]string, error) {
	if len(want) == 0 {
		return ServiceNames, nil
	}
	for _, w := range want {
		if _, ok := Queues[w]; !ok {
			return nil, fmt.Errorf("unknown demo service %q (known: api, llm, users)", w)
		}
	}
	return want, nil
}

// checkUnclaimed refuses to run where a demo queue already has a consumer.
func checkUnclaimed(ctx context.Context, client *connector.Client, vhost string, names []string) error {
	queues := make([]string, len(names))
	for i, n := range names {
		queues[i] = Queues[n]
	}
	infos, err := client.InspectQueues(ctx, vhost, queues...)
	if err != nil {
		return err
	}
	for _, q := range infos {
		if q.Consumers > 0 {
			return fmt.Errorf("queue %q in vhost %q already has %d consumer(s), maybe a real service: the demo will not answer in its place (use --force to run anyway)", q.Name, vhost, q.Consumers)
		}
	}
	return nil
}

func logState(logf func(string, ...any), s connector.State) {
	switch {
	case s.Err != nil:
		logf("%s: %s (%v), retry in %s", s.Worker, s.Kind, s.Err, s.Retry.Round(1e6))
	default:
		logf("%s: %s", s.Worker, s.Kind)
	}
}
