package connector

import (
	"context"
	"sync"
	"testing"
	"time"
)

// The tests that cross the wire use the real local RabbitMQ that
// scripts/broker.sh prepares: vhost /mqscope_test, user guest.
const testVHost = "/mqscope_test"

// testConfigJSON is a Neon config for the local broker. The server list puts
// nothing in front of the live broker; failover tests build their own.
func testConfigJSON(password string) string {
	return `{"server": "127.0.0.1", "port": 5672, "users": {
		"mq_handler": {"user": "guest", "password": "` + password + `"}}}`
}

// testClient returns a client for the local broker, failing the test with
// what to do when the broker is not there.
func testClient(t testing.TB) *Client {
	t.Helper()
	return testClientWith(t, testConfigJSON("guest"))
}

func testClientWith(t testing.TB, configJSON string) *Client {
	t.Helper()
	c := testClientWithoutProbe(t, configJSON)
	brokerOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := c.Dial(ctx, testVHost)
		if err != nil {
			brokerErr = err
			return
		}
		conn.Close()
	})
	if brokerErr != nil {
		t.Fatalf("local RabbitMQ not usable (run scripts/broker.sh): %v", brokerErr)
	}
	return c
}

var (
	brokerOnce sync.Once
	brokerErr  error
)

// testContext is a context that ends with the test.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// uniqueQueue returns a queue name no other test uses, deleted afterwards.
func uniqueQueue(t testing.TB, c *Client, prefix string) string {
	name := "mqscope_test." + prefix + "." + randomHex(4)
	t.Cleanup(func() { deleteQueue(c, name) })
	return name
}

func deleteQueue(c *Client, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := c.Dial(ctx, testVHost)
	if err != nil {
		return
	}
	defer conn.Close()
	if ch, err := conn.Channel(); err == nil {
		_, _ = ch.QueueDelete(name, false, false, false)
	}
}
