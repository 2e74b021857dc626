package tokens

import (
	"crypto"
	_ "crypto/sha256" // the hashes of at_hash and c_hash
	_ "crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The JWS algorithms this package signs with.
var (
	asymmetricAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	hmacAlgs       = []string{"HS256", "HS384", "HS512"}
)

// algHash is the hash behind each JWS algorithm, which at_hash and c_hash
// use too (OpenID Connect Core §3.1.3.6).
var algHash = map[string]crypto.Hash{
	"RS256": crypto.SHA256, "PS256": crypto.SHA256, "ES256": crypto.SHA256, "HS256": crypto.SHA256,
	"RS384": crypto.SHA384, "PS384": crypto.SHA384, "ES384": crypto.SHA384, "HS384": crypto.SHA384,
	"RS512": crypto.SHA512, "PS512": crypto.SHA512, "ES512": crypto.SHA512, "HS512": crypto.SHA512,
	// Ed25519 hashes with SHA-512 (RFC 8032 §5.1), which at_hash and
	// c_hash then use, as the OpenID Foundation's errata for EdDSA say.
	"EdDSA": crypto.SHA512,
}

func isHMAC(alg string) bool { return strings.HasPrefix(alg, "HS") }

// errUnsigned: OpenID Connect Core §2 would allow an unsigned ID token from
// the token endpoint to a client that registered "none"; this server never
// issues one, as it proves nothing, and registration does not offer it.
var errUnsigned = errors.New(`tokens: unsigned tokens (alg "none") are never issued`)

// sign makes a JWS over payload with alg and returns it compact.
func (m *Minter) sign(c oauth.Client, alg, typ string, payload []byte) (string, error) {
	key, err := m.signingKey(c, alg)
	if err != nil {
		return "", err
	}
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key}, opts)
	if err != nil {
		return "", fmt.Errorf("tokens: %s signer: %w", alg, err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("tokens: sign with %s: %w", alg, err)
	}
	return jws.CompactSerialize()
}

// signingKey returns the key for alg: the client's current secret for HS*
// (OpenID Connect Core §10.1), else our current key for alg as a JWK, so
// that the header names it (kid).
func (m *Minter) signingKey(c oauth.Client, alg string) (any, error) {
	if err := checkSigningAlg(alg); err != nil {
		return nil, err
	}
	if isHMAC(alg) {
		h := algHash[alg]
		secret, err := m.clientSecret(c, "signing with "+alg)
		if err != nil {
			return nil, err
		}
		// RFC 7518 §3.2: the key must be at least as long as the hash.
		if len(secret) < h.Size() {
			return nil, fmt.Errorf("tokens: client %q's secret has %d bytes, too short for %s (at least %d)",
				c.ID, len(secret), alg, h.Size())
		}
		return []byte(secret), nil
	}
	k, ok := m.keys.Current().SigningKeyAt(jose.SignatureAlgorithm(alg), m.now())
	if !ok {
		return nil, fmt.Errorf("tokens: the key set has no key for %s (%s)", alg, keyNeeded(alg))
	}
	return k, nil
}

// checkSigningAlg accepts the algorithms this package signs with.
func checkSigningAlg(alg string) error {
	if alg == "none" {
		return errUnsigned
	}
	if _, ok := algHash[alg]; !ok {
		return fmt.Errorf("tokens: JWS algorithm %q is not supported", alg)
	}
	return nil
}

func keyNeeded(alg string) string {
	switch alg {
	case "ES256":
		return "an EC P-256 key"
	case "ES384":
		return "an EC P-384 key"
	case "ES512":
		return "an EC P-521 key"
	case "EdDSA":
		return "an Ed25519 key; gatehouse keys generate --rotate adds one"
	}
	return "an RSA key"
}

// halfHash is at_hash and c_hash: the base64url encoding of the left half
// of the hash of value's octets, with the hash of the JWS algorithm alg
// (OpenID Connect Core §3.1.3.6 and §3.3.2.11).
func halfHash(alg, value string) (string, error) {
	h, ok := algHash[alg]
	if !ok {
		return "", fmt.Errorf("tokens: no hash for JWS algorithm %q", alg)
	}
	d := h.New()
	d.Write([]byte(value))
	sum := d.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), nil
}
