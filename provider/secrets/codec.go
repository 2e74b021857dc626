package secrets

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/alexedwards/argon2id"
)

// maxSecretLen bounds the plain secrets this package hashes or encrypts and
// the presented secrets it checks. Generated secrets have 43 characters;
// HS512 keys want 64 bytes or more.
const maxSecretLen = 4096

// ErrSecretLength is returned by Hash and Encrypt for an empty secret or one
// longer than 4096 bytes.
var ErrSecretLength = errors.New("client secret must be 1 to 4096 bytes long")

// Params are the Argon2id cost parameters for new hashes. They convert
// directly from conf.Argon2id: secrets.Params(cfg.OP.Secrets.Argon2id).
type Params struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

// Key is an AES-256 key and the id that stored values name it by.
type Key struct {
	ID     string
	Secret []byte
}

// Codec writes, checks and reveals stored client secrets. It is immutable
// after New and safe for concurrent use.
type Codec struct {
	params  *argon2id.Params
	current string // kid that Encrypt uses
	aeads   map[string]cipher.AEAD
	release *idleRelease
}

// New returns a codec that hashes with p and encrypts under aesKey, named
// aesKID in the values it writes. Keys given as retired still decrypt the
// values written under them, which NeedsReencode then reports, so the AES key
// can be rotated without losing a secret.
func New(p Params, aesKey []byte, aesKID string, retired ...Key) (*Codec, error) {
	if err := checkArgon2Cost(p.MemoryKiB, p.Iterations, uint32(p.Parallelism)); err != nil {
		return nil, fmt.Errorf("argon2id parameters: %w", err)
	}
	c := &Codec{
		release: newIdleRelease(),
		params: &argon2id.Params{
			Memory:      p.MemoryKiB,
			Iterations:  p.Iterations,
			Parallelism: p.Parallelism,
			SaltLength:  newSaltLen,
			KeyLength:   newTagLen,
		},
		current: aesKID,
		aeads:   make(map[string]cipher.AEAD, 1+len(retired)),
	}
	for _, k := range append([]Key{{ID: aesKID, Secret: aesKey}}, retired...) {
		if !validKID(k.ID) {
			return nil, fmt.Errorf("AES key id %q: want 1 to %d characters from [A-Za-z0-9._-]", k.ID, maxKIDLen)
		}
		if _, dup := c.aeads[k.ID]; dup {
			return nil, fmt.Errorf("AES key id %q given twice", k.ID)
		}
		aead, err := newAEAD(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("AES key %q: %w", k.ID, err)
		}
		c.aeads[k.ID] = aead
	}
	return c, nil
}

// Hash returns a new Argon2id PHC string for plain, with a fresh salt.
func (c *Codec) Hash(plain string) (string, error) {
	if len(plain) == 0 || len(plain) > maxSecretLen {
		return "", ErrSecretLength
	}
	stored, err := argon2id.CreateHash(plain, c.params)
	c.reclaim(c.params.Memory)
	return stored, err
}

// HashContext is Hash traced as a span secret.hash under ctx's span,
// with the algorithm and memory cost: a new hash costs as much as a
// check.
func (c *Codec) HashContext(ctx context.Context, plain string) (stored string, err error) {
	ctx, span := startSpan(ctx, "secret.hash", Argon2id)
	defer func() { endSpan(span, err) }()
	note(ctx, attrMemoryKiB.Int64(int64(c.params.Memory)))
	return c.Hash(plain)
}

// Encrypt returns plain encrypted under the current AES key, with a fresh
// nonce: encrypting the same secret twice gives different values.
func (c *Codec) Encrypt(plain string) (string, error) {
	if len(plain) == 0 || len(plain) > maxSecretLen {
		return "", ErrSecretLength
	}
	return seal(c.aeads[c.current], c.current, plain), nil
}

// Reveal returns the plain secret of an encrypted or legacy plain value. A
// hash gives ErrNotRecoverable.
func (c *Codec) Reveal(stored string) (string, error) {
	switch f := Kind(stored); f {
	case Plain:
		return stored, nil
	case AESGCM:
		return c.decrypt(stored)
	case Unknown:
		return "", ErrUnsupported
	default:
		return "", fmt.Errorf("%w (%s)", ErrNotRecoverable, f)
	}
}

func (c *Codec) decrypt(stored string) (string, error) {
	v, err := parseAES(stored)
	if err != nil {
		return "", err
	}
	aead, ok := c.aeads[v.kid]
	if !ok {
		return "", fmt.Errorf("%w: kid %q", ErrUnknownKey, v.kid)
	}
	return v.open(aead)
}

// Verify reports whether presented is the secret behind stored, whatever
// codec made stored. A wrong or empty secret gives false and no error; an
// error means the stored value itself is unusable (ErrMalformed,
// ErrUnsupported, ErrUnknownKey). Comparisons take constant time.
func (c *Codec) Verify(stored, presented string) (bool, error) {
	m, err := c.matcher(stored)
	if err != nil {
		return false, err
	}
	if !presentable(presented) {
		return false, nil
	}
	ok := m.matches(presented)
	c.reclaim(memoryKiB(m))
	return ok, nil
}

// NeedsReencode reports a stored value that the next update should rewrite:
// a legacy plain secret, or one encrypted under a retired key. Hashes are
// kept as they are: rewriting them would need the secret.
func (c *Codec) NeedsReencode(stored string) bool {
	switch Kind(stored) {
	case Plain:
		return true
	case AESGCM:
		v, err := parseAES(stored)
		if err != nil {
			return false
		}
		_, known := c.aeads[v.kid]
		return known && v.kid != c.current
	}
	return false
}

// Generate returns a new client secret: 256 random bits in unpadded
// base64url (43 characters), enough for HS256 (RFC 7518 §3.2).
func Generate() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// matcher checks a presented secret against one parsed stored value.
type matcher interface {
	matches(presented string) bool
}

// matcher parses stored fully, so a malformed value is found before any
// expensive work and whatever the presented secret.
func (c *Codec) matcher(stored string) (matcher, error) {
	switch Kind(stored) {
	case Argon2id, Argon2i:
		h, err := parseArgon2(stored)
		if err != nil {
			return nil, err
		}
		return h, nil
	case BCrypt:
		if err := checkBCrypt(stored); err != nil {
			return nil, err
		}
		return bcryptHash(stored), nil
	case AESGCM:
		plain, err := c.decrypt(stored)
		if err != nil {
			return nil, err
		}
		return plainSecret(plain), nil
	case Plain:
		return plainSecret(stored), nil
	}
	return nil, ErrUnsupported
}

func presentable(presented string) bool {
	return len(presented) > 0 && len(presented) <= maxSecretLen
}

// plainSecret compares digests so that the time taken does not depend on
// where the secrets differ, nor on their lengths.
type plainSecret string

func (s plainSecret) matches(presented string) bool {
	want := sha256.Sum256([]byte(s))
	got := sha256.Sum256([]byte(presented))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}
