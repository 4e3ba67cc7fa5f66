package connector

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// tlsClientConfig builds the TLS settings from the config's mqscope.tls
// section, or returns nil for a plain amqp:// connection.
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
			return nil, fmt.Errorf("tls ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca_file %s: no PEM certificates in it", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls cert_file/key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
