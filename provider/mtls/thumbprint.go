package mtls

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
)

// ConfirmationMember is the member of the cnf claim that binds a token to
// a certificate (RFC 8705 §3.1).
const ConfirmationMember = "x5t#S256"

// Thumbprint returns the certificate's x5t#S256 thumbprint: the base64url
// encoding, without padding, of the SHA-256 of its DER (RFC 8705 §3.1).
func Thumbprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Confirmation returns the cnf claim value of a token bound to cert.
func Confirmation(cert *x509.Certificate) map[string]any {
	return map[string]any{ConfirmationMember: Thumbprint(cert)}
}
