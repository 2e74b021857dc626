package mfa

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
)

// recoveryCount is how many single-use recovery codes a person holds.
const recoveryCount = 10

// recoveryAlphabet leaves out letters and digits people mix up (0/O, 1/I/L).
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// newRecoveryCodes returns fresh codes of 10 characters (about 49 bits
// each), shown once as xxxxx-xxxxx.
func newRecoveryCodes() []string {
	codes := make([]string, recoveryCount)
	for i := range codes {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		for j := range b {
			b[j] = recoveryAlphabet[int(b[j])%len(recoveryAlphabet)]
		}
		codes[i] = string(b[:5]) + "-" + string(b[5:])
	}
	return codes
}

// recoveryHasher keeps only keyed hashes of recovery codes: HMAC-SHA-256
// under a key derived from the key set, with the subject, so that a copy
// of the directory alone does not allow guessing them offline.
type recoveryHasher struct{ key []byte }

func (h recoveryHasher) hash(subject, code string) string {
	code = strings.ToLower(normalizeCode(code))
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte(subject))
	mac.Write([]byte{0})
	mac.Write([]byte(code))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// hashAll hashes fresh codes for storing.
func (h recoveryHasher) hashAll(subject string, codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = h.hash(subject, c)
	}
	return out
}

// consume removes code's hash from hashes; false when it is not there
// (wrong, or used already).
func (h recoveryHasher) consume(subject, code string, hashes []string) ([]string, bool) {
	want := h.hash(subject, code)
	i := slices.IndexFunc(hashes, func(s string) bool { return hmac.Equal([]byte(s), []byte(want)) })
	if i < 0 {
		return hashes, false
	}
	return slices.Delete(slices.Clone(hashes), i, i+1), true
}
