package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// Token exchange (RFC 8693): a client trades an access token of ours (the
// subject's) for one meant for another audience, optionally acting for
// the subject (actor_token: delegation, recorded in act, §4.1).
const (
	grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
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
	subject, _, oerr := h.exchanged(ctx, form, "subject_token", true)
	if oerr != nil {
		return response{}, oerr
	}
	actor, actorAct, oerr := h.exchanged(ctx, form, "actor_token", false)
	if oerr != nil {
		return response{}, oerr
	}
	scopes := subject.Scopes
	if requested := strings.Fields(form.Get("scope")); len(requested) > 0 {
		for _, s := range requested {
			if !slices.Contains(subject.Scopes, s) {
				return response{}, oauth.ErrInvalidScope().WithDescription("scope: " + s + " is not in the subject_token's scope")
			}
		}
		scopes = requested
	}
	in := tokens.AccessToken{ClientID: c.ID, Subject: subject.Subject, Scopes: scopes, Audience: []string{target},
		Lifetime: h.AccessTokenLifetime, AuthTime: subject.AuthTime}
	if actor.Subject != "" {
		act := map[string]any{"sub": actor.Subject}
		if actorAct != nil {
			act["act"] = actorAct // §4.1: the actor's own delegation chain, nested
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
		issued:    issuedTo{subject: subject.Subject, jti: claims.JTI},
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

// exchanged reads subject_token or actor_token (name) with its _type: an
// access token of ours, valid now. It returns the token's claims and its
// own act claim, if any.
func (h *Handler) exchanged(ctx context.Context, form url.Values, name string, required bool) (tokens.AccessClaims, any, *oauth.Error) {
	raw, typ := form.Get(name), form.Get(name+"_type")
	switch {
	case raw == "" && required:
		return tokens.AccessClaims{}, nil, oauth.ErrInvalidRequest().WithDescription(name + ": missing")
	case raw == "" && typ != "":
		return tokens.AccessClaims{}, nil, oauth.ErrInvalidRequest().WithDescription(name + "_type: given without " + name)
	case raw == "":
		return tokens.AccessClaims{}, nil, nil
	case typ == "":
		return tokens.AccessClaims{}, nil, oauth.ErrInvalidRequest().WithDescription(name + "_type: missing")
	case typ != tokenTypeAccess:
		return tokens.AccessClaims{}, nil, oauth.ErrInvalidRequest().WithDescription(name + "_type: only " + tokenTypeAccess + " is accepted")
	}
	claims, err := h.Minter.ParseAccessToken(ctx, raw)
	if err != nil {
		return tokens.AccessClaims{}, nil, oauth.ErrInvalidRequest().WithDescription(name + ": not a valid access token of this server").WithCause(err)
	}
	return claims, actOf(raw), nil
}

// actOf is the act claim of a token whose signature has been checked.
func actOf(jws string) any {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var w struct {
		Act any `json:"act"`
	}
	if json.Unmarshal(payload, &w) != nil {
		return nil
	}
	return w.Act
}
