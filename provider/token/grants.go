package token

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// codeExtra mirrors what the browser flow stores beside a code.
type codeExtra struct {
	RedirectURIGiven bool            `json:"redirect_uri_given,omitempty"`
	Claims           json.RawMessage `json:"claims,omitempty"`
	DPoPJKT          string          `json:"dpop_jkt,omitempty"`
}

// authorizationCode redeems a code (RFC 6749 §4.1.3, OpenID Connect Core
// §3.1.3). The code is taken from the store before anything else is
// checked, so that a code sent twice never works twice.
func (h *Handler) authorizationCode(ctx context.Context, c oauth.Client, form url.Values) (response, *oauth.Error) {
	code := form.Get("code")
	if code == "" {
		return response{}, oauth.ErrInvalidRequest().WithDescription("code: missing")
	}
	aud, oerr := audience(form) // checked first: a bad request must not use the code up
	if oerr != nil {
		return response{}, oerr
	}
	g, err := h.Codes.Redeem(ctx, code)
	var reused *session.ReuseError
	switch {
	case errors.As(err, &reused):
		h.Log.Warn("authorization code used twice", "client_id", reused.ClientID, "sub", reused.Subject)
		h.auditReplay(ctx, reused, h.revokeReplayed(ctx, code))
		return response{}, oauth.ErrInvalidGrant().WithDescription("code: already used")
	case errors.Is(err, storage.ErrNotFound):
		return response{}, oauth.ErrInvalidGrant().WithDescription("code: unknown or expired")
	case err != nil:
		return response{}, unavailable(err)
	}
	if g.ClientID != c.ID {
		return response{}, oauth.ErrInvalidGrant().WithDescription("code: issued to another client")
	}
	var extra codeExtra
	if len(g.Extra) > 0 {
		if err := json.Unmarshal(g.Extra, &extra); err != nil {
			return response{}, oauth.ErrServerError().WithCause(err)
		}
	}
	// §4.1.3: redirect_uri is required, and must be identical, when the
	// authorization request included it.
	if uri := form.Get("redirect_uri"); (extra.RedirectURIGiven || uri != "") && uri != g.RedirectURI {
		return response{}, oauth.ErrInvalidGrant().WithDescription("redirect_uri: does not match the authorization request")
	}
	if oerr := checkPKCE(g, form.Get("code_verifier")); oerr != nil {
		return response{}, oerr
	}
	if oerr := checkCodeBinding(ctx, extra.DPoPJKT); oerr != nil {
		return response{}, oerr
	}
	return h.issue(ctx, c, g, code, aud)
}

// checkPKCE verifies code_verifier against the challenge (RFC 7636 §4.6).
// A verifier for a code issued without a challenge is refused too: it
// betrays a request that was not the one the client made (RFC 9700 §2.1.1).
func checkPKCE(g session.CodeGrant, verifier string) *oauth.Error {
	switch {
	case g.CodeChallenge == "" && verifier == "":
		return nil
	case g.CodeChallenge == "":
		return oauth.ErrInvalidGrant().WithDescription("code_verifier: the authorization request had no code_challenge")
	case verifier == "":
		return oauth.ErrInvalidGrant().WithDescription("code_verifier: missing")
	}
	sum := sha256.Sum256([]byte(verifier))
	computed := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(computed), []byte(g.CodeChallenge)) != 1 {
		return oauth.ErrInvalidGrant().WithDescription("code_verifier: does not match the code_challenge")
	}
	return nil
}

// issue mints the access token, for OpenID requests the ID token, and a
// refresh token when the client may have one.
func (h *Handler) issue(ctx context.Context, c oauth.Client, g session.CodeGrant, code string, aud []string) (response, *oauth.Error) {
	resp, claims, oerr := h.issueTokens(ctx, c, g, code, aud)
	if oerr != nil {
		return resp, oerr
	}
	if h.offersRefresh(c, g.Scopes) {
		var err error
		if resp.RefreshToken, err = h.startRefresh(ctx, c, g); err != nil {
			return response{}, unavailable(err)
		}
	}
	h.remember(ctx, code, issued{JTI: claims.JTI, ExpiresAt: claims.ExpiresAt, Subject: g.Subject,
		ClientID: c.ID, Refresh: resp.RefreshToken != ""})
	return resp, nil
}

