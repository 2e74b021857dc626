package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// sealPrefix marks a TOTP secret encrypted by this package: AES-256-GCM
// under a key derived from the key set's AES key, the subject and the
// purpose bound in as associated data, so that a sealed secret copied to
// another person's entry does not open.
const sealPrefix = "totp-aesgcm$v=1$"

var errSealed = errors.New("mfa: sealed value cannot be opened")

type sealer struct{ aead cipher.AEAD }

func newSealer(aesKey []byte, purpose string) (*sealer, error) {
	if len(aesKey) != 32 {
		return nil, errors.New("mfa: the key set's AES key must be 32 bytes")
	}
	mac := hmac.New(sha256.New, aesKey)
	mac.Write([]byte("gatehouse mfa " + purpose))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(subject string, plain []byte) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := s.aead.Seal(nonce, nonce, plain, []byte(subject))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out)
}

func (s *sealer) open(subject, sealed string) ([]byte, error) {
	rest, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return nil, errSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return nil, errSealed
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(subject))
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}
