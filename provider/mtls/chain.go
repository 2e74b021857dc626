package mtls

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// ErrNoRoots reports a chain check without trust anchors: with nil roots
// crypto/x509 would trust the system pool, never meant for client
// certificates.
var ErrNoRoots = errors.New("mtls: no client CA configured")

// VerifyChain checks that cert chains, through intermediates, to one of
// roots at time now, for client authentication (extended key usage
// clientAuth, RFC 5280 §4.2.1.12). It is for the provider's own TLS
// listener, which requests a client certificate without verifying it, so
// that self_signed_tls_client_auth clients can use the same listener.
func VerifyChain(cert *x509.Certificate, intermediates []*x509.Certificate, roots *x509.CertPool, now time.Time) error {
	if cert == nil {
		return ErrNoCertificate
	}
	if roots == nil {
		return ErrNoRoots
	}
	pool := x509.NewCertPool()
	for _, c := range intermediates {
		pool.AddCert(c)
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: pool,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return fmt.Errorf("mtls: client certificate chain: %w", err)
	}
	return nil
}
