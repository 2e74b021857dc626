package tokens

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Access tokens carry this type (RFC 9068 §2.1). They are signed with
// Options.AccessTokenAlg, RS256 unless configured otherwise: the one every
// resource server must support (RFC 9068 §4).
const (
	DefaultAccessTokenAlg = "RS256"
	accessTokenType       = "at+jwt"
)

// AccessTokenAlgs are the algorithms access tokens may be signed with.
var AccessTokenAlgs = []string{"RS256", "PS256", "ES256", "EdDSA"}

// AccessToken is what an access token grants.
type AccessToken struct {
	ClientID string
	// Subject is the person; empty means the client itself
	// (client_credentials), and sub becomes the client_id.
	Subject string
	Scopes  []string
	// Audience is the resource (RFC 8707) the client asked for; empty
	// means Options.DefaultAudience.
	Audience []string
	// Lifetime overrides Options.AccessTokenLifetime when positive.
	Lifetime time.Duration
	// AuthTime, when set, is when the person last authenticated.
	AuthTime time.Time
	// Cnf is the confirmation claim (RFC 7800; RFC 8705 §3.1), if bound.
	Cnf map[string]any
	// Extra are further claims (acr, amr, groups, ...). They cannot replace
	// a claim this package sets.
	Extra map[string]any
	// Claims are the claims the person consented to release beyond the
	// scopes (the claims request parameter, OpenID Connect Core §5.5),
	// which UserInfo then returns; they travel as gatehouse_claims.
	Claims []string
	// Client, when set, is the registration of ClientID: a client
	// registered with subject_type pairwise gets the person's pairwise
	// sub, and the token carries the person's own subject sealed.
	Client *oauth.Metadata
}

// AccessClaims are the claims of an access token, as minted or parsed.
type AccessClaims struct {
	Issuer, Subject, ClientID, JTI string
	Audience                       []string
	Scopes                         []string
	IssuedAt, ExpiresAt, AuthTime  time.Time // AuthTime zero when absent
	Cnf                            map[string]any
	// Claims are the individually granted claims (AccessToken.Claims).
	Claims []string
	// PublicSubject is the sub the token shows when it differs from
	// Subject, the person's own: a pairwise sub.
	PublicSubject string
}

// Sub is the sub the token shows, the one its client knows the person by.
func (ac AccessClaims) Sub() string {
	if ac.PublicSubject != "" {
		return ac.PublicSubject
	}
	return ac.Subject
}

// grantedClaimsClaim lists, in an access token, the claims requested
// one by one and granted, for UserInfo.
const grantedClaimsClaim = "gatehouse_claims"

// reservedAccessClaims are the claims of RFC 9068 §2.2 that this package
// sets, and nbf, which it does not use.
var reservedAccessClaims = []string{
	"iss", "exp", "aud", "sub", "client_id", "iat", "jti", "nbf", "scope", "auth_time", "cnf", sealedSubjectClaim, grantedClaimsClaim,
}

// AccessToken mints a JWT access token (RFC 9068) and returns it with its
// claims, for the token response (expires_in, scope) and the revocation
// list (jti).
func (m *Minter) AccessToken(_ context.Context, in AccessToken) (string, AccessClaims, error) {
	if in.ClientID == "" {
		return "", AccessClaims{}, errors.New("tokens: an access token needs a client_id")
	}
	if in.Lifetime < 0 || slices.Contains(in.Audience, "") {
		return "", AccessClaims{}, errors.New("tokens: negative lifetime or empty audience")
	}
	jti, err := newJTI()
	if err != nil {
		return "", AccessClaims{}, err
	}
	now := time.Unix(m.now().Unix(), 0).UTC()
	ac := AccessClaims{
		Issuer:    m.issuer,
		Subject:   in.Subject,
		ClientID:  in.ClientID,
		JTI:       jti,
		Audience:  slices.Clone(in.Audience),
		Scopes:    slices.Clone(in.Scopes),
		IssuedAt:  now,
		ExpiresAt: now.Add(orDefault(in.Lifetime, m.accessLife)),
		Cnf:       maps.Clone(in.Cnf),
		Claims:    slices.Clone(in.Claims),
	}
	if ac.Subject == "" {
		ac.Subject = in.ClientID // RFC 9068 §2.2: no resource owner
	}
	if len(ac.Audience) == 0 {
		ac.Audience = slices.Clone(m.audience)
	}
	sealed, err := m.pairwiseAccess(&ac, in)
	if err != nil {
		return "", AccessClaims{}, err
	}
	if !in.AuthTime.IsZero() {
		ac.AuthTime = time.Unix(in.AuthTime.Unix(), 0).UTC()
	}
	wire := ac.wire(in.Extra)
	if sealed != "" {
		wire[sealedSubjectClaim] = sealed
	}
	payload, err := json.Marshal(wire)
	if err != nil {
		return "", AccessClaims{}, fmt.Errorf("tokens: access token claims: %w", err)
	}
	token, err := m.sign(oauth.Client{}, m.accessAlg, accessTokenType, payload)
	if err != nil {
		return "", AccessClaims{}, err
	}
	return token, ac, nil
}

// wire is the JSON payload of the claims, with extra claims underneath.
func (ac AccessClaims) wire(extra map[string]any) map[string]any {
	c := make(map[string]any, len(extra)+10)
	for k, v := range extra {
		if !slices.Contains(reservedAccessClaims, k) {
			c[k] = v
		}
	}
	c["iss"] = ac.Issuer
	c["sub"] = ac.Sub()
	c["client_id"] = ac.ClientID
	c["jti"] = ac.JTI
	c["iat"] = ac.IssuedAt.Unix()
	c["exp"] = ac.ExpiresAt.Unix()
	// A single audience is written as a string (RFC 7519 §4.1.3).
	if len(ac.Audience) == 1 {
		c["aud"] = ac.Audience[0]
	} else {
		c["aud"] = ac.Audience
	}
	if len(ac.Scopes) > 0 {
		c["scope"] = strings.Join(ac.Scopes, " ")
	}
	if !ac.AuthTime.IsZero() {
		c["auth_time"] = ac.AuthTime.Unix()
	}
	if len(ac.Cnf) > 0 {
		c["cnf"] = ac.Cnf
	}
	if len(ac.Claims) > 0 {
		c[grantedClaimsClaim] = ac.Claims
	}
	return c
}

// newJTI returns 128 random bits, base64url-encoded.
func newJTI() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("tokens: jti: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
