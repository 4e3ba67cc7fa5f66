package demo

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// trafficStats counts what the generator did, for its periodic summary.
type trafficStats struct {
	sent, replied, failed atomic.Int64
}

// summaryEvery is how often the generator logs its counts.
const summaryEvery = 10 * time.Second

// generate sends rate requests per second, round-robin over the running
// services, through connector.Request, so live views always have pairs to
// show. Each request runs on its own goroutine so a slow reply never slows
// the rate.
func generate(ctx context.Context, open func(context.Context, string, connector.RequesterOptions) (Requester, error),
	vhost string, names []string, rate float64, stats *trafficStats, logf func(string, ...any)) {
	req, err := open(ctx, vhost, connector.RequesterOptions{
		OnState: func(s connector.State) { logState(logf, s) },
	})
	if err != nil {
		logf("traffic generator: %v", err)
		return
	}
	defer req.Close()
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	summary := time.NewTicker(summaryEvery)
	defer summary.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-summary.C:
			logf("traffic generator: %d requests, %d replies, %d failures", stats.sent.Load(), stats.replied.Load(), stats.failed.Load())
		case <-tick.C:
			name := names[i%len(names)]
			stats.sent.Add(1)
			go send(ctx, req, Queues[name], sampleRequest(name), stats, logf)
		}
	}
}

func send(ctx context.Context, req Requester, queue string, body *neonwire.Dict, stats *trafficStats, logf func(string, ...any)) {
	_, err := req.Request(ctx, queue, body, connector.RequestOptions{Timeout: 5 * time.Second})
	switch {
	case err == nil:
		stats.replied.Add(1)
	case ctx.Err() == nil:
		stats.failed.Add(1)
		logf("traffic generator: %v", err)
	}
}

// sampleRequest builds a realistic request for a demo service, sometimes one
// that the service answers with an in-band error.
func sampleRequest(name string) *neonwire.Dict {
	switch name {
	case "api":
		services := []string{"api_test_endpoint", "api_test_endpoint", "weather"}
		return dict("service", services[rand.N(len(services))])
	case "llm":
		queries := []string{"hi", "what is the weather like?", "tell me a joke", "¿qué hora es?"}
		history := neonwire.List{neonwire.Tuple{"user", "hello"}, neonwire.Tuple{"llm", "hey"}}
		persona := dict("name", "helper", "description", "You are a helpful assistant.")
		return dict("query", queries[rand.N(len(queries))], "history", history, "persona", persona)
	default:
		users := []string{"alice", "bob", "carol"}
		return dict("operation", "read", "user_spec", users[rand.N(len(users))])
	}
}
