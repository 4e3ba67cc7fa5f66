package connector

import (
	"context"
	"testing"

	"mqscope/internal/brokertest"
)

// The tests that cross the wire use the real local RabbitMQ that
// scripts/broker.sh prepares (see internal/brokertest).
const testVHost = brokertest.VHost

// testClient returns a client for the local broker, skipping the test (or
// failing it under scripts/test.sh) when the broker is not there.
func testClient(t testing.TB, opts ...Option) *Client {
	t.Helper()
	brokertest.Need(t)
	return testClientWithoutProbe(t, brokertest.ConfigJSON("guest"), opts...)
}

// testClientWithoutProbe makes a client from configJSON without checking
// that the broker is there, for tests of dial failures.
func testClientWithoutProbe(t testing.TB, configJSON string, opts ...Option) *Client {
	t.Helper()
	cfg, err := ParseConfig("test-config.json", []byte(configJSON))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(cfg, "mq_handler", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testContext is a context that ends with the test.
func testContext(t testing.TB) context.Context { return brokertest.Context(t) }

// uniqueQueue returns a queue name no other test uses, deleted afterwards.
func uniqueQueue(t testing.TB, _ *Client, prefix string) string {
	name := brokertest.Name(prefix)
	brokertest.DeleteAtEnd(t, testVHost, name)
	return name
}
