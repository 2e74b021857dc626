package jwtbearer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// assertion is a verified assertion: its issuer's configuration, its
// registered claims, and the subject read from the issuer's subject claim.
type assertion struct {
	issuer  Issuer
	claims  registered
	subject string
}

// registered are the claims of RFC 7519 §4.1 the checks read; sub is read
// apart, from the issuer's subject claim, whatever its JSON type.
type registered struct {
	Issuer    string           `json:"iss"`
	Audience  jwt.Audience     `json:"aud"`
	Expiry    *jwt.NumericDate `json:"exp"`
	NotBefore *jwt.NumericDate `json:"nbf"`
	IssuedAt  *jwt.NumericDate `json:"iat"`
	ID        string           `json:"jti"`
}

// verify parses the assertion, finds its issuer among the trusted ones
// and checks the signature with that issuer's published keys.
func (h *Handler) verify(ctx context.Context, raw string) (assertion, *oauth.Error) {
	tok, err := jwt.ParseSigned(raw, Algs)
	if err != nil {
		return assertion{}, invalidGrant("not a JWS signed with an accepted algorithm ("+algNames()+")", err)
	}
	if len(tok.Headers) != 1 {
		return assertion{}, invalidGrant("not a JWS with one signature", nil)
	}
	// iss picks the keys: read it before the signature is checked, and
	// trust nothing else of the payload until it is.
	var unverified struct {
		Issuer any `json:"iss"`
	}
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return assertion{}, invalidGrant("the payload is not a JSON object", err)
	}
	iss, _ := unverified.Issuer.(string)
	is, ok := h.issuers[iss]
	if !ok {
		return assertion{}, invalidGrant("iss: not a trusted issuer", nil)
	}
	payload, oerr := h.checkSignature(ctx, tok, is)
	if oerr != nil {
		return assertion{}, oerr
	}
	a := assertion{issuer: is}
	if err := json.Unmarshal(payload, &a.claims); err != nil {
		return assertion{}, invalidGrant("aud, exp, nbf, iat or jti: not of the type RFC 7519 gives it", err)
	}
	var all map[string]any
	if err := json.Unmarshal(payload, &all); err != nil {
		return assertion{}, invalidGrant("the payload is not a JSON object", err)
	}
	a.subject, _ = all[is.SubjectClaim].(string)
	return a, nil
}

// checkSignature verifies tok with the issuer's keys and returns the
// signed payload. The key set is fetched again once when it lacks the
// key the header names (or, naming none, when no key verified it): the
// issuer may have rotated; the fetcher keeps such refreshes rare.
func (h *Handler) checkSignature(ctx context.Context, tok *jwt.JSONWebToken, is Issuer) ([]byte, *oauth.Error) {
	hdr := tok.Headers[0]
	set, oerr := h.keySet(ctx, is, false)
	if oerr != nil {
		return nil, oerr
	}
	payload, known, ok := tryKeys(tok, hdr, set)
	if !ok && !known {
		if set, oerr = h.keySet(ctx, is, true); oerr != nil {
			return nil, oerr
		}
		payload, _, ok = tryKeys(tok, hdr, set)
	}
	if !ok {
		return nil, invalidGrant(fmt.Sprintf("signature: does not verify with the issuer's keys (kid %q)", hdr.KeyID), nil)
	}
	return payload, nil
}

// keySet fetches the issuer's keys. An issuer whose keys cannot be had
// is an outage of that issuer, not a fault of the assertion: 503, so the
// client tries again later.
func (h *Handler) keySet(ctx context.Context, is Issuer, refresh bool) (jose.JSONWebKeySet, *oauth.Error) {
	set, err := h.keys.KeySet(ctx, is.JWKSURL, refresh)
	if err != nil {
		return set, oauth.ErrTemporarilyUnavailable().
			WithDescription("the issuer's signing keys cannot be fetched; try again later").WithCause(err)
	}
	return set, nil
}

// tryKeys verifies tok with each key of set that fits its kid and alg and
// returns the payload. known reports that the set holds the named key.
func tryKeys(tok *jwt.JSONWebToken, hdr jose.Header, set jose.JSONWebKeySet) (payload []byte, known, ok bool) {
	var raw json.RawMessage
	known, ok = clientauth.VerifyWithKeySet(tok, hdr.KeyID, hdr.Algorithm, set, &raw)
	if !ok {
		return nil, known, false
	}
	return raw, known, true
}

// checkClaims applies RFC 7523 §3 to a verified assertion.
func (h *Handler) checkClaims(a assertion) *oauth.Error {
	now := h.now()
	c := a.claims
	switch {
	case a.subject == "":
		return invalidGrant(a.issuer.SubjectClaim+": missing or not a string", nil)
	case !audienceMatches(c.Audience, a.issuer.Audiences):
		return invalidGrant("aud: does not name this server ("+strings.Join(a.issuer.Audiences, " or ")+")", nil)
	case c.Expiry == nil:
		return invalidGrant("exp: missing", nil)
	case !now.Before(c.Expiry.Time().Add(leeway)):
		return invalidGrant("exp: expired", nil)
	case c.NotBefore != nil && c.NotBefore.Time().After(now.Add(leeway)):
		return invalidGrant("nbf: not valid yet", nil)
	case c.IssuedAt != nil && c.IssuedAt.Time().After(now.Add(leeway)):
		return invalidGrant("iat: in the future", nil)
	case c.ID == "":
		return invalidGrant("jti: missing; each assertion must carry one, for single use", nil)
	}
	from := now
	if c.IssuedAt != nil {
		from = c.IssuedAt.Time()
	}
	if life := c.Expiry.Time().Sub(from); life > a.issuer.MaxLifetime {
		return invalidGrant(fmt.Sprintf("exp: lies %s after iat (or now), more than the %s allowed",
			life.Round(time.Second), a.issuer.MaxLifetime), nil)
	}
	return nil
}

// audienceMatches: RFC 7523 §3 item 3, aud must identify this server.
func audienceMatches(aud jwt.Audience, accepted []string) bool {
	for _, a := range accepted {
		if aud.Contains(a) {
			return true
		}
	}
	return false
}

func algNames() string {
	names := make([]string, len(Algs))
	for i, a := range Algs {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}
