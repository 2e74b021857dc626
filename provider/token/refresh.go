package token

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/mtls"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// AuthorizationStore keeps the long-lived authorizations that refresh
// tokens hang on (ldapstore.Authorizations).
type AuthorizationStore interface {
	Get(ctx context.Context, subject, clientID string) (oauth.Authorization, error)
	Create(ctx context.Context, a oauth.Authorization) (oauth.Authorization, error)
	Update(ctx context.Context, subject, clientID string,
		fn func(old oauth.Authorization) (oauth.Authorization, error)) (oauth.Authorization, error)
}

// maxRotated bounds the rotated hashes kept for reuse detection; a token
// rotated away longer ago than that is merely unknown.
const maxRotated = 20

// casAttempts is how often a compare-and-swap lost to a racing writer is
// tried again on the fresh entry.
const casAttempts = 3

// offersRefresh tells whether a code grant comes with a refresh token:
// the client must be registered for the refresh_token grant, and an
// OpenID request must have been granted offline_access (OpenID Connect
// Core §11).
func (h *Handler) offersRefresh(c oauth.Client, scopes []string) bool {
	if h.Authorizations == nil || !slices.Contains(registeredGrants(c), "refresh_token") {
		return false
	}
	return !slices.Contains(scopes, "openid") || slices.Contains(scopes, "offline_access")
}

