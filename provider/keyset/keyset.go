package keyset

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Key uses as written in the JWK "use" member.
const (
	useSig = "sig"
	useEnc = "enc"
)

// secretKeyAlg marks the symmetric key that encrypts recoverable client secrets.
const secretKeyAlg = "A256GCM"

// Set is a validated key set. Signing keys are kept in file order, which is
// newest first: the first key of a kind signs, all of them are published so
// that tokens signed before a rotation still verify.
//
// A Set is immutable once built: the live set of a running server is
// swapped whole (Live), never edited in place.
type Set struct {
	signing []jose.JSONWebKey
	secret  jose.JSONWebKey
	// meta holds the schedule of the signing keys by kid; a key without
	// an entry signs and is published without limit (files written before
	// schedules existed).
	meta map[string]Meta
	// public caches the public halves (for /jwks.json and verification)
	// and their JSON; filled by finish.
	public     []jose.JSONWebKey
	publicJSON []byte
}

// Generate makes a fresh set: an RSA 2048, an EC P-256 and an Ed25519
// signing key and a 256-bit AES key for secret encryption, each with an
// RFC 7638 thumbprint kid.
func Generate() (*Set, error) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate RSA key: %w", err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate EC key: %w", err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate Ed25519 key: %w", err)
	}
	aesKey := make([]byte, 32)
	if _, err := rand.Read(aesKey); err != nil {
		return nil, fmt.Errorf("generate AES key: %w", err)
	}
	rsaJWK, err := withThumbprintKID(jose.JSONWebKey{Key: rsaKey, Use: useSig, Algorithm: string(jose.RS256)})
	if err != nil {
		return nil, err
	}
	ecJWK, err := withThumbprintKID(jose.JSONWebKey{Key: ecKey, Use: useSig, Algorithm: string(jose.ES256)})
	if err != nil {
		return nil, err
	}
	edJWK, err := withThumbprintKID(jose.JSONWebKey{Key: edKey, Use: useSig, Algorithm: string(jose.EdDSA)})
	if err != nil {
		return nil, err
	}
	secret := jose.JSONWebKey{Key: aesKey, Use: useEnc, Algorithm: secretKeyAlg, KeyID: secretKeyID()}
	return (&Set{signing: []jose.JSONWebKey{rsaJWK, ecJWK, edJWK}, secret: secret}).finish()
}

// Rotate returns a set whose new signing keys come first, so they sign as
// soon as they are loaded, followed by the old ones, which stay published
// without limit. The secret-encryption key is kept: stored secrets must
// stay readable. RotateAt is the scheduled form a cluster needs.
func (s *Set) Rotate(fresh *Set) *Set {
	return s.rotate(fresh, time.Now(), s.latestStart(), 0)
}

// Parse reads and validates a JWK set document. The schedule of the keys
// (member "gatehouse_keys", see file format in docs/keys.md) is optional.
func Parse(data []byte) (*Set, error) {
	var raw fileFormat
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("malformed JWK set: %w", err)
	}
	set := &Set{meta: raw.Meta}
	seen := map[string]bool{}
	for i, k := range raw.Keys {
		if k.KeyID == "" {
			return nil, fmt.Errorf("key %d has no kid", i)
		}
		if seen[k.KeyID] {
			return nil, fmt.Errorf("key %d: duplicate kid %q", i, k.KeyID)
		}
		seen[k.KeyID] = true
		if err := set.add(k); err != nil {
			return nil, fmt.Errorf("key %q: %w", k.KeyID, err)
		}
	}
	if err := set.complete(); err != nil {
		return nil, err
	}
	return set.finish()
}

func (s *Set) add(k jose.JSONWebKey) error {
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		if key.N.BitLen() < 2048 {
			return fmt.Errorf("RSA key of %d bits is too short (at least 2048)", key.N.BitLen())
		}
		// A key read from JSON has no precomputed CRT values; without them
		// every signature rebuilds them, 12 % of an RS256 signature's time
		// (docs/performance.md).
		if err := key.Validate(); err != nil {
			return fmt.Errorf("RSA key: %w", err)
		}
		key.Precompute()
		return s.addSigning(k)
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
		return s.addSigning(k)
	case []byte:
		if k.Use != useEnc || len(key) != 32 {
			return errors.New("a symmetric key must be a 256-bit key with use \"enc\"")
		}
		if s.secret.Key != nil {
			return errors.New("only one secret-encryption key may be present")
		}
		s.secret = k
		return nil
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return errors.New("public key without its private part")
	default:
		return fmt.Errorf("unsupported key type %T", key)
	}
}

func (s *Set) addSigning(k jose.JSONWebKey) error {
	if k.Use != "" && k.Use != useSig {
		return fmt.Errorf("asymmetric key with use %q (want %q)", k.Use, useSig)
	}
	if !k.Valid() {
		return errors.New("invalid key parameters")
	}
	s.signing = append(s.signing, k)
	return nil
}

func (s *Set) complete() error {
	if !slices.ContainsFunc(s.signing, func(k jose.JSONWebKey) bool { return keyFits(k, jose.RS256) }) {
		return errors.New("no RSA signing key (RS256 is the default ID token algorithm)")
	}
	if s.secret.Key == nil {
		return errors.New("no 256-bit AES key with use \"enc\" for secret encryption")
	}
	return nil
}

// MarshalJSON writes the whole set, private parts included, in file order,
// with the schedule of the keys beside the "keys" member.
func (s *Set) MarshalJSON() ([]byte, error) {
	keys := append(append([]jose.JSONWebKey{}, s.signing...), s.secret)
	return json.MarshalIndent(fileFormat{Keys: keys, Meta: s.meta}, "", "  ")
}

// Public returns the public halves of every signing key, for /jwks.json.
// The symmetric key is never part of it.
func (s *Set) Public() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), s.public...)}
}

// SigningKey returns the key that signs for a JWS algorithm now: see
// SigningKeyAt.
func (s *Set) SigningKey(alg jose.SignatureAlgorithm) (jose.JSONWebKey, bool) {
	return s.SigningKeyAt(alg, time.Now())
}

// SecretKey returns the AES-256 key that encrypts recoverable client secrets.
func (s *Set) SecretKey() []byte {
	return s.secret.Key.([]byte)
}

// SecretKeyID names the AES key; encrypted secrets record it so that the
// key can be rotated without losing what it encrypted.
func (s *Set) SecretKeyID() string { return s.secret.KeyID }

func keyFits(k jose.JSONWebKey, alg jose.SignatureAlgorithm) bool {
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		switch alg {
		case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
			return true
		}
	case *ecdsa.PrivateKey:
		curve := map[jose.SignatureAlgorithm]elliptic.Curve{
			jose.ES256: elliptic.P256(), jose.ES384: elliptic.P384(), jose.ES512: elliptic.P521(),
		}[alg]
		return curve != nil && key.Curve == curve
	case ed25519.PrivateKey:
		return alg == jose.EdDSA
	}
	return false
}

func withThumbprintKID(k jose.JSONWebKey) (jose.JSONWebKey, error) {
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return k, fmt.Errorf("key thumbprint: %w", err)
	}
	k.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	return k, nil
}

// symmetricKID names a symmetric key without revealing it: RFC 7638 defines
// the thumbprint of an "oct" key over the key itself, which would publish a
// hash of the secret wherever the kid appears, so a random id is used instead.
func secretKeyID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "secret-" + base64.RawURLEncoding.EncodeToString(b)
}
