package observe

import (
	"testing"

	"mqscope/connector"
	"mqscope/internal/brokertest"

	amqp "github.com/rabbitmq/amqp091-go"
)

// TestManagementLooksUpOneQueueAndOneExchange checks what the picker asks
// about a typed name: whether it is a queue, or an exchange and of which
// type, and that a name that is neither (or a vhost that does not exist)
// is told apart from any other failure.
func TestManagementLooksUpOneQueueAndOneExchange(t *testing.T) {
	brokertest.Need(t)
	ctx := brokertest.Context(t)
	m := NewManagement(brokertest.ManagementURL, connector.Credentials{User: brokertest.User, Password: connector.Secret(brokertest.Password)})
	q := brokertest.Queue(t, testVHost, "mgmt")
	x := brokertest.Name("mqscope.test.mgmtx")
	ch := brokertest.Channel(t, testVHost)
	if err := ch.ExchangeDeclare(x, amqp.ExchangeFanout, false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.ExchangeDelete(x, false, false) })

	if got, err := m.Queue(ctx, testVHost, q); err != nil || got.Name != q {
		t.Fatalf("Queue(%q) = %+v, %v", q, got, err)
	}
	if got, err := m.Exchange(ctx, testVHost, x); err != nil || got.Type != "fanout" {
		t.Fatalf("Exchange(%q) = %+v, %v; want its type, fanout", x, got, err)
	}
	if _, err := m.Queue(ctx, testVHost, x); !NotFound(err) {
		t.Fatalf("an exchange is no queue: err %v, want NotFound", err)
	}
	if _, err := m.Exchange(ctx, testVHost, "no_such_exchange_"+q); !NotFound(err) {
		t.Fatalf("err %v, want NotFound", err)
	}
	if _, err := m.VHost(ctx, "/no_such_vhost_"+q); !NotFound(err) {
		t.Fatalf("a missing vhost: err %v, want NotFound", err)
	}
	if NotFound(nil) {
		t.Fatal("no error is not NotFound")
	}
}
