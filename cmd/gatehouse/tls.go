package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"

	"github.com/gatehouse-idp/gatehouse/conf"
)

// serverTLS builds the native TLS configuration. Client certificates are
// requested but not verified during the handshake: which check applies —
// a chain to tls.clientCA, or a key registered by a self-signed client — is
// the client authentication's decision, per client.
func serverTLS(c conf.TLS) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, fmt.Errorf("tls.cert/tls.key: %w", err)
	}
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
	}
	switch c.ClientAuth {
	case "request":
		cfg.ClientAuth = tls.RequestClientCert
	case "require":
		cfg.ClientAuth = tls.RequireAnyClientCert
	}
	if c.ClientCA != "" {
		pem, err := os.ReadFile(c.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("tls.clientCA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.clientCA: %s holds no PEM certificate", c.ClientCA)
		}
		// Advertised to clients as acceptable issuers; verification happens later.
		cfg.ClientCAs = pool
	}
	return cfg, nil
}

func tlsListener(ln net.Listener, cfg *tls.Config) net.Listener {
	return tls.NewListener(ln, cfg)
}
