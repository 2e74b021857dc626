package secrets

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Need says what kind of secret a client's metadata calls for.
type Need int

const (
	// NoSecret: the client authenticates without a shared secret (none,
	// private_key_jwt, tls_client_auth, self_signed_tls_client_auth) and
	// uses no symmetric algorithm.
	NoSecret Need = iota
	// Hashed: the secret is only ever compared (client_secret_basic,
	// client_secret_post), so a one-way hash is kept.
	Hashed
	// Recoverable: the server itself needs the secret as a key — to check
	// client_secret_jwt assertions (RFC 7523 §2.2 with RFC 7518 §3.2), to
	// sign or check HS256/384/512 objects, or to derive a "dir" encryption
	// key (OpenID Connect Core §10.2) — so it is kept encrypted.
	Recoverable
)

func (n Need) String() string {
	switch n {
	case NoSecret:
		return "none"
	case Hashed:
		return "hashed"
	case Recoverable:
		return "recoverable"
	}
	return "invalid"
}

// Auth methods of RFC 7591 §2 and RFC 8705 §2 that use a client secret.
const (
	methodBasic = "client_secret_basic"
	methodPost  = "client_secret_post"
	methodJWT   = "client_secret_jwt"
)

// NeedOf tells what secret a client with metadata m needs. An absent
// token_endpoint_auth_method means client_secret_basic (RFC 7591 §2).
func NeedOf(m oauth.Metadata) Need {
	if m.TokenEndpointAuthMethod == methodJWT || minKeyLen(m) > 0 || usesDir(m) {
		return Recoverable
	}
	switch m.TokenEndpointAuthMethod {
	case "", methodBasic, methodPost:
		return Hashed
	}
	return NoSecret
}

// MinSecretLen is the shortest secret, in bytes, that works as the HMAC key
// of every HS algorithm m registers: RFC 7518 §3.2 wants a key at least as
// long as the hash. Zero when m names no HS algorithm and does not use
// client_secret_jwt.
func MinSecretLen(m oauth.Metadata) int {
	n := minKeyLen(m)
	if n == 0 && m.TokenEndpointAuthMethod == methodJWT {
		n = 32 // the client may pick any HS algorithm; HS256 at least
	}
	return n
}

// minKeyLen is the key length the strongest registered HS algorithm needs.
func minKeyLen(m oauth.Metadata) int {
	n := 0
	for _, alg := range signingAlgs(m) {
		switch alg {
		case "HS256":
			n = max(n, 32)
		case "HS384":
			n = max(n, 48)
		case "HS512":
			n = max(n, 64)
		}
	}
	return n
}

// signingAlgs are the JWS algorithms a client registers, in every member
// that takes one.
func signingAlgs(m oauth.Metadata) []string {
	return []string{
		m.TokenEndpointAuthSigningAlg,
		m.IDTokenSignedResponseAlg,
		m.UserinfoSignedResponseAlg,
		m.RequestObjectSigningAlg,
		m.AuthorizationSignedResponseAlg,
	}
}

// usesDir reports "dir" in any JWE algorithm member: direct encryption with
// a key derived from the client secret.
func usesDir(m oauth.Metadata) bool {
	for _, alg := range []string{
		m.IDTokenEncryptedResponseAlg,
		m.UserinfoEncryptedResponseAlg,
		m.RequestObjectEncryptionAlg,
		m.AuthorizationEncryptedResponseAlg,
	} {
		if alg == "dir" {
			return true
		}
	}
	return false
}

// ErrNoSecretNeeded is returned by EncodeFor for a client that uses no
// secret.
var ErrNoSecretNeeded = errors.New("the client uses no secret")

// EncodeFor returns the stored form of plain for a client with metadata m:
// encrypted when the secret must be recoverable, an Argon2id hash otherwise.
func (c *Codec) EncodeFor(m oauth.Metadata, plain string) (string, error) {
	switch NeedOf(m) {
	case Recoverable:
		return c.Encrypt(plain)
	case Hashed:
		return c.Hash(plain)
	}
	return "", ErrNoSecretNeeded
}