// issueTokens reads the person, then mints the access token and, for
// OpenID requests, the ID token. The person is read for every code, with
// or without openid: a browser session outlives an account closed
// meanwhile, and its codes must not (a sign-in's own read, seconds old,
// stands in: package signins).
func (h *Handler) issueTokens(ctx context.Context, c oauth.Client, g session.CodeGrant, code string, aud []string) (response, tokens.AccessClaims, *oauth.Error) {
	user, err := h.redeemer(ctx, g)
	switch {
	case errors.Is(err, storage.ErrInactive):
		return response{}, tokens.AccessClaims{}, h.inactive(c, g.Subject, "code")
	case errors.Is(err, storage.ErrNotFound):
		return response{}, tokens.AccessClaims{}, oauth.ErrInvalidGrant().WithDescription("code: the person no longer exists")
	case err != nil:
		return response{}, tokens.AccessClaims{}, unavailable(err)
	}
	resp, claims, oerr := h.mintAccess(ctx, c, g, aud)
	if oerr != nil || !slices.Contains(g.Scopes, "openid") {
		return resp, claims, oerr
	}
	access := resp.AccessToken
	resp.IDToken, err = h.Minter.IDToken(ctx, tokens.IDToken{
		Client: c, Subject: g.Subject, AuthTime: g.AuthTime, Nonce: g.Nonce, ACR: g.ACR, AMR: g.AMR, SID: g.SessionSID,
		Claims:      tokens.ReleasedClaims(user.Claims, g.Scopes, g.Claims, h.GroupsClaim),
		AccessToken: access, Code: code,
	})
	if err != nil {
		return response{}, claims, oauth.ErrServerError().WithCause(err)
	}
	return resp, claims, nil
}

// mintAccess mints the access token of a grant for a person.
func (h *Handler) mintAccess(ctx context.Context, c oauth.Client, g session.CodeGrant, aud []string) (response, tokens.AccessClaims, *oauth.Error) {
	access, claims, err := h.Minter.AccessToken(ctx, tokens.AccessToken{
		Cnf:      confirmationOf(ctx),
		ClientID: c.ID, Subject: g.Subject, Scopes: g.Scopes, Audience: aud, Lifetime: h.AccessTokenLifetime, AuthTime: g.AuthTime,
		Client: &c.Metadata, Claims: g.Claims,
	})
	if err != nil {
		return response{}, claims, oauth.ErrServerError().WithCause(err)
	}
	return response{
		AccessToken: access, TokenType: "Bearer", Scope: joinScopes(g.Scopes),
		ExpiresIn: int64(claims.ExpiresAt.Sub(claims.IssuedAt).Seconds()),
		issued:    issuedTo{subject: g.Subject, jti: claims.JTI},
	}, claims, nil
}

// clientCredentials issues a token to the client itself (RFC 6749 §4.4),
// for scopes it registered; public clients cannot use it.
func (h *Handler) clientCredentials(ctx context.Context, c oauth.Client, form url.Values) (response, *oauth.Error) {
	if c.Metadata.TokenEndpointAuthMethod == "none" {
		return response{}, oauth.ErrUnauthorizedClient().WithDescription("grant_type: a public client cannot use client_credentials")
	}
	aud, oerr := audience(form)
	if oerr != nil {
		return response{}, oerr
	}
	scopes := c.Metadata.Scope
	if requested := strings.Fields(form.Get("scope")); len(requested) > 0 {
		for _, s := range requested {
			if !slices.Contains(c.Metadata.Scope, s) {
				return response{}, oauth.ErrInvalidScope().WithDescription("scope: " + s + " is not registered for the client")
			}
		}
		scopes = requested
	}
	access, claims, err := h.Minter.AccessToken(ctx, tokens.AccessToken{
		Cnf:      confirmationOf(ctx),
		ClientID: c.ID, Subject: c.ID, Scopes: scopes, Audience: aud, Lifetime: h.AccessTokenLifetime,
	})
	if err != nil {
		return response{}, oauth.ErrServerError().WithCause(err)
	}
	return response{
		AccessToken: access, TokenType: "Bearer", Scope: joinScopes(scopes),
		ExpiresIn: int64(claims.ExpiresAt.Sub(claims.IssuedAt).Seconds()),
		issued:    issuedTo{subject: c.ID, jti: claims.JTI},
	}, nil
}

// audience is the access token's audience: the resource the client names
// (RFC 8707 §2), or nil for the default.
func audience(form url.Values) ([]string, *oauth.Error) {
	r := form.Get("resource")
	if r == "" {
		return nil, nil
	}
	if u, err := url.Parse(r); err != nil || !u.IsAbs() || u.Fragment != "" {
		return nil, oauth.ErrInvalidTarget().WithDescription("resource: must be an absolute URI without a fragment")
	}
	return []string{r}, nil
}

func unavailable(err error) *oauth.Error {
	return oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").WithCause(err)
}
