package tokens

import (
	"context"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// invalid wraps ErrInvalidToken with a reason.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidToken, fmt.Sprintf(format, args...))
}

// invalidCause wraps ErrInvalidToken with a reason and its cause.
func invalidCause(err error, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalidToken, fmt.Sprintf(format, args...), err)
}

// accessParseAlgs are the algorithms an access token may arrive with. The
// key named by kid decides which of them can verify: each key has one type.
var accessParseAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA}

// accessWire is the payload of an access token as read back.
type accessWire struct {
	jwt.Claims
	ClientID string           `json:"client_id"`
	Scope    string           `json:"scope"`
	AuthTime *jwt.NumericDate `json:"auth_time"`
	Cnf      map[string]any   `json:"cnf"`
	Sealed   string           `json:"gatehouse_sub"`
	Granted  []string         `json:"gatehouse_claims"`
}

// ParseAccessToken checks an access token this server issued and returns
// its claims: signed under one of our published keys with an algorithm
// access tokens may have (tokens minted before a change of
// op.token.accessTokenAlg stay good until they expire), typ at+jwt, our
// iss, not expired. Every refusal wraps ErrInvalidToken.
func (m *Minter) ParseAccessToken(_ context.Context, token string) (AccessClaims, error) {
	tok, err := jwt.ParseSigned(token, accessParseAlgs)
	if err != nil {
		return AccessClaims{}, invalidCause(err, "not a JWS of ours")
	}
	h := tok.Headers[0]
	// RFC 9068 §4: the type keeps ID tokens and other JWTs signed with the
	// same keys from passing for access tokens.
	if !isAccessTokenType(h) {
		return AccessClaims{}, invalid("typ is not %s", accessTokenType)
	}
	key, ok := m.publishedKey(h.KeyID)
	if !ok {
		return AccessClaims{}, invalid("signed by an unknown key %q", h.KeyID)
	}
	var w accessWire
	if err := tok.Claims(key, &w); err != nil {
		return AccessClaims{}, invalidCause(err, "signature or claims")
	}
	if err := m.checkAccess(w); err != nil {
		return AccessClaims{}, err
	}
	return m.openSubject(w.claims(), w.Sealed)
}

// checkAccess applies RFC 9068 §4: iss is ours, exp has not passed, and
// the claims §2.2 requires are there.
func (m *Minter) checkAccess(w accessWire) error {
	switch {
	case w.Expiry == nil || w.IssuedAt == nil:
		return invalid("exp or iat missing")
	case w.Subject == "" || w.ClientID == "" || w.ID == "" || len(w.Audience) == 0:
		return invalid("sub, client_id, jti or aud missing")
	}
	err := w.Claims.ValidateWithLeeway(jwt.Expected{Issuer: m.issuer, Time: m.now()}, leeway)
	if err != nil {
		return invalidCause(err, "claims")
	}
	return nil
}

func (w accessWire) claims() AccessClaims {
	ac := AccessClaims{
		Issuer:    w.Issuer,
		Subject:   w.Subject,
		ClientID:  w.ClientID,
		JTI:       w.ID,
		Audience:  []string(w.Audience),
		Scopes:    strings.Fields(w.Scope),
		IssuedAt:  w.IssuedAt.Time().UTC(),
		ExpiresAt: w.Expiry.Time().UTC(),
		Cnf:       w.Cnf,
		Claims:    w.Granted,
	}
	if w.AuthTime != nil {
		ac.AuthTime = w.AuthTime.Time().UTC()
	}
	return ac
}

// isAccessTokenType accepts "at+jwt" and its full media type
// "application/at+jwt" (RFC 9068 §4), in any case (RFC 7515 §4.1.9).
func isAccessTokenType(h jose.Header) bool {
	typ, _ := h.ExtraHeaders[jose.HeaderType].(string)
	typ = strings.ToLower(typ)
	return typ == accessTokenType || typ == "application/"+accessTokenType
}

// publishedKey returns our public key with this kid: every published key,
// not only the current ones, so that tokens outlive a rotation.
func (m *Minter) publishedKey(kid string) (jose.JSONWebKey, bool) {
	if kid == "" {
		return jose.JSONWebKey{}, false
	}
	return m.keys.Current().PublicKey(kid)
}
