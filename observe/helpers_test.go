package observe

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/internal/brokertest"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Test-only stand-ins for helpers that are unexported in connector.

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// declareNeonQueue declares a queue with exactly the flags Neon services use
// (non-durable, non-exclusive, non-auto-delete, no arguments).
func declareNeonQueue(ch *amqp.Channel, name string) error {
	if _, err := ch.QueueDeclare(name, false, false, false, false, nil); err != nil {
		return fmt.Errorf("declare queue %q: %w", name, err)
	}
	return nil
}

// dictOf builds a Neon dict from alternating keys and values.
func dictOf(kv ...any) *neonwire.Dict {
	d := &neonwire.Dict{}
	for i := 0; i < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

// newRequester opens a Requester on testVHost, closed when the test ends.
// Its reply queue is deleted after Close as well: Close deletes it only
// when connected, and a test that broke the connection may end first.
func newRequester(t *testing.T, c *Broker, opts connector.RequesterOptions) *connector.Requester {
	t.Helper()
	r, err := c.NewRequester(testContext(t), testVHost, opts)
	if err != nil {
		t.Fatal(err)
	}
	brokertest.DeleteAtEnd(t, testVHost, r.ReplyQueue())
	t.Cleanup(r.Close)
	return r
}

// tcpProxy forwards TCP connections to a target address until down, which
// drops every connection and refuses new ones until up: a broker outage
// that only the clients dialling the proxy see.
type tcpProxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener // nil while down
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// newProxy starts a proxy to target on a free local port, stopped when the
// test ends.
func newProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, target: target, addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

// Addr is the proxy's "host:port", for connector.WithServers.
func (p *tcpProxy) Addr() string { return p.addr }

func (p *tcpProxy) serve(ln net.Listener) {
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.pipe(ln, c) })
		}
	})
}

// pipe copies between client and a new connection to the target until
// either side closes.
func (p *tcpProxy) pipe(ln net.Listener, client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	if p.ln != ln { // went down meanwhile
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[client], p.conns[server] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(server, client); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

// down closes the listener and every connection through the proxy, so
// that clients lose their connections and new dials are refused.
func (p *tcpProxy) down() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// up listens again on the same address.
func (p *tcpProxy) up() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy up again on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.serve(ln)
}
