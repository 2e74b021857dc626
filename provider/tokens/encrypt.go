package tokens

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/netguard"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The JWE algorithms this package encrypts with: to a public key of the
// client, or under a key derived from its secret (OpenID Connect Core §10.2).
var (
	publicKeyAlgs = []string{"RSA-OAEP-256", "RSA-OAEP", "RSA1_5",
		"ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"}
	secretKeyAlgs = []string{"dir", "A128KW", "A192KW", "A256KW"}
	contentEncs   = []string{"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"}
)

// defaultEnc is the content encryption implied when a client registered
// only the key management algorithm (OpenID Connect Registration §2).
const defaultEnc = "A128CBC-HS256"

// minRSAEncryptionBits: a client key shorter than this is not encrypted to.
const minRSAEncryptionBits = 2048

// contentKeyBits is the key length of each content encryption (RFC 7518
// §5.1), which a "dir" key derived from the secret must have; wrapKeyBits
// that of each AES key wrap.
var (
	contentKeyBits = map[string]int{
		"A128CBC-HS256": 256, "A192CBC-HS384": 384, "A256CBC-HS512": 512,
		"A128GCM": 128, "A192GCM": 192, "A256GCM": 256,
	}
	wrapKeyBits = map[string]int{"A128KW": 128, "A192KW": 192, "A256KW": 256}
)

// EncryptionAlgs returns the JWE key management algorithms Secure and
// IDToken encrypt with, for discovery.
func EncryptionAlgs() []string { return slices.Concat(publicKeyAlgs, secretKeyAlgs) }

// EncryptionEncs returns the JWE content encryption methods they use.
func EncryptionEncs() []string { return slices.Clone(contentEncs) }

// encrypt makes a JWE of payload for the client. A nested JWT carries
// cty "JWT" (RFC 7519 §5.2); otherwise typ, when given, goes in the header.
func (m *Minter) encrypt(ctx context.Context, c oauth.Client, alg, enc, typ string, nested bool, payload []byte) (string, error) {
	if enc == "" {
		enc = defaultEnc
	}
	if !slices.Contains(contentEncs, enc) {
		return "", fmt.Errorf("tokens: content encryption %q is not supported", enc)
	}
	rcpt, err := m.recipient(ctx, c, alg, enc)
	if err != nil {
		return "", err
	}
	opts := &jose.EncrypterOptions{}
	switch {
	case nested:
		opts.WithContentType("JWT")
	case typ != "":
		opts.WithType(jose.ContentType(typ))
	}
	encrypter, err := jose.NewEncrypter(jose.ContentEncryption(enc), rcpt, opts)
	if err != nil {
		return "", fmt.Errorf("tokens: %s/%s encrypter: %w", alg, enc, err)
	}
	obj, err := encrypter.Encrypt(payload)
	if err != nil {
		return "", fmt.Errorf("tokens: encrypt with %s/%s: %w", alg, enc, err)
	}
	return obj.CompactSerialize()
}

// recipient returns the key to encrypt to for alg.
func (m *Minter) recipient(ctx context.Context, c oauth.Client, alg, enc string) (jose.Recipient, error) {
	switch {
	case slices.Contains(secretKeyAlgs, alg):
		secret, err := m.clientSecret(c, "encrypting with "+alg)
		if err != nil {
			return jose.Recipient{}, err
		}
		return jose.Recipient{Algorithm: jose.KeyAlgorithm(alg), Key: secretDerivedKey(secret, alg, enc)}, nil
	case slices.Contains(publicKeyAlgs, alg):
		k, err := m.clientEncryptionKey(ctx, c, alg)
		if err != nil {
			return jose.Recipient{}, err
		}
		// A JWK recipient puts its kid in the header, which OpenID Connect
		// Core §10.2 asks for when the client's set has several keys.
		return jose.Recipient{Algorithm: jose.KeyAlgorithm(alg), Key: k}, nil
	}
	return jose.Recipient{}, fmt.Errorf("tokens: JWE algorithm %q is not supported", alg)
}

// secretDerivedKey is the key of dir (as long as the content key) or of
// AES key wrap, derived from the client secret (OpenID Connect Core §10.2).
func secretDerivedKey(secret, alg, enc string) []byte {
	bits := contentKeyBits[enc]
	if alg != "dir" {
		bits = wrapKeyBits[alg]
	}
	return authorize.ClientSecretKey(secret, bits)
}

// clientEncryptionKey finds the client's public key for alg, in its jwks
// or behind its jwks_uri. A set fetched from jwks_uri that has no fitting
// key is fetched once more: the client may have just added one.
func (m *Minter) clientEncryptionKey(ctx context.Context, c oauth.Client, alg string) (jose.JSONWebKey, error) {
	meta := c.Metadata
	switch {
	case len(meta.JWKS) > 0:
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(meta.JWKS, &set); err != nil {
			return jose.JSONWebKey{}, fmt.Errorf("tokens: client %q's jwks cannot be read: %w", c.ID, err)
		}
		if k, ok := pickEncryptionKey(set, alg); ok {
			return k, nil
		}
	case meta.JWKSURI != "" && m.fetcher == nil:
		return jose.JSONWebKey{}, fmt.Errorf("tokens: client %q registered a jwks_uri, and this server fetches none", c.ID)
	case meta.JWKSURI != "":
		for _, refresh := range []bool{false, true} {
			set, err := m.fetcher.KeySet(netguard.Guard(ctx, meta.OpenlyRegistered()), meta.JWKSURI, refresh)
			if err != nil {
				return jose.JSONWebKey{}, fmt.Errorf("tokens: client %q's jwks_uri: %w", c.ID, err)
			}
			if k, ok := pickEncryptionKey(set, alg); ok {
				return k, nil
			}
		}
	default:
		return jose.JSONWebKey{}, fmt.Errorf("tokens: %s encrypts to the client's key, and client %q registered no jwks or jwks_uri", alg, c.ID)
	}
	return jose.JSONWebKey{}, fmt.Errorf("tokens: client %q publishes no key for %s (use \"enc\" or none, alg %s or none%s)",
		c.ID, alg, alg, rsaNote(alg))
}

func rsaNote(alg string) string {
	if isRSAEncryption(alg) {
		return fmt.Sprintf(", RSA of at least %d bits", minRSAEncryptionBits)
	}
	return ", EC"
}

func isRSAEncryption(alg string) bool {
	return alg == "RSA-OAEP-256" || alg == "RSA-OAEP" || alg == "RSA1_5"
}

// pickEncryptionKey chooses the key to encrypt to with alg, always the same
// one for the same set: a key whose alg is alg beats one without alg, a key
// with use "enc" beats one without use, and then the first in the set wins.
// Only the public half is returned, whatever the client published.
func pickEncryptionKey(set jose.JSONWebKeySet, alg string) (jose.JSONWebKey, bool) {
	var best jose.JSONWebKey
	bestRank := -1
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "enc" || k.Algorithm != "" && k.Algorithm != alg {
			continue
		}
		pub := k.Public()
		if !fitsEncryption(pub.Key, alg) {
			continue
		}
		rank := 0
		if k.Algorithm == alg {
			rank += 2
		}
		if k.Use == "enc" {
			rank++
		}
		if rank > bestRank {
			best, bestRank = pub, rank
		}
	}
	return best, bestRank >= 0
}

func fitsEncryption(key any, alg string) bool {
	switch key := key.(type) {
	case *rsa.PublicKey:
		return isRSAEncryption(alg) && key.N.BitLen() >= minRSAEncryptionBits
	case *ecdsa.PublicKey:
		return !isRSAEncryption(alg)
	}
	return false
}
