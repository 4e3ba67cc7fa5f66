// Package brokertest holds the fixtures of the tests that cross the wire:
// the local RabbitMQ that scripts/broker.sh prepares (127.0.0.1:5672,
// guest/guest, vhost /mqscope_test), a raw channel to it, declares,
// publishes, polling with a deadline, and the management API calls tests
// make. It is for tests only.
//
// Without a reachable broker, Need skips the test and says why, so that
// `go test ./...` passes anywhere; scripts/test.sh sets
// MQSCOPE_REQUIRE_BROKER=1, which turns that skip into a failure.
package brokertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// The local broker the tests use.
const (
	Addr          = "127.0.0.1:5672"
	ManagementURL = "http://127.0.0.1:15672"
	VHost         = "/mqscope_test"
	User          = "guest"
	Password      = "guest"
)

// ConfigJSON is a Neon config for the local broker with one service,
// mq_handler, logging in as guest with password.
func ConfigJSON(password string) string {
	return `{"server": "127.0.0.1", "port": 5672, "users": {
		"mq_handler": {"user": "guest", "password": "` + password + `"}}}`
}

var (
	reachOnce sync.Once
	reachErr  error
)

// Need skips the test when the local broker cannot be reached, or fails it
// when MQSCOPE_REQUIRE_BROKER=1 (scripts/test.sh), where a missing broker
// is a broken setup rather than a machine without one.
func Need(t testing.TB) {
	t.Helper()
	reachOnce.Do(func() {
		conn, err := dial(VHost)
		if err != nil {
			reachErr = err
			return
		}
		conn.Close()
	})
	if reachErr == nil {
		return
	}
	msg := fmt.Sprintf("no usable RabbitMQ at %s vhost %s (%v): run scripts/broker.sh", Addr, VHost, reachErr)
	if Required() {
		t.Fatal(msg)
	}
	t.Skip("skipping a test that crosses the wire: " + msg)
}

// Required reports whether a missing broker fails tests instead of
// skipping them.
func Required() bool { return os.Getenv("MQSCOPE_REQUIRE_BROKER") == "1" }

// dial connects to vhost as guest.
func dial(vhost string) (*amqp.Connection, error) {
	return amqp.DialConfig("amqp://guest:guest@"+Addr+"/", amqp.Config{Vhost: vhost, Dial: amqp.DefaultDial(5 * time.Second)})
}

// Context is a context that ends with the test (or after a minute).
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Name returns prefix plus random hex, for queues and exchanges that no
// other test (or earlier run) uses.
func Name(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "mqscope_test." + prefix + "." + hex.EncodeToString(b)
}

// Channel opens a connection and a channel to vhost as guest, both closed
// with the test.
func Channel(t testing.TB, vhost string) *amqp.Channel {
	t.Helper()
	Need(t)
	conn, err := dial(vhost)
	if err != nil {
		t.Fatalf("dial %s: %v", vhost, err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// Queue declares a fresh queue in vhost with Neon's flags (non-durable,
// non-exclusive, non-auto-delete) and deletes it when the test ends.
func Queue(t testing.TB, vhost, prefix string) string {
	t.Helper()
	name := Name(prefix)
	ch := Channel(t, vhost)
	if _, err := ch.QueueDeclare(name, false, false, false, false, nil); err != nil {
		t.Fatalf("declare %s: %v", name, err)
	}
	DeleteAtEnd(t, vhost, name)
	return name
}

// DeleteAtEnd deletes queue from vhost when the test ends, whoever
// declared it.
func DeleteAtEnd(t testing.TB, vhost, queue string) {
	t.Cleanup(func() {
		conn, err := dial(vhost)
		if err != nil {
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			_, _ = ch.QueueDelete(queue, false, false, false)
		}
	})
}

// Publish publishes pub to exchange with key on ch, failing the test on
// error.
func Publish(t testing.TB, ch *amqp.Channel, exchange, key string, pub amqp.Publishing) {
	t.Helper()
	if err := ch.PublishWithContext(Context(t), exchange, key, false, false, pub); err != nil {
		t.Fatalf("publish to %q/%q: %v", exchange, key, err)
	}
}

// QueueState is what a passive declare says about a queue.
type QueueState struct {
	Exists              bool
	Messages, Consumers int
}

// Inspect reports on queue in vhost with a passive declare on its own
// connection.
func Inspect(t testing.TB, vhost, queue string) QueueState {
	t.Helper()
	conn, err := dial(vhost)
	if err != nil {
		t.Fatalf("dial %s: %v", vhost, err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
	var aerr *amqp.Error
	if errors.As(err, &aerr) && aerr.Code == amqp.NotFound {
		return QueueState{}
	}
	if err != nil {
		t.Fatalf("inspect %s: %v", queue, err)
	}
	return QueueState{Exists: true, Messages: q.Messages, Consumers: q.Consumers}
}

// WaitUntil polls cond every 20 ms until it holds, failing the test with
// what when timeout passes first.
func WaitUntil(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Connection is one broker connection as the management API lists it.
type Connection struct {
	Name             string         `json:"name"`
	User             string         `json:"user"`
	SSL              bool           `json:"ssl"`
	PeerCertSubject  string         `json:"peer_cert_subject"`
	ClientProperties map[string]any `json:"client_properties"`
}

// ClientName is the connection name its client gave.
func (c Connection) ClientName() string {
	s, _ := c.ClientProperties["connection_name"].(string)
	return s
}

// Connections lists the broker's connections (management API, as guest).
func Connections(t testing.TB) []Connection {
	t.Helper()
	var out []Connection
	Management(t, http.MethodGet, "/api/connections", nil, &out)
	return out
}

// ConnectionNamed waits until a connection with the client name appears
// (the management API's view lags a little) and returns it.
func ConnectionNamed(t testing.TB, name string) Connection {
	t.Helper()
	var found Connection
	WaitUntil(t, "connection "+name+" in the management API", 15*time.Second, func() bool {
		for _, c := range Connections(t) {
			if c.ClientName() == name {
				found = c
				return true
			}
		}
		return false
	})
	return found
}

// CloseConnectionsNamed closes every connection with the client name,
// waiting for one to appear first.
func CloseConnectionsNamed(t testing.TB, name string) {
	t.Helper()
	ConnectionNamed(t, name)
	for _, c := range Connections(t) {
		if c.ClientName() == name {
			Management(t, http.MethodDelete, "/api/connections/"+url.PathEscape(c.Name), nil, nil)
		}
	}
}

// Management calls the management API as guest, failing the test on an
// error status; out, when not nil, receives the decoded JSON answer.
func Management(t testing.TB, method, path string, body, out any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(Context(t), method, ManagementURL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(User, Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("management API %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && !(method == http.MethodDelete && resp.StatusCode == http.StatusNotFound) {
		t.Fatalf("management API %s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("management API %s %s: %v", method, path, err)
		}
	}
}
