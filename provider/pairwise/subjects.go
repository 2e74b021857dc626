package pairwise

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// Subjects derives pairwise subs and seals people's own subjects. It is
// safe for concurrent use.
type Subjects struct {
	mac  []byte
	aead cipher.AEAD
}

// minSecret is the least secret accepted: the derived keys are only as
// strong as it.
const minSecret = 16

// New derives the keys from secret, which must live as long as the
// deployment: another secret gives every person other pairwise subs.
func New(secret []byte) (*Subjects, error) {
	if len(secret) < minSecret {
		return nil, fmt.Errorf("pairwise: a secret of %d bytes (at least %d)", len(secret), minSecret)
	}
	mac, err := hkdf.Key(sha256.New, secret, nil, "gatehouse pairwise subject", 32)
	if err != nil {
		return nil, err
	}
	sealKey, err := hkdf.Key(sha256.New, secret, nil, "gatehouse sealed subject", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Subjects{mac: mac, aead: aead}, nil
}

// Subject is the pairwise sub of the person local in sector.
func (s *Subjects) Subject(sector, local string) string {
	h := hmac.New(sha256.New, s.mac)
	h.Write([]byte(sector))
	h.Write([]byte{0}) // no sector/subject pair can read as another
	h.Write([]byte(local))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// Seal hides a person's own subject for a token that carries a pairwise
// sub; only Open, under the same secret, reads it back.
func (s *Subjects) Seal(local string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(local)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(local), nil)), nil
}

// ErrSealed is returned for a sealed subject that is not ours.
var ErrSealed = errors.New("pairwise: the sealed subject does not open")

// Open reads a subject Seal hid.
func (s *Subjects) Open(sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", ErrSealed
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}