// startRefresh begins a new refresh token family on the authorization of
// g: the family's start is now, and earlier families end (their tokens
// become unknown, not reused).
func (h *Handler) startRefresh(ctx context.Context, c oauth.Client, g session.CodeGrant) (string, error) {
	t := h.newRefresh(g.Subject, c.ID)
	cert := publicBinding(ctx, c, mtls.ConfirmationMember)
	key := publicBinding(ctx, c, confirmationMemberJKT)
	start := func(a oauth.Authorization) (oauth.Authorization, error) {
		a.RefreshTokenHash = t.Hash()
		a.RefreshTokenIssuedAt = h.Now().UTC().Truncate(time.Second)
		a.RefreshTokenLifetime = h.RefreshTokenLifetime
		a.RotatedRefreshHashes = nil
		a.Data = withRefreshBinding(a.Data, mtls.ConfirmationMember, cert)
		a.Data = withRefreshSession(withRefreshBinding(a.Data, confirmationMemberJKT, key), g)
		return a, nil
	}
	var err error
	for range casAttempts {
		_, err = h.Authorizations.Update(ctx, g.Subject, c.ID, start)
		if errors.Is(err, storage.ErrNotFound) {
			// Consent normally created the entry; a client that needs no
			// consent may have none yet.
			a, _ := start(oauth.Authorization{Subject: g.Subject, ClientID: c.ID, Scopes: g.Scopes, Claims: g.Claims})
			_, err = h.Authorizations.Create(ctx, a)
		}
		if !errors.Is(err, storage.ErrConflict) && !errors.Is(err, storage.ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		return "", err
	}
	return t.String(), nil
}

// verdict is what the grant found of a presented refresh token.
type verdict int

const (
	verdictUnknown verdict = iota
	verdictCurrent
	verdictReused
	verdictExpired
	verdictScope
	// verdictUnbound: a current token bound to a certificate, presented
	// without it (RFC 8705 §4).
	verdictUnbound
	// verdictUnboundKey: a current token bound to a DPoP key, presented
	// without a proof of it (RFC 9449 §5).
	verdictUnboundKey
)

// errNoWrite stops an Update that has nothing to write.
var errNoWrite = errors.New("refresh: nothing to write")

// refreshToken serves the refresh_token grant (RFC 6749 §6) with rotation
// and reuse detection (RFC 9700 §4.14.2): each use replaces the token; a
// token already rotated away, presented again, ends the whole family —
// one of the two holders is an attacker, and the server cannot tell
// which. The authorization entry is read on every use, so revoking
// consent (deleting the entry) ends its refresh tokens.
func (h *Handler) refreshToken(ctx context.Context, c oauth.Client, form url.Values) (response, *oauth.Error) {
	raw := form.Get("refresh_token")
	if raw == "" {
		return response{}, oauth.ErrInvalidRequest().WithDescription("refresh_token: missing")
	}
	refused := oauth.ErrInvalidGrant().WithDescription("refresh_token: unknown, expired or revoked")
	presented, err := h.parseRefresh(raw)
	if err != nil {
		return response{}, refused
	}
	if presented.ClientID != c.ID {
		return response{}, oauth.ErrInvalidGrant().WithDescription("refresh_token: issued to another client")
	}
	aud, oerr := audience(form) // checked before the token is rotated
	if oerr != nil {
		return response{}, oerr
	}
	requested := strings.Fields(form.Get("scope"))
	next := h.newRefresh(presented.Subject, c.ID)
	// A client held to FAPI 2.0 keeps its token (provider/profile).
	keep := h.KeepRefresh != nil && h.KeepRefresh(c)
	var found verdict
	var a, current oauth.Authorization
	for range casAttempts {
		a, err = h.Authorizations.Update(ctx, presented.Subject, c.ID, func(a oauth.Authorization) (oauth.Authorization, error) {
			found = h.judge(a, presented.Hash(), requested)
			if found == verdictCurrent && !holdsRefreshBinding(ctx, a, mtls.ConfirmationMember) {
				found = verdictUnbound
			}
			if found == verdictCurrent && !holdsRefreshBinding(ctx, a, confirmationMemberJKT) {
				found = verdictUnboundKey
			}
			switch found {
			case verdictCurrent:
				if keep {
					current = a
					return a, errNoWrite
				}
				return rotate(a, next.Hash()), nil
			case verdictReused:
				return revokeRefresh(a), nil
			}
			return a, errNoWrite
		})
		if !errors.Is(err, storage.ErrConflict) {
			break
		}
	}
	kept := keep && found == verdictCurrent && errors.Is(err, errNoWrite)
	if kept {
		a, err = current, nil
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return response{}, refused
	case errors.Is(err, errNoWrite) && found == verdictUnbound:
		return response{}, oauth.ErrInvalidGrant().WithDescription("refresh_token: bound to a client certificate that was not presented")
	case errors.Is(err, errNoWrite) && found == verdictUnboundKey:
		return response{}, oauth.ErrInvalidGrant().WithDescription("refresh_token: bound to a DPoP key this request does not prove")
	case errors.Is(err, errNoWrite) && found == verdictScope:
		return response{}, oauth.ErrInvalidScope().WithDescription("scope: wider than what was granted")
	case errors.Is(err, errNoWrite):
		return response{}, refused
	case err != nil:
		return response{}, unavailable(err)
	case found == verdictReused:
		h.Log.Warn("rotated refresh token used again: the grant's refresh tokens are revoked",
			"client_id", c.ID, "sub", presented.Subject)
		h.Audit.Record(ctx, audit.Event{Type: audit.TypeRefreshReuse, ClientID: c.ID, Subject: presented.Subject,
			Address: audit.AddressOf(ctx), Detail: "the grant's refresh tokens are revoked"})
		return response{}, refused
	}
	scopes := a.Scopes
	if len(requested) > 0 {
		scopes = requested
	}
	resp, oerr := h.mint(ctx, c, minted{Subject: presented.Subject, Scopes: scopes, Claims: a.Claims, Audience: aud})
	if oerr != nil {
		return response{}, oerr
	}
	resp.RefreshToken = next.String()
	if kept {
		resp.RefreshToken = raw
	}
	return resp, nil
}

// refreshExpiry is when the authorization's refresh token family ends. Its
// life counts from its first token, not the last rotation, so that a
// stolen family cannot be kept alive forever.
func (h *Handler) refreshExpiry(a oauth.Authorization) time.Time {
	lifetime := a.RefreshTokenLifetime
	if lifetime <= 0 {
		lifetime = h.RefreshTokenLifetime
	}
	return a.RefreshTokenIssuedAt.Add(lifetime)
}

// judge places a presented token's hash against the authorization.
func (h *Handler) judge(a oauth.Authorization, hash string, requested []string) verdict {
	switch {
	case slices.ContainsFunc(a.RotatedRefreshHashes, func(old string) bool { return sameHash(old, hash) }):
		return verdictReused
	case a.RefreshTokenHash == "" || !sameHash(a.RefreshTokenHash, hash):
		return verdictUnknown
	}
	if !h.Now().Before(h.refreshExpiry(a)) {
		return verdictExpired
	}
	// RFC 6749 §6: the scope may narrow, never widen, what was granted.
	if !a.Covers(requested) {
		return verdictScope
	}
	return verdictCurrent
}

// rotate makes hash the current token and remembers the one it replaces.
func rotate(a oauth.Authorization, hash string) oauth.Authorization {
	rotated := append([]string{a.RefreshTokenHash}, a.RotatedRefreshHashes...)
	if len(rotated) > maxRotated {
		rotated = rotated[:maxRotated]
	}
	a.RefreshTokenHash, a.RotatedRefreshHashes = hash, rotated
	return a
}

// revokeRefresh ends every refresh token of the authorization; the
// consent itself stays.
func revokeRefresh(a oauth.Authorization) oauth.Authorization {
	a.RefreshTokenHash, a.RotatedRefreshHashes = "", nil
	a.RefreshTokenIssuedAt, a.RefreshTokenLifetime = time.Time{}, 0
	return a
}

func sameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// minted is what a refresh mints tokens for.
type minted struct {
	Subject        string
	Scopes, Claims []string
	Audience       []string
}

// mint issues the access token and, for OpenID scopes, an ID token with
// the person's current claims (OpenID Connect Core §12.2: no nonce). A
// person no longer in the directory, or who may no longer sign in (an
// account an administrator disabled), ends the grant.
func (h *Handler) mint(ctx context.Context, c oauth.Client, m minted) (response, *oauth.Error) {
	user, err := h.lookup(ctx, m.Subject, m.Scopes, m.Claims)
	switch {
	case errors.Is(err, storage.ErrInactive):
		return response{}, h.inactive(c, m.Subject, "refresh_token")
	case errors.Is(err, storage.ErrNotFound):
		return response{}, oauth.ErrInvalidGrant().WithDescription("refresh_token: the person no longer exists")
	case err != nil:
		return response{}, unavailable(err)
	}
	access, claims, err := h.Minter.AccessToken(ctx, tokens.AccessToken{
		Cnf:      confirmationOf(ctx),
		ClientID: c.ID, Subject: m.Subject, Scopes: m.Scopes, Audience: m.Audience, Lifetime: h.AccessTokenLifetime,
		Client: &c.Metadata, Claims: m.Claims,
	})
	if err != nil {
		return response{}, oauth.ErrServerError().WithCause(err)
	}
	resp := response{
		AccessToken: access, TokenType: "Bearer", Scope: joinScopes(m.Scopes),
		ExpiresIn: int64(claims.ExpiresAt.Sub(claims.IssuedAt).Seconds()),
		issued:    issuedTo{subject: m.Subject, jti: claims.JTI},
	}
	if !slices.Contains(m.Scopes, "openid") {
		return resp, nil
	}
	resp.IDToken, err = h.Minter.IDToken(ctx, tokens.IDToken{
		Client: c, Subject: m.Subject,
		Claims:      tokens.ReleasedClaims(user.Claims, m.Scopes, m.Claims, h.GroupsClaim),
		AccessToken: access,
	})
	if err != nil {
		return response{}, oauth.ErrServerError().WithCause(err)
	}
	return resp, nil
}
