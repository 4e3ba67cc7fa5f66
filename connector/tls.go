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

// TLSConfig are the TLS settings of a client (see WithTLS). Neon's config
// format has no TLS keys, so a program reads them from wherever it keeps its
// own settings.
type TLSConfig struct {
	CAFile, CertFile, KeyFile string // PEM files; empty for the system roots / no client certificate
	ServerName                string // overrides the host name checked in the certificate
	Insecure                  bool   // skip certificate verification
}

// clientConfig builds the TLS settings, or returns nil for a plain amqp://
// connection (t is nil). host is the name checked in the server's
// certificate unless ServerName overrides it.
func (t *TLSConfig) clientConfig(host string) (*tls.Config, error) {
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
			return nil, fmt.Errorf("TLS CA file: cannot read it: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA file %s holds no PEM certificate: give the CA certificate in PEM form", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate/key (%s, %s): %w", t.CertFile, t.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// explainTLSError explains a dial failure that comes from TLS, or from
// speaking TLS to a plain port or plain AMQP to a TLS port. It returns nil
// for any other failure. tlsOn says whether the dial used TLS; key names
// the TLS settings the way the person configures them (see WithSettingsKey).
func explainTLSError(err error, addr string, tlsOn bool, key settingsKey) *DialError {
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
			why = fmt.Sprintf("%s did not answer plain AMQP: is it an amqps (TLS) port? Configure TLS (%s), or use the plain port (usually 5672)", addr, key.tls(""))
		}
	case errors.As(err, &header):
		why = fmt.Sprintf("%s did not answer TLS: is it a plain amqp port? Use the amqps port (usually 5671) in the port or server list, or remove %s", addr, key.tls(""))
	case errors.As(err, &unknown):
		why = fmt.Sprintf("TLS: certificate of %s signed by unknown authority — set %s to the CA that signed it", addr, key.tls("ca_file"))
	case errors.As(err, &badName):
		why = fmt.Sprintf("TLS: certificate of %s is for %s, not %q — set %s to one of those names",
			addr, certNames(badName.Certificate), badName.Host, key.tls("server_name"))
	case errors.As(err, &invalid):
		why = fmt.Sprintf("TLS: certificate of %s cannot be trusted: %s", addr, strings.TrimPrefix(invalid.Error(), "x509: "))
	default:
		if refusal := handshakeRefusal(err); refusal != "" {
			why = fmt.Sprintf("TLS: %s refused the handshake (%s) — check %s and %s: the broker may want a client certificate signed by a CA it trusts", addr, refusal, key.tls("cert_file"), key.tls("key_file"))
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

// settingsKey is where a program's users set the TLS options, for errors:
// "mqscope.tls" makes them say "set mqscope.tls.ca_file"; empty, they name
// the TLSConfig fields.
type settingsKey string

// tls names the TLS setting field ("ca_file", …), or the TLS settings as a
// whole for "".
func (k settingsKey) tls(field string) string {
	if k != "" {
		if field == "" {
			return string(k)
		}
		return string(k) + "." + field
	}
	goName := map[string]string{"": "TLSConfig", "ca_file": "TLSConfig.CAFile", "server_name": "TLSConfig.ServerName",
		"cert_file": "TLSConfig.CertFile", "key_file": "TLSConfig.KeyFile"}
	return goName[field]
}
