package limit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Algorithms the limit server signs with: RS256, Gatehouse's default for
// access tokens, and ES256, a cheaper one to compare against.
const (
	RS256 = "RS256"
	ES256 = "ES256"
)

// Algs lists the algorithms New accepts.
var Algs = []string{RS256, ES256}

// tokenLifetime is what Gatehouse gives an access token by default.
const tokenLifetime = time.Hour

// keyID names the one key in the token header, as Gatehouse names its keys.
const keyID = "limit"

// signer signs access tokens with a key made at start.
type signer struct {
	sig jose.Signer
	pub crypto.PublicKey
}

// newSigner makes a fresh key for alg: a 2048-bit RSA key for RS256 (the
// size Gatehouse generates), a P-256 key for ES256.
func newSigner(alg string) (*signer, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("limit: algorithm %q: want RS256 or ES256", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("limit: %s key: %w", alg, err)
	}
	key := jose.JSONWebKey{Key: priv, KeyID: keyID, Algorithm: alg, Use: "sig"}
	// typ at+jwt as Gatehouse's access tokens carry (RFC 9068 §2.1).
	opts := (&jose.SignerOptions{}).WithType("at+jwt")
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key}, opts)
	if err != nil {
		return nil, fmt.Errorf("limit: %s signer: %w", alg, err)
	}
	return &signer{sig: sig, pub: priv.Public()}, nil
}

// claims are those of a Gatehouse access token for client_credentials:
// the client is its own subject (RFC 9068 §2.2).
type claims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope,omitempty"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
	JTI      string `json:"jti"`
}

// accessToken signs the claims of a token for clientID issued now.
func (s *signer) accessToken(issuer, clientID, scope string, now time.Time) (string, error) {
	jti := make([]byte, 16) // 128 random bits, as Gatehouse's jti
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("limit: jti: %w", err)
	}
	payload, err := json.Marshal(claims{
		Issuer: issuer, Subject: clientID, Audience: issuer, ClientID: clientID, Scope: scope,
		IssuedAt: now.Unix(), Expires: now.Add(tokenLifetime).Unix(),
		JTI: base64.RawURLEncoding.EncodeToString(jti),
	})
	if err != nil {
		return "", fmt.Errorf("limit: claims: %w", err)
	}
	jws, err := s.sig.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("limit: sign: %w", err)
	}
	return jws.CompactSerialize()
}
