package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf8"
)

// refreshToken is a refresh token taken apart. Its wire form is
// <secret>.<base64url(subject)>.<base64url(client ID)>: the subject and
// client ID name the authorization entry, so the grant reads it directly;
// only the SHA-256 of the secret is stored.
type refreshToken struct {
	Secret, Subject, ClientID string
	// sealed, when set, is the subject sealed (SubjectSealer): the wire
	// form then carries "~" and it in place of the readable subject.
	sealed string
}

// secretBytes is the size of a refresh token's secret: 256 bits.
const secretBytes = 32

// maxRefreshToken bounds what parseRefreshToken reads.
const maxRefreshToken = 4096

var errMalformedRefresh = errors.New("malformed refresh token")

// newRefreshToken draws a fresh secret for subject and clientID.
func newRefreshToken(subject, clientID string) refreshToken {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return refreshToken{Secret: base64.RawURLEncoding.EncodeToString(b), Subject: subject, ClientID: clientID}
}

func (t refreshToken) String() string {
	enc := base64.RawURLEncoding.EncodeToString
	subject := enc([]byte(t.Subject))
	if t.sealed != "" {
		subject = sealedMark + t.sealed
	}
	return t.Secret + "." + subject + "." + enc([]byte(t.ClientID))
}

// Hash is what the authorization keeps of the token (authzRefreshToken).
func (t refreshToken) Hash() string {
	sum := sha256.Sum256([]byte(t.Secret))
	return hex.EncodeToString(sum[:])
}

// sealedMark starts a sealed subject; base64url never has it.
const sealedMark = "~"

// SubjectSealer hides the person's subject in the refresh tokens a
// client holds, so that a client registered for pairwise subs cannot read
// the person's own subject there (pairwise.Subjects).
type SubjectSealer interface {
	Seal(subject string) (string, error)
	Open(sealed string) (string, error)
}

// newRefresh draws a fresh token, its subject sealed when the handler has
// a sealer.
func (h *Handler) newRefresh(subject, clientID string) refreshToken {
	t := newRefreshToken(subject, clientID)
	if h.Subjects != nil {
		if sealed, err := h.Subjects.Seal(subject); err == nil {
			t.sealed = sealed
		}
	}
	return t
}

// parseRefresh takes a token apart, sealed subject or readable: tokens
// issued before subjects were sealed stay good.
func (h *Handler) parseRefresh(s string) (refreshToken, error) {
	parts := strings.Split(s, ".")
	if len(s) > maxRefreshToken || len(parts) != 3 || !strings.HasPrefix(parts[1], sealedMark) {
		return parseRefreshToken(s)
	}
	if h.Subjects == nil {
		return refreshToken{}, errMalformedRefresh
	}
	subject, err := h.Subjects.Open(parts[1][len(sealedMark):])
	if err != nil || subject == "" {
		return refreshToken{}, errMalformedRefresh
	}
	// The rest as parseRefreshToken reads it, with a stand-in subject.
	t, err := parseRefreshToken(parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(subject)) + "." + parts[2])
	if err != nil {
		return refreshToken{}, err
	}
	t.sealed = parts[1][len(sealedMark):]
	return t, nil
}

// parseRefreshToken takes a token apart; anything but three parts, a
// secret of the right size and a non-empty UTF-8 subject and client ID is
// errMalformedRefresh.
func parseRefreshToken(s string) (refreshToken, error) {
	if len(s) > maxRefreshToken {
		return refreshToken{}, errMalformedRefresh
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return refreshToken{}, errMalformedRefresh
	}
	secret, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || len(secret) != secretBytes {
		return refreshToken{}, errMalformedRefresh
	}
	var fields [2]string
	for i, p := range parts[1:] {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil || len(b) == 0 || !utf8.Valid(b) {
			return refreshToken{}, errMalformedRefresh
		}
		fields[i] = string(b)
	}
	// Only the canonical encoding is accepted, so that a token has one
	// spelling (base64 may ignore trailing bits).
	t := refreshToken{Secret: base64.RawURLEncoding.EncodeToString(secret), Subject: fields[0], ClientID: fields[1]}
	if t.String() != s {
		return refreshToken{}, errMalformedRefresh
	}
	return t, nil
}
