package connector

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mqscope/connector/neonwire"
	"mqscope/internal/brokertest"
)

func TestHandlerPanicIsRecoveredAndConsumerGoesOn(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "panicky")
	svc := newEcho(t, c, queue, func(ctx context.Context, d *Delivery) error {
		if q, _ := d.Value.(*neonwire.Dict).Get("q"); q == "boom" {
			panic("handler exploded")
		}
		return d.Reply(ctx, dictOf("ok", true))
	})
	reported := make(chan error, 4)
	svc.OnError = func(consumer string, err error) { reported <- err }
	runService(t, svc, queue)

	r := newRequester(t, c, RequesterOptions{})
	_, err := r.Request(testContext(t), queue, dictOf("q", "boom"), RequestOptions{Timeout: 500 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("a panicking handler sends no reply; got %v", err)
	}
	select {
	case err := <-reported:
		if !strings.Contains(err.Error(), "handler exploded") {
			t.Fatalf("reported %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("panic was not reported")
	}
	if _, err := r.Request(testContext(t), queue, dictOf("q", "fine"), RequestOptions{Timeout: 10 * time.Second}); err != nil {
		t.Fatalf("consumer did not go on after the panic: %v", err)
	}
}

func TestWrongPasswordIsOneClearLineWithoutThePassword(t *testing.T) {
	testClient(t) // the broker must be there, or the error would be another
	const pw = "Sup3r-Secret-pw-4711"
	c := testClientWithoutProbe(t, brokertest.ConfigJSON(pw))
	_, err := c.Dial(testContext(t), testVHost)
	if err == nil {
		t.Fatal("dial with a wrong password succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, pw) || strings.Contains(msg, "\n") {
		t.Fatalf("error leaks the password or is not one line: %q", msg)
	}
	if !strings.Contains(msg, `login refused for user "guest"`) || !strings.Contains(msg, "check the password") {
		t.Fatalf("error does not say what to do: %q", msg)
	}
}

func TestMissingVHostSaysSo(t *testing.T) {
	c := testClient(t)
	_, err := c.Dial(testContext(t), "/mqscope_no_such_vhost")
	if err == nil || !strings.Contains(err.Error(), `"/mqscope_no_such_vhost"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestRefusedPortSaysBrokerUnreachable(t *testing.T) {
	c := testClientWithoutProbe(t, `{"server": "127.0.0.1", "port": 1, "users": {"mq_handler": {}}}`)
	_, err := c.Dial(testContext(t), testVHost)
	if err == nil || !strings.Contains(err.Error(), "cannot reach RabbitMQ at 127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
}

func TestConsumerReconnectsAfterBrokerClosesConnection(t *testing.T) {
	name := "mqscope test reconnect " + randomHex(4)
	c := testClient(t, WithConnectionName(name))
	queue := uniqueQueue(t, c, "reconnect")
	states := make(chan State, 16)
	svc := newEcho(t, c, queue, nil)
	svc.OnState = func(s State) {
		select {
		case states <- s:
		default:
		}
	}
	runService(t, svc, queue)

	brokertest.CloseConnectionsNamed(t, name)
	sawReconnect := false
	deadline := time.After(20 * time.Second)
	for !sawReconnect {
		select {
		case s := <-states:
			sawReconnect = s.Kind == StateReconnecting
		case <-deadline:
			t.Fatal("consumer never reported reconnecting")
		}
	}
	waitConsumers(t, c, queue, 1)
	r := newRequester(t, c, RequesterOptions{})
	if _, err := r.Request(testContext(t), queue, dictOf("q", 1), RequestOptions{Timeout: 10 * time.Second}); err != nil {
		t.Fatalf("no reply after reconnect: %v", err)
	}
}
