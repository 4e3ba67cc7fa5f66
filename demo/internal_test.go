package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"mqscope/connector"
	"mqscope/internal/brokertest"
)

// These tests reach inside the package: the traffic generator and the
// service list.

func TestDemoTrafficGeneratorGetsReplies(t *testing.T) {
	brokertest.Need(t)
	cfg, _ := connector.ParseConfig("demo-test.json", []byte(`{"server": "127.0.0.1", "users": {"mq_handler": {}}}`))
	c, err := connector.NewClient(cfg, "mq_handler")
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- Run(runCtx, c, brokertest.VHost, Options{Ready: func() { close(ready) }}) }()
	defer func() { stop(); <-done }()
	<-ready
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var stats trafficStats
	generate(ctx, Options{}.opener(c), brokertest.VHost, ServiceNames, 20, &stats, func(string, ...any) {})
	// Requests still in flight at the end are cut off by ctx; every one that
	// finished must have been answered.
	if stats.sent.Load() < 20 || stats.failed.Load() != 0 || stats.replied.Load() < stats.sent.Load()-5 {
		t.Fatalf("sent %d, replied %d, failed %d", stats.sent.Load(), stats.replied.Load(), stats.failed.Load())
	}
}

func TestUnknownDemoServiceIsAnError(t *testing.T) {
	_, err := selectServices([]string{"api", "weather"})
	if err == nil || !strings.Contains(err.Error(), `unknown demo service "weather"`) {
		t.Fatalf("err = %v", err)
	}
}
