package connector

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Scheme is "amqps" when the config asks for TLS (a "mqscope.tls" section),
// else "amqp".
func (c *Config) Scheme() string {
	if c.TLS != nil {
		return "amqps"
	}
	return "amqp"
}

// tlsClientConfig builds the TLS settings from the config's mqscope.tls
// section, or returns nil for a plain amqp:// connection. host is the name
// checked in the server's certificate unless server_name overrides it.
func (c *Config) tlsClientConfig(host string) (*tls.Config, error) {
	t := c.TLS
	if t == nil {
		return nil, nil
	}
	cfg := &tls.Config{
		ServerName:         host,
		InsecureSkipVerify: t.Insecure, // an explicit, visible choice in the config
		MinVersion:         tls.VersionTLS12,
	}
	if t.ServerName != "" {
		cfg.ServerName = t.ServerName
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mqscope.tls.ca_file: cannot read it: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqscope.tls.ca_file %s holds no PEM certificate: give the CA certificate in PEM form", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("mqscope.tls.cert_file/key_file (%s, %s): %w", t.CertFile, t.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// explainTLSError explains a dial failure that comes from TLS, or from
// speaking TLS to a plain port or plain AMQP to a TLS port. It returns nil
// for any other failure. tlsOn says whether the dial used TLS.
func explainTLSError(err error, addr string, tlsOn bool) *DialError {
	var (
		unknown x509.UnknownAuthorityError
		badName x509.HostnameError
		invalid x509.CertificateInvalidError
		header  tls.RecordHeaderError
		aerr    *amqp.Error
	)
	why := ""
	switch {
	case !tlsOn:
		// RabbitMQ's TLS listener answers the AMQP protocol header with a TLS
		// alert, which amqp091 reads as a frame it cannot parse.
		if errors.As(err, &aerr) && aerr.Code == amqp.FrameError &&
			(strings.Contains(aerr.Reason, amqp.ErrFrame.Reason) || strings.Contains(aerr.Reason, amqp.ErrFrameTooLarge.Reason)) {
			why = fmt.Sprintf("%s did not answer plain AMQP: is it an amqps (TLS) port? Add mqscope.tls to the config, or use the plain port (usually 5672)", addr)
		}
	case errors.As(err, &header):
		why = fmt.Sprintf("%s did not answer TLS: is it a plain amqp port? Use the amqps port (usually 5671) in port or mqscope.servers, or remove mqscope.tls", addr)
	case errors.As(err, &unknown):
		why = fmt.Sprintf("TLS: certificate of %s signed by unknown authority — set mqscope.tls.ca_file to the CA that signed it", addr)
	case errors.As(err, &badName):
		why = fmt.Sprintf("TLS: certificate of %s is for %s, not %q — set mqscope.tls.server_name to one of those names",
			addr, certNames(badName.Certificate), badName.Host)
	case errors.As(err, &invalid):
		why = fmt.Sprintf("TLS: certificate of %s cannot be trusted: %s", addr, strings.TrimPrefix(invalid.Error(), "x509: "))
	default:
		if refusal := handshakeRefusal(err); refusal != "" {
			why = fmt.Sprintf("TLS: %s refused the handshake (%s) — check mqscope.tls.cert_file and key_file: the broker may want a client certificate signed by a CA it trusts", addr, refusal)
		}
	}
	if why == "" {
		return nil
	}
	return &DialError{Addr: addr, Reason: why}
}

// handshakeRefusal says how the broker ended a TLS connection before AMQP
// was up, or returns "" when it did not. Most often it did not accept the
// client certificate. Under TLS 1.3 the broker checks that certificate after
// the client's side of the handshake is done, so the refusal arrives as the
// first AMQP bytes are read or written: as an alert, or, when the broker's
// close overtakes the alert, as a reset or end of stream.
func handshakeRefusal(err error) string {
	var operr *net.OpError
	switch {
	case errors.As(err, &operr) && operr.Op == "remote error": // how crypto/tls reports an alert
		return strings.TrimPrefix(operr.Err.Error(), "tls: ")
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it closed the connection"
	}
	return ""
}

// certNames lists the host names and addresses a certificate is valid for.
func certNames(cert *x509.Certificate) string {
	if cert == nil {
		return "no host"
	}
	names := append([]string(nil), cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return "no host name (it has no subject alternative names)"
	}
	return strings.Join(names, ", ")
}
