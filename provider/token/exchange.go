package token

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// Token exchange (RFC 8693): a client trades an access token of ours (the
// subject's) for one meant for another audience, optionally acting for
// the subject (actor_token: delegation, recorded in act, §4.1).
const (
	grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
	tokenTypeID        = "urn:ietf:params:oauth:token-type:id_token"
	// ExchangeAudiences is the client metadata member listing the
	// audiences a client may exchange tokens for; absent, it may not.
	// Unknown to RFC 7591, it is kept in oauthClientData like any other.
	ExchangeAudiences = "token_exchange_audiences"
)

// tokenExchange serves RFC 8693 §2.1. The issued token is an RFC 9068
// access token for the subject token's sub, with the requested audience,
// a scope within the subject token's, and act naming the actor; no
// refresh token (§2.2.1 leaves it to policy: an exchange is done again).
func (h *Handler) tokenExchange(ctx context.Context, c oauth.Client, form url.Values) (response, *oauth.Error) {
	target, oerr := exchangeTarget(c, form)
	if oerr != nil {
		return response{}, oerr
	}
	if t := form.Get("requested_token_type"); t != "" && t != tokenTypeAccess {
		return response{}, oauth.ErrInvalidRequest().WithDescription("requested_token_type: only " + tokenTypeAccess + " is issued")
	}
	subject, oerr := h.exchanged(ctx, c, form, "subject_token", true)
	if oerr != nil {
		return response{}, oerr
	}
	actor, oerr := h.exchanged(ctx, c, form, "actor_token", false)
	if oerr != nil {
		return response{}, oerr
	}
	scopes, oerr := exchangedScopes(c, subject, form.Get("scope"))
	if oerr != nil {
		return response{}, oerr
	}
	// The issued token is bound as the request is (a DPoP proof or a
	// client certificate), and lives no longer than the subject token, so
	// that exchanging again cannot keep access alive past it.
	in := tokens.AccessToken{ClientID: c.ID, Subject: subject.claims.Subject, Scopes: scopes, Audience: []string{target},
		Lifetime: h.exchangedLifetime(subject), AuthTime: subject.claims.AuthTime, Cnf: confirmationOf(ctx)}
	if actor.claims.Subject != "" {
		act := map[string]any{"sub": actor.claims.Subject}
		if actor.act != nil {
			act["act"] = actor.act // §4.1: the actor's own delegation chain, nested
		}
		in.Extra = map[string]any{"act": act}
	}
	access, claims, err := h.Minter.AccessToken(ctx, in)
	if err != nil {
		return response{}, oauth.ErrServerError().WithCause(err)
	}
	return response{
		AccessToken: access, TokenType: "Bearer", Scope: joinScopes(scopes), IssuedTokenType: tokenTypeAccess,
		ExpiresIn: int64(claims.ExpiresAt.Sub(claims.IssuedAt).Seconds()),
		issued:    issuedTo{subject: subject.claims.Subject, jti: claims.JTI},
	}, nil
}

// exchangeTarget is the audience asked for (audience, else resource), if
// the client's metadata allows it.
func exchangeTarget(c oauth.Client, form url.Values) (string, *oauth.Error) {
	raw, ok := c.Metadata.Extra[ExchangeAudiences]
	var allowed []string
	if !ok || json.Unmarshal(raw, &allowed) != nil || len(allowed) == 0 {
		return "", oauth.ErrUnauthorizedClient().WithDescription("the client may not exchange tokens: its " + ExchangeAudiences + " is not set")
	}
	target := form.Get("audience")
	if target == "" {
		target = form.Get("resource")
	}
	switch {
	case target == "":
		return "", oauth.ErrInvalidRequest().WithDescription("audience or resource: required, naming where the token will be used")
	case !slices.Contains(allowed, target):
		return "", oauth.ErrInvalidTarget().WithDescription("audience: the client may not exchange tokens for " + target)
	}
	return target, nil
}

// exchangedLifetime is the configured access-token lifetime, cut to what
// is left of an access token given as subject_token.
func (h *Handler) exchangedLifetime(subject party) time.Duration {
	life := h.AccessTokenLifetime
	if life <= 0 {
		life = tokens.DefaultAccessTokenLifetime
	}
	if exp := subject.claims.ExpiresAt; !exp.IsZero() {
		if left := exp.Sub(h.Now()).Truncate(time.Second); left < life {
			life = max(left, time.Second)
		}
	}
	return life
}
