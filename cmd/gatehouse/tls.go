package main

import (
	"crypto/tls"
	"fmt"
	"net"

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
	// tls.clientCA is not advertised in the handshake: clients such as Go's
	// then send only certificates issued by a listed CA, which would keep
	// self-signed certificates (self_signed_tls_client_auth) from arriving.
	// The chain is verified against it after the handshake, for the
	// clients that use tls_client_auth.
	return cfg, nil
}

func tlsListener(ln net.Listener, cfg *tls.Config) net.Listener {
	return tls.NewListener(ln, cfg)
}
