package embedded

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strings"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"
)

// verifyPassword reports whether presented matches one stored userPassword
// value. Stored values are read the way OpenLDAP reads them (RFC 2307
// style): "{SCHEME}data" is a hash; anything else is the plain password.
//
// Schemes: {SSHA}, {SHA} and their SHA-256/512 variants (base64 of
// digest||salt); {CRYPT} with a bcrypt hash ($2a$, $2b$, $2y$); {ARGON2}
// with an argon2id PHC string. A value with an unknown scheme matches
// nothing. Every comparison runs in constant time.
func verifyPassword(stored, presented string) bool {
	scheme, data, ok := splitScheme(stored)
	if !ok {
		return equalDigests(stored, presented)
	}
	switch scheme {
	case "SSHA", "SHA":
		return verifySaltedDigest(sha1.New, sha1.Size, data, presented)
	case "SSHA256", "SHA256":
		return verifySaltedDigest(sha256.New, sha256.Size, data, presented)
	case "SSHA512", "SHA512":
		return verifySaltedDigest(sha512.New, sha512.Size, data, presented)
	case "CRYPT":
		return verifyBcrypt(data, presented)
	case "ARGON2":
		ok, err := argon2id.ComparePasswordAndHash(presented, data)
		return err == nil && ok
	}
	return false
}

// splitScheme splits "{SCHEME}data" into an upper-case scheme and data.
func splitScheme(v string) (scheme, data string, ok bool) {
	if !strings.HasPrefix(v, "{") {
		return "", "", false
	}
	end := strings.IndexByte(v, '}')
	if end < 2 {
		return "", "", false
	}
	return strings.ToUpper(v[1:end]), v[end+1:], true
}

// verifySaltedDigest checks base64(H(password || salt) || salt); an unsalted
// {SHA} value is the same with an empty salt.
func verifySaltedDigest(newHash func() hash.Hash, size int, data, presented string) bool {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(raw) < size {
		return false
	}
	digest, salt := raw[:size], raw[size:]
	h := newHash()
	h.Write([]byte(presented))
	h.Write(salt)
	return subtle.ConstantTimeCompare(h.Sum(nil), digest) == 1
}

// verifyBcrypt checks a {CRYPT} value; only the bcrypt flavours of crypt(3)
// are understood.
func verifyBcrypt(data, presented string) bool {
	if !strings.HasPrefix(data, "$2a$") && !strings.HasPrefix(data, "$2b$") && !strings.HasPrefix(data, "$2y$") {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(data), []byte(presented)) == nil
}

// equalDigests compares two plain passwords in constant time, hashing them
// first so that not even their lengths leak.
func equalDigests(a, b string) bool {
	x, y := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(x[:], y[:]) == 1
}
