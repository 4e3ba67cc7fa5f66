package connector

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mqscope/connector/neonwire"
	"mqscope/internal/brokertest"
)

// The TLS tests use the listener scripts/broker.sh adds to the local broker:
// amqps on tlsAddr, with the CA and a client certificate in the directory
// MQSCOPE_TLS_DIR (default defaultTLSDir). Where broker.sh could not set it
// up they skip; where it is up, every failure is mqscope's.
const (
	tlsAddr       = "127.0.0.1:5671"
	plainAddr     = "127.0.0.1:5672"
	defaultTLSDir = "/var/lib/rabbitmq/mqscope-tls"
)

// certFiles are a CA certificate and a client certificate and key, as PEM
// files by absolute path.
type certFiles struct{ ca, cert, key string }

// needTLSListener skips the test when the local broker has no TLS listener
// or its certificates cannot be read, and returns the certificates.
func needTLSListener(t *testing.T) certFiles {
	t.Helper()
	dir := os.Getenv("MQSCOPE_TLS_DIR")
	if dir == "" {
		dir = defaultTLSDir
	}
	f := certFiles{ca: filepath.Join(dir, "ca.pem"), cert: filepath.Join(dir, "client.pem"), key: filepath.Join(dir, "client.key")}
	for _, p := range []string{f.ca, f.cert, f.key} {
		if _, err := os.ReadFile(p); err != nil {
			t.Skipf("no TLS test certificates (%v): run scripts/broker.sh as root to set up the TLS listener", err)
		}
	}
	conn, err := net.DialTimeout("tcp", tlsAddr, 2*time.Second)
	if err != nil {
		t.Skipf("no TLS listener on %s (%v): run scripts/broker.sh as root to set it up", tlsAddr, err)
	}
	conn.Close()
	return f
}

// tlsClient returns a client for servers with tlsSection as mqscope.tls
// (none when nil).
func tlsClient(t *testing.T, servers []string, tlsSection map[string]any, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithServers(servers...), WithTLS(tlsSettings(tlsSection)), WithTLSSettingsName("mqscope.tls")}, opts...)
	return testClientWithoutProbe(t, brokertest.ConfigJSON("guest"), opts...)
}

// tlsSettings reads a section written as mqscope's config writes it.
func tlsSettings(section map[string]any) *TLSConfig {
	if section == nil {
		return nil
	}
	str := func(k string) string { s, _ := section[k].(string); return s }
	insecure, _ := section["insecure"].(bool)
	return &TLSConfig{CAFile: str("ca_file"), CertFile: str("cert_file"), KeyFile: str("key_file"), ServerName: str("server_name"), Insecure: insecure}
}

// dialErr dials testVHost, which must fail, and returns the error text. A
// dial that never returns fails the test instead of hanging the suite.
func dialErr(t *testing.T, c *Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct{ err error }
	done := make(chan result, 1)
	go func() {
		conn, err := c.Dial(ctx, testVHost)
		if conn != nil {
			conn.Close()
		}
		done <- result{err}
	}()
	select {
	case r := <-done:
		if r.err == nil {
			t.Fatal("dial succeeded; want an error")
		}
		msg := r.err.Error()
		if strings.Contains(msg, "\n") {
			t.Errorf("error is not one line: %q", msg)
		}
		return msg
	case <-time.After(30 * time.Second):
		t.Fatal("dial did not return although its context ended long ago")
		return ""
	}
}

// mustDial dials testVHost, which must work, over TLS.
func mustDial(t *testing.T, c *Client) {
	t.Helper()
	conn, err := c.Dial(testContext(t), testVHost)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if state := conn.ConnectionState(); !state.HandshakeComplete {
		t.Fatal("connected without TLS")
	}
}

func wantParts(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q does not say %q", msg, p)
		}
	}
}

