package keyset

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Blobs keeps one sealed key set where every instance can read it (the
// directory: ldapstore.KeySet). Values are opaque text.
type Blobs interface {
	// ReadKeySet returns the stored value; storage.ErrNotFound when there
	// is none, storage.ErrUnavailable when the store does not answer.
	ReadKeySet(ctx context.Context) (string, error)
	// WriteKeySet replaces old by next in one atomic step; old "" creates
	// the value. storage.ErrConflict means the stored value was not old:
	// someone else wrote in between.
	WriteKeySet(ctx context.Context, old, next string) error
}

// KEKSize is the length of the key-encryption key in bytes (AES-256).
const KEKSize = 32

// ParseKEK reads a key-encryption key: 32 bytes in standard base64 (what
// `gatehouse keys kek` and `openssl rand -base64 32` print).
func ParseKEK(s string) ([]byte, error) {
	kek, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("the key-encryption key is not base64")
	}
	if len(kek) != KEKSize {
		return nil, fmt.Errorf("the key-encryption key has %d bytes, want %d", len(kek), KEKSize)
	}
	return kek, nil
}

// NewKEK makes a random key-encryption key, base64.
func NewKEK() string {
	kek := make([]byte, KEKSize)
	_, _ = rand.Read(kek) // never fails (crypto/rand since Go 1.24)
	return base64.StdEncoding.EncodeToString(kek)
}

// sealPrefix names the format of a sealed set, so that a later format (or
// a new KEK) can be told apart.
const sealPrefix = "gatehouse-keys-v1."

// sealAAD binds the ciphertext to its purpose: a value sealed under the
// same KEK for something else does not open as a key set.
var sealAAD = []byte("gatehouse key set v1")

// Seal encrypts the whole JWK set document with AES-256-GCM under kek.
func Seal(kek []byte, set *Set) (string, error) {
	plain, err := set.MarshalJSON()
	if err != nil {
		return "", err
	}
	aead, err := newAEAD(kek)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, plain, sealAAD)
	return sealPrefix + base64.StdEncoding.EncodeToString(sealed), nil
}

// Open decrypts and parses a value written by Seal.
func Open(kek []byte, value string) (*Set, error) {
	b64, ok := strings.CutPrefix(value, sealPrefix)
	if !ok {
		return nil, errors.New("the stored key set is not in a known format")
	}
	sealed, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("the stored key set is not base64")
	}
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("the stored key set is truncated")
	}
	nonce, ct := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, ct, sealAAD)
	if err != nil {
		return nil, errors.New("the stored key set does not open with this key-encryption key")
	}
	return Parse(plain)
}

func newAEAD(kek []byte) (cipher.AEAD, error) {
	if len(kek) != KEKSize {
		return nil, fmt.Errorf("the key-encryption key has %d bytes, want %d", len(kek), KEKSize)
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Shared is the key set kept in Blobs, sealed under a KEK: the store of
// a cluster. Load serves a Refresher; Update serves rotation.
type Shared struct {
	Blobs Blobs
	KEK   []byte

	last string // the value Load saw last; only the refresher calls Load
}

// Load implements Loader: nil when the stored value did not change.
func (s *Shared) Load(ctx context.Context) (*Set, error) {
	value, err := s.Blobs.ReadKeySet(ctx)
	if err != nil {
		return nil, err
	}
	if value == s.last {
		return nil, nil
	}
	set, err := Open(s.KEK, value)
	if err != nil {
		return nil, err
	}
	s.last = value
	return set, nil
}

// Read returns the stored set; storage.ErrNotFound when there is none.
func (s *Shared) Read(ctx context.Context) (*Set, error) {
	value, err := s.Blobs.ReadKeySet(ctx)
	if err != nil {
		return nil, err
	}
	return Open(s.KEK, value)
}

// maxSwaps bounds the retries of Update when others keep writing.
const maxSwaps = 5

// Update applies fn to the stored set (nil when there is none) and writes
// the result with compare-and-swap: when another host wrote in between,
// fn runs again on what it wrote, so no host's keys are lost. It returns
// the set written.
func (s *Shared) Update(ctx context.Context, fn func(old *Set) (*Set, error)) (*Set, error) {
	for range maxSwaps {
		var old *Set
		value, err := s.Blobs.ReadKeySet(ctx)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			value = ""
		case err != nil:
			return nil, err
		default:
			if old, err = Open(s.KEK, value); err != nil {
				return nil, err
			}
		}
		next, err := fn(old)
		if err != nil {
			return nil, err
		}
		sealed, err := Seal(s.KEK, next)
		if err != nil {
			return nil, err
		}
		err = s.Blobs.WriteKeySet(ctx, value, sealed)
		if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrAlreadyExists) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return next, nil
	}
	return nil, fmt.Errorf("key set: %w: others kept writing it; try again", storage.ErrConflict)
}
