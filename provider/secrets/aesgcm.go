package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

const (
	// aesPurpose starts the associated data of every encrypted secret, so a
	// ciphertext made under the same key for another purpose never opens here.
	aesPurpose = "gatehouse client secret"
	aesVersion = "v=1"
	nonceLen   = 12 // 96 bits, the GCM standard nonce
	gcmTagLen  = 16
	maxKIDLen  = 128
)

var aesBase64 = base64.RawURLEncoding.Strict()

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("AES key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// validKID keeps key ids to the base64url alphabet and a few separators, so
// that a kid can never contain the "$" that delimits the stored fields.
func validKID(kid string) bool {
	if kid == "" || len(kid) > maxKIDLen {
		return false
	}
	for i := 0; i < len(kid); i++ {
		c := kid[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func aesHeader(kid string) string {
	return prefixAESGCM + aesVersion + "$kid=" + kid
}

// aesAD binds the ciphertext to its purpose and to its own header.
func aesAD(header string) []byte {
	return []byte(aesPurpose + "\x00" + header)
}

func seal(aead cipher.AEAD, kid, plain string) string {
	header := aesHeader(kid)
	nonce := make([]byte, nonceLen, nonceLen+len(plain)+gcmTagLen)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails; it crashes the program instead
	sealed := aead.Seal(nonce, nonce, []byte(plain), aesAD(header))
	return header + "$" + aesBase64.EncodeToString(sealed)
}

// aesValue is a parsed "$aes256gcm$v=1$kid=<kid>$<payload>".
type aesValue struct {
	kid     string
	header  string
	payload []byte // nonce || ciphertext || tag
}

func parseAES(s string) (aesValue, error) {
	fields := strings.SplitN(s, "$", 6)
	if len(fields) != 5 || fields[0] != "" || fields[1] != "aes256gcm" {
		return aesValue{}, malformed("aes256gcm: want 4 $-separated fields")
	}
	if fields[2] != aesVersion {
		return aesValue{}, malformed("aes256gcm: version must be %s", aesVersion)
	}
	kid, ok := strings.CutPrefix(fields[3], "kid=")
	if !ok || !validKID(kid) {
		return aesValue{}, malformed("aes256gcm: bad kid field")
	}
	if len(fields[4]) > aesBase64.EncodedLen(nonceLen+maxSecretLen+gcmTagLen) {
		return aesValue{}, malformed("aes256gcm: payload too long")
	}
	payload, err := aesBase64.DecodeString(fields[4])
	if err != nil {
		return aesValue{}, malformed("aes256gcm: payload is not unpadded base64url")
	}
	if len(payload) < nonceLen+gcmTagLen {
		return aesValue{}, malformed("aes256gcm: payload too short")
	}
	header := s[:len(s)-len(fields[4])-1]
	return aesValue{kid: kid, header: header, payload: payload}, nil
}

func (v aesValue) open(aead cipher.AEAD) (string, error) {
	plain, err := aead.Open(nil, v.payload[:nonceLen], v.payload[nonceLen:], aesAD(v.header))
	if err != nil {
		return "", malformed("aes256gcm: message authentication failed")
	}
	return string(plain), nil
}