func TestTLSRequestRoundTripVerifiesBrokerCertificate(t *testing.T) {
	f := needTLSListener(t)
	c := tlsClient(t, []string{tlsAddr}, map[string]any{"ca_file": f.ca, "cert_file": f.cert, "key_file": f.key})
	queue := uniqueQueue(t, c, "tls_echo")
	startEcho(t, c, queue, nil)
	r := newRequester(t, c, RequesterOptions{})
	resp, err := r.Request(testContext(t), queue, dictOf("q", "over amqps"), RequestOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := resp.Value.(*neonwire.Dict).Get("echo"); got != "over amqps" {
		t.Fatalf("reply = %s", neonwire.Repr(resp.Value))
	}
}

func TestTLSPortComesFromPortWhenNoServersAreGiven(t *testing.T) {
	f := needTLSListener(t)
	cfg := `{"server": "127.0.0.1", "port": "5671", "users": {"mq_handler": {"user": "guest", "password": "guest"}}}`
	mustDial(t, testClientWithoutProbe(t, cfg, WithTLS(&TLSConfig{CAFile: f.ca})))
}

// The broker asks for a client certificate but does not require one, so
// the proof that ours is sent is the subject the broker reports for the
// connection.
func TestTLSClientCertificateIsPresented(t *testing.T) {
	f := needTLSListener(t)
	name := "mqscope tls-test " + randomHex(4)
	c := tlsClient(t, []string{tlsAddr}, map[string]any{"ca_file": f.ca, "cert_file": f.cert, "key_file": f.key}, WithConnectionName(name))
	conn, err := c.Dial(testContext(t), testVHost)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	info := brokertest.ConnectionNamed(t, name)
	if !info.SSL || !strings.Contains(info.PeerCertSubject, "CN=mqscope-test-client") {
		t.Fatalf("broker sees ssl=%v, peer certificate subject %q; want the test client's", info.SSL, info.PeerCertSubject)
	}
}

// The broker's own server certificate is signed by the CA it trusts, so Go
// offers it, but it is not for client authentication: the broker refuses it.
func TestTLSRefusedClientCertificateNamesCertFile(t *testing.T) {
	f := needTLSListener(t)
	dir := filepath.Dir(f.ca)
	cert, key := filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	if _, err := os.ReadFile(key); err != nil {
		t.Skipf("cannot read the broker's key to offer it as a client certificate: %v", err)
	}
	c := tlsClient(t, []string{tlsAddr}, map[string]any{"ca_file": f.ca, "cert_file": cert, "key_file": key})
	wantParts(t, dialErr(t, c), "TLS: "+tlsAddr+" refused the handshake", "mqscope.tls.cert_file")
}

func TestTLSUnknownCAIsOneLineNamingCAFile(t *testing.T) {
	needTLSListener(t)
	stranger := strangerCA(t)
	for name, section := range map[string]map[string]any{
		"system roots": {},
		"wrong CA":     {"ca_file": stranger.ca},
	} {
		t.Run(name, func(t *testing.T) {
			msg := dialErr(t, tlsClient(t, []string{tlsAddr}, section))
			wantParts(t, msg, "TLS: certificate of "+tlsAddr+" signed by unknown authority", "set mqscope.tls.ca_file")
		})
	}
}

func TestTLSServerNameMismatchIsFixedByServerName(t *testing.T) {
	f := needTLSListener(t)
	c := tlsClient(t, []string{tlsAddr}, map[string]any{"ca_file": f.ca, "server_name": "mq.example.org"})
	wantParts(t, dialErr(t, c), `is for localhost, 127.0.0.1, not "mq.example.org"`, "mqscope.tls.server_name")
	mustDial(t, tlsClient(t, []string{tlsAddr}, map[string]any{"ca_file": f.ca, "server_name": "localhost"}))
	// The name in servers is what is checked when server_name is not set.
	mustDial(t, tlsClient(t, []string{"localhost:5671"}, map[string]any{"ca_file": f.ca}))
}

func TestTLSInsecureSkipsVerification(t *testing.T) {
	needTLSListener(t)
	section := map[string]any{"insecure": true, "server_name": "mq.example.org"}
	c := tlsClient(t, []string{tlsAddr}, section)
	if c.Scheme() != "amqps" || !c.TLSInsecure() {
		t.Fatalf("scheme %q, insecure %v", c.Scheme(), c.TLSInsecure())
	}
	mustDial(t, c)
}

func TestTLSToPlainPortSaysSo(t *testing.T) {
	f := needTLSListener(t)
	c := tlsClient(t, []string{plainAddr}, map[string]any{"ca_file": f.ca})
	wantParts(t, dialErr(t, c), plainAddr+" did not answer TLS: is it a plain amqp port?")
}

func TestPlainToTLSPortSaysSo(t *testing.T) {
	needTLSListener(t)
	c := tlsClient(t, []string{tlsAddr}, nil)
	if c.Scheme() != "amqp" {
		t.Fatalf("scheme %q without mqscope.tls", c.Scheme())
	}
	wantParts(t, dialErr(t, c), tlsAddr+" did not answer plain AMQP: is it an amqps (TLS) port?")
}

// A peer that accepts the connection and never answers must not stall the
// dial, with or without TLS: the context's deadline bounds the handshakes.
func TestDialToSilentPeerEndsAtDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // held open, silent, until the listener closes
		}
	}()
	addr := ln.Addr().String()
	for name, section := range map[string]map[string]any{"plain": nil, "tls": {"insecure": true}} {
		t.Run(name, func(t *testing.T) {
			c := tlsClient(t, []string{addr}, section)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			conn, err := c.Dial(ctx, testVHost)
			if err == nil {
				conn.Close()
				t.Fatal("dial to a silent peer succeeded")
			}
			wantParts(t, err.Error(), addr+" did not answer in time")
		})
	}
}

// strangerCA makes a CA the broker does not know and a client certificate
// signed by it.
func strangerCA(t *testing.T) certFiles {
	t.Helper()
	dir := t.TempDir()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stranger CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafKey := newKey(t)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "stranger client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		t.Fatal(err)
	}
	f := certFiles{ca: filepath.Join(dir, "ca.pem"), cert: filepath.Join(dir, "client.pem"), key: filepath.Join(dir, "client.key")}
	writePEM(t, f.ca, "CERTIFICATE", caDER)
	writePEM(t, f.cert, "CERTIFICATE", leafDER)
	writePEM(t, f.key, "PRIVATE KEY", keyDER)
	return f
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
