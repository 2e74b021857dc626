package mtls

import (
	"bytes"
	"crypto"
	"crypto/x509"

	jose "github.com/go-jose/go-jose/v4"
)

// MatchSelfSigned reports whether cert belongs to one of the client's keys
// for self_signed_tls_client_auth (RFC 8705 §2.2): its public key equals a
// key of the set, or a key's x5c leaf certificate is cert itself. The
// certificate's chain, validity and issuer are not looked at: the
// registered key is the trust anchor.
func MatchSelfSigned(jwks jose.JSONWebKeySet, cert *x509.Certificate) bool {
	if cert == nil {
		return false
	}
	for _, k := range jwks.Keys {
		if len(k.Certificates) > 0 && bytes.Equal(k.Certificates[0].Raw, cert.Raw) {
			return true
		}
		if publicKeyEqual(k, cert.PublicKey) {
			return true
		}
	}
	return false
}

// publicKeyEqual compares the public part of k (a set may hold private
// keys by mistake) with pub. Symmetric keys have no public part: their
// Public() holds no key.
func publicKeyEqual(k jose.JSONWebKey, pub crypto.PublicKey) bool {
	key, ok := k.Public().Key.(interface{ Equal(crypto.PublicKey) bool })
	return ok && key.Equal(pub)
}
