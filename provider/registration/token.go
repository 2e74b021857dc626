package registration

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
)

// masterToken checks the registration master token against the SHA-256
// the configuration holds. The zero value accepts nothing.
type masterToken struct {
	sum []byte
}

func newMasterToken(sha256Hex string) (masterToken, error) {
	if sha256Hex == "" {
		return masterToken{}, nil
	}
	sum, err := hex.DecodeString(sha256Hex) // either case
	if err != nil || len(sum) != sha256.Size {
		return masterToken{}, fmt.Errorf("registration: master token hash must be %d hexadecimal characters", 2*sha256.Size)
	}
	return masterToken{sum: sum}, nil
}

// matches compares digests in constant time: the time taken says nothing
// about how much of a guess was right.
func (t masterToken) matches(token string) bool {
	if t.sum == nil || token == "" {
		return false
	}
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], t.sum) == 1
}

// newRegistrationToken returns a fresh RFC 7592 registration access token
// for clientID: 256 random bits, ".", and the client ID in base64url. The
// ID lets a token presented at another client's entry be recognised as
// valid but misplaced; it is no secret, the random part is.
func newRegistrationToken(clientID string) (string, error) {
	random, err := secrets.Generate()
	if err != nil {
		return "", err
	}
	return random + "." + base64.RawURLEncoding.EncodeToString([]byte(clientID)), nil
}

// tokenClient returns the client ID a token names, or "" for a token of
// another shape (one a previous server issued, or garbage).
func tokenClient(token string) string {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return ""
	}
	id, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		return ""
	}
	return string(id)
}

// hashToken is the stored form of a registration access token: SHA-256 in
// lower-case hex. The token has 256 random bits, so a fast hash is enough.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// tokenMatches reports whether token is c's registration access token: by
// its hash, or, for an entry written by another server, by the token kept
// as given. Both comparisons take constant time.
func tokenMatches(c oauth.Client, token string) bool {
	if token == "" {
		return false
	}
	got := sha256.Sum256([]byte(token))
	if c.RegistrationTokenHash != "" {
		want, err := hex.DecodeString(c.RegistrationTokenHash)
		if err == nil && subtle.ConstantTimeCompare(got[:], want) == 1 {
			return true
		}
	}
	if c.LegacyRegistrationToken != "" {
		want := sha256.Sum256([]byte(c.LegacyRegistrationToken))
		return subtle.ConstantTimeCompare(got[:], want[:]) == 1
	}
	return false
}

// newClientID returns 128 random bits in lower-case base32.
func newClientID() string { return strings.ToLower(rand.Text()) }

// clientIDProblem says what is wrong with a preferred client ID. RFC 6749
// Appendix A allows any printable ASCII; "/" and the dot segments are left
// out as they cannot be a path segment of the configuration endpoint.
func clientIDProblem(id string) string {
	switch {
	case len(id) > oauth.MaxRegisteredClientID:
		return fmt.Sprintf("must be at most %d characters long", oauth.MaxRegisteredClientID)
	case id == "." || id == "..":
		return "must not be . or .."
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e || c == '/' {
			return "may hold printable ASCII characters only, not space or /"
		}
	}
	return ""
}
