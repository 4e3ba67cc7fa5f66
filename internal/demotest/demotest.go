// Package demotest starts the demo services for a test that needs Neon
// services to answer, and stops them when the test ends.
package demotest

import (
	"context"
	"testing"
	"time"

	"mqscope/connector"
	"mqscope/demo"
	"mqscope/internal/brokertest"
)

// Start runs the demo in vhost with opts (Ready is set here) until the
// test ends, and returns once its services consume. It skips the test
// without a broker (see brokertest.Need).
func Start(t testing.TB, c *connector.Client, vhost string, opts demo.Options) {
	t.Helper()
	brokertest.Need(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan struct{})
	opts.Ready = func() { close(ready) }
	go func() { done <- demo.Run(ctx, c, vhost, opts) }()
	var stopped bool
	t.Cleanup(func() {
		cancel()
		if !stopped {
			<-done
		}
	})
	select {
	case <-ready:
	case err := <-done:
		stopped = true
		t.Fatalf("demo stopped: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("demo services never started consuming")
	}
}
