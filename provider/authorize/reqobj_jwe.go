package authorize

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"slices"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// secretKeyAlgs are the key management algorithms whose key is derived
// from the client secret (OpenID Connect Core §10.2). Encryption to a key
// of this server (RSA-OAEP, ECDH-ES, ...) needs an encryption key in our
// key set, which it does not have yet.
var secretKeyAlgs = []string{"dir", "A128KW", "A192KW", "A256KW"}

var asymmetricKeyAlgs = []string{"RSA-OAEP-256", "RSA-OAEP", "RSA1_5",
	"ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"}

// contentKeyBits is the key length of each content encryption method
// (RFC 7518 §5.1): what "dir" derives.
var contentKeyBits = map[string]int{
	"A128CBC-HS256": 256, "A192CBC-HS384": 384, "A256CBC-HS512": 512,
	"A128GCM": 128, "A192GCM": 192, "A256GCM": 256,
}

// wrapKeyBits is the key length of each AES key wrap algorithm.
var wrapKeyBits = map[string]int{"A128KW": 128, "A192KW": 192, "A256KW": 256}

// ClientSecretKey derives a symmetric key of the given length from a
// client secret, per OpenID Connect Core §10.2: the left-most bits of the
// SHA-256 hash of the secret's octets for keys of up to 256 bits, of
// SHA-384 up to 384 bits, of SHA-512 beyond.
func ClientSecretKey(secret string, bits int) []byte {
	var sum []byte
	switch {
	case bits <= 256:
		h := sha256.Sum256([]byte(secret))
		sum = h[:]
	case bits <= 384:
		h := sha512.Sum384([]byte(secret))
		sum = h[:]
	default:
		h := sha512.Sum512([]byte(secret))
		sum = h[:]
	}
	return sum[:min(bits/8, len(sum))]
}

// decrypt opens a request object encrypted to this server (OpenID Connect
// Core §6.1: signed, then encrypted) and returns the JWS inside.
func (p *parser) decrypt(ctx context.Context, jwe string, c oauth.Client, info *ObjectInfo) (string, *oauth.Error) {
	src := info.Source
	h, err := compactHeader(jwe)
	if err != nil {
		return "", invalid(oauth.ErrInvalidRequestObject, src, "the request object's JOSE header cannot be read")
	}
	switch {
	case slices.Contains(asymmetricKeyAlgs, h.Alg):
		return "", invalid(oauth.ErrInvalidRequestObject, src,
			"encrypted with %s to a public key of this server, but this server publishes no encryption key yet; "+
				"encrypt with dir or A128KW, A192KW or A256KW under a key derived from the client secret "+
				"(OpenID Connect Core 10.2), or send the request object signed only", quote(h.Alg))
	case !slices.Contains(secretKeyAlgs, h.Alg):
		return "", invalid(oauth.ErrInvalidRequestObject, src, "key management algorithm %s is not supported", quote(h.Alg))
	}
	bits, ok := contentKeyBits[h.Enc]
	if !ok {
		return "", invalid(oauth.ErrInvalidRequestObject, src, "content encryption %s is not supported", quote(h.Enc))
	}
	if h.Alg != "dir" {
		bits = wrapKeyBits[h.Alg]
	}
	obj, err := jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.KeyAlgorithm(h.Alg)},
		[]jose.ContentEncryption{jose.ContentEncryption(h.Enc)})
	if err != nil {
		return "", invalid(oauth.ErrInvalidRequestObject, src, "the request object is not a valid JWE").WithCause(err)
	}
	secrets, e := p.clientSecrets(ctx, c, src, "encrypted with "+h.Alg)
	if e != nil {
		return "", e
	}
	for _, s := range secrets {
		if plain, err := obj.Decrypt(ClientSecretKey(s, bits)); err == nil {
			info.EncAlg, info.Enc = h.Alg, h.Enc
			return string(plain), nil
		}
	}
	return "", invalid(oauth.ErrInvalidRequestObject, src, "the request object could not be decrypted with a key derived from the client secret")
}
