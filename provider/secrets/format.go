package secrets

import (
	"errors"
	"strings"
)

// Errors about a stored value. A wrong presented secret is never an error.
var (
	// ErrMalformed means a stored value has a known prefix but does not parse,
	// has parameters outside the accepted bounds, or fails authentication.
	ErrMalformed = errors.New("malformed stored client secret")
	// ErrUnsupported means a stored value is empty or tagged with a scheme
	// this package does not implement.
	ErrUnsupported = errors.New("unsupported client secret scheme")
	// ErrUnknownKey means an encrypted value names a key the codec lacks.
	ErrUnknownKey = errors.New("client secret encrypted under an unknown key")
	// ErrNotRecoverable is returned by Reveal for a hashed value.
	ErrNotRecoverable = errors.New("client secret is hashed and cannot be recovered")
)

// Format names the codec that made a stored value.
type Format int

// Formats, as told by a stored value's prefix.
const (
	// Unknown is an empty value or one tagged with an unsupported scheme.
	Unknown Format = iota
	// Plain is a legacy plain secret.
	Plain
	// Argon2id is an Argon2id PHC string.
	Argon2id
	// Argon2i is an Argon2i PHC string.
	Argon2i
	// BCrypt is a $2a$, $2b$ or $2y$ BCrypt hash.
	BCrypt
	// AESGCM is a secret encrypted with AES-256-GCM.
	AESGCM
)

var formatNames = [...]string{
	Unknown:  "unknown",
	Plain:    "plain",
	Argon2id: "argon2id",
	Argon2i:  "argon2i",
	BCrypt:   "bcrypt",
	AESGCM:   "aes256gcm",
}

func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return "invalid"
	}
	return formatNames[f]
}

// hashed reports whether values of this format are one-way hashes.
func (f Format) hashed() bool {
	return f == Argon2id || f == Argon2i || f == BCrypt
}

const (
	prefixArgon2id = "$argon2id$"
	prefixArgon2i  = "$argon2i$"
	prefixAESGCM   = "$aes256gcm$"
)

var bcryptPrefixes = [...]string{"$2a$", "$2b$", "$2y$"}

// Kind tells which codec made a stored value, from its prefix alone; it does
// not validate the rest (Verify and IsHash do).
func Kind(stored string) Format {
	switch {
	case stored == "":
		return Unknown
	case strings.HasPrefix(stored, prefixArgon2id):
		return Argon2id
	case strings.HasPrefix(stored, prefixArgon2i):
		return Argon2i
	case strings.HasPrefix(stored, prefixAESGCM):
		return AESGCM
	case hasBCryptPrefix(stored):
		return BCrypt
	case looksTagged(stored):
		return Unknown
	}
	return Plain
}

func hasBCryptPrefix(s string) bool {
	for _, p := range bcryptPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// IsHash reports whether s is a well-formed BCrypt or Argon2 PHC hash within
// the accepted cost bounds: a hash a client may import as its secret.
func IsHash(s string) bool {
	switch Kind(s) {
	case Argon2id, Argon2i:
		_, err := parseArgon2(s)
		return err == nil
	case BCrypt:
		return checkBCrypt(s) == nil
	}
	return false
}

// looksTagged reports a crypt(3)/PHC "$id$" prefix or an LDAP "{SCHEME}"
// prefix, such as "$6$", "$argon2d$", "$scrypt$", "{SSHA}" or "{CRYPT}".
func looksTagged(s string) bool {
	var closing byte
	switch s[0] {
	case '$':
		closing = '$'
	case '{':
		closing = '}'
	default:
		return false
	}
	const maxID = 32
	for i := 1; i < len(s) && i <= maxID+1; i++ {
		c := s[i]
		switch {
		case c == closing:
			return i > 1
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		default:
			return false
		}
	}
	return false
}
