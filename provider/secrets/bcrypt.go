package secrets

import (
	"errors"

	"golang.org/x/crypto/bcrypt"
)

// BCrypt cost bounds. Each step doubles the work; cost 15 already takes
// seconds, and x/crypto would accept up to 31, which would take days.
const (
	minBCryptCost = bcrypt.MinCost
	maxBCryptCost = 15
)

// bcryptLen is the length of "$2b$NN$" followed by the 22-character salt and
// the 31-character hash.
const bcryptLen = 60

// checkBCrypt validates the whole string: x/crypto reads the version and
// cost, then takes the rest on trust (it accepts any minor version letter).
func checkBCrypt(s string) error {
	if len(s) != bcryptLen || !hasBCryptPrefix(s) || s[6] != '$' {
		return malformed("bcrypt: want $2a$, $2b$ or $2y$, a two-digit cost and 53 characters")
	}
	if !isDigit(s[4]) || !isDigit(s[5]) {
		return malformed("bcrypt: cost is not two digits")
	}
	if cost := int(s[4]-'0')*10 + int(s[5]-'0'); cost < minBCryptCost || cost > maxBCryptCost {
		return malformed("bcrypt: cost %d outside %d..%d", cost, minBCryptCost, maxBCryptCost)
	}
	for i := 7; i < len(s); i++ {
		if !isBCryptBase64(s[i]) {
			return malformed("bcrypt: character %d is outside the bcrypt alphabet", i+1)
		}
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isBCryptBase64 reports the alphabet "./A-Za-z0-9" of bcrypt's base64.
func isBCryptBase64(c byte) bool {
	return c == '.' || c == '/' || isDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}

// bcryptHash is a validated BCrypt string. $2a$, $2b$ and $2y$ differ only in
// how old implementations handled long or non-ASCII input; x/crypto computes
// the corrected algorithm for all three, as htpasswd does.
type bcryptHash string

// matches compares in constant time (x/crypto compares the encoded hashes
// with subtle.ConstantTimeCompare). Only the first 72 bytes of the secret
// count, as in every bcrypt implementation.
func (h bcryptHash) matches(presented string) bool {
	err := bcrypt.CompareHashAndPassword([]byte(h), []byte(presented))
	if err != nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		// Unreachable after checkBCrypt; treated as no match, never as success.
		return false
	}
	return err == nil
}