// EncodeForContext is EncodeFor with a hash traced under ctx's span (see
// HashContext).
func (c *Codec) EncodeForContext(ctx context.Context, m oauth.Metadata, plain string) (string, error) {
	if NeedOf(m) == Hashed {
		return c.HashContext(ctx, plain)
	}
	return c.EncodeFor(m, plain)
}

// GenerateFor returns a new secret for a client with metadata m: at least
// 256 random bits, and long enough to be the key of every HS algorithm the
// client registers.
func GenerateFor(m oauth.Metadata) (string, error) {
	chars := max(43, MinSecretLen(m))
	b := make([]byte, (chars*6+7)/8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CurrentSecretValid reports whether c's current secret may be used at now:
// it is set and has not expired (a zero SecretExpiresAt never expires,
// RFC 7591 §3.2.1).
func CurrentSecretValid(c oauth.Client, now time.Time) bool {
	return c.Secret != "" && (c.SecretExpiresAt.IsZero() || now.Before(c.SecretExpiresAt))
}

// PreviousSecretValid reports whether the secret replaced by c's last
// rotation is still accepted at now. It expires by time alone: nothing has
// to clean it up.
func PreviousSecretValid(c oauth.Client, now time.Time) bool {
	return c.PreviousSecret != "" && now.Before(c.PreviousSecretExpiresAt)
}

// CheckClient reports whether presented is a secret of client c at now: its
// current secret unless that has expired, or the previous one while the
// rollover window lasts. The checks go through the Verifier's cache, keyed
// by c.Version, so a changed entry never meets an old result. An error means
// that no candidate matched and at least one could not be checked (a
// malformed stored value, or ErrBusy); a match wins over an error.
func (v *Verifier) CheckClient(ctx context.Context, c oauth.Client, presented string, now time.Time) (bool, error) {
	var errs []error
	for _, stored := range candidates(c, now) {
		ok, err := v.Verify(ctx, c.ID, c.Version, stored, presented)
		if ok {
			return true, nil
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return false, errors.Join(errs...)
}

// RecoverableSecrets returns the plain secrets that are valid for c at now,
// current first: the keys to try for an HS256/384/512 object the client
// signed (an id_token_hint made before a rotation, for instance). Hashed
// values are skipped, as they cannot be keys; an error means a stored value
// that should be recoverable is not.
func (c *Codec) RecoverableSecrets(cl oauth.Client, now time.Time) ([]string, error) {
	var out []string
	for _, stored := range candidates(cl, now) {
		if Kind(stored).hashed() {
			continue
		}
		plain, err := c.Reveal(stored)
		if err != nil {
			return nil, err
		}
		out = append(out, plain)
	}
	return out, nil
}

// candidates lists the stored secrets of c accepted at now.
func candidates(c oauth.Client, now time.Time) []string {
	var out []string
	if CurrentSecretValid(c, now) {
		out = append(out, c.Secret)
	}
	if PreviousSecretValid(c, now) && c.PreviousSecret != c.Secret {
		out = append(out, c.PreviousSecret)
	}
	return out
}

// Reencode returns stored rewritten for a client with metadata m when it
// needs it — a legacy plain value, a value under a retired AES key, or an
// encrypted value of a client that no longer needs it recoverable — and
// stored itself otherwise. A hash stays as it is: it cannot be rewritten
// without the secret.
func (c *Codec) Reencode(m oauth.Metadata, stored string) (string, error) {
	need := NeedOf(m)
	switch f := Kind(stored); {
	case stored == "" || need == NoSecret:
		return stored, nil
	case f.hashed():
		return stored, nil
	case f == AESGCM && need == Recoverable && !c.NeedsReencode(stored):
		return stored, nil
	}
	plain, err := c.Reveal(stored)
	if err != nil {
		return "", err
	}
	return c.EncodeFor(m, plain)
}

// IsHashLike reports a value that carries the prefix of a hash scheme,
// known or not: as a preferred secret it is meant as a hash, never as
// a plain secret that happens to start with "$".
func IsHashLike(s string) bool {
	f := Kind(s)
	return f.hashed() || f == AESGCM || f == Unknown && strings.TrimSpace(s) != ""
}
