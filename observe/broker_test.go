package observe

import (
	"context"
	"testing"

	"mqscope/connector"
	"mqscope/internal/brokertest"
)

// The tests that cross the wire use the real local RabbitMQ that
// scripts/broker.sh prepares (see internal/brokertest).
const testVHost = brokertest.VHost

// testClient returns the inspector's view of the local broker, skipping the
// test (or failing it under scripts/test.sh) when the broker is not there.
func testClient(t testing.TB, opts ...connector.Option) *Broker {
	t.Helper()
	brokertest.Need(t)
	return testClientWith(t, brokertest.ConfigJSON("guest"), opts...)
}

// testClientWith makes a Broker from configJSON, with mqscope's connection
// name unless opts set another.
func testClientWith(t testing.TB, configJSON string, opts ...connector.Option) *Broker {
	t.Helper()
	cfg, err := connector.ParseConfig("test-config.json", []byte(configJSON))
	if err != nil {
		t.Fatal(err)
	}
	c, err := connector.NewClient(cfg, "mq_handler", append([]connector.Option{connector.WithConnectionName("mqscope mq_handler")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBroker(c, brokertest.ManagementURL)
	// What the tests' tracers leave is theirs alone, not the user's.
	b.StateDir = t.TempDir()
	return b
}

// testContext is a context that ends with the test.
func testContext(t testing.TB) context.Context { return brokertest.Context(t) }

// uniqueQueue returns a queue name no other test uses, deleted afterwards.
func uniqueQueue(t testing.TB, _ *Broker, prefix string) string {
	name := brokertest.Name(prefix)
	brokertest.DeleteAtEnd(t, testVHost, name)
	return name
}

// closeConnectionsNamed closes every broker connection with the name.
func closeConnectionsNamed(t *testing.T, _ *Broker, name string) {
	brokertest.CloseConnectionsNamed(t, name)
}
