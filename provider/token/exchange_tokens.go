package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/pairwise"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// party is a subject_token or actor_token once checked: whom it names,
// the scope it carried (access tokens only), its own act claim, and
// whether it was an ID token.
type party struct {
	claims  tokens.AccessClaims
	act     any
	idToken bool
}

// revocationList is what Revoker may offer beyond Revoke: reading the
// list (resource.Revocations does), so that a revoked access token cannot
// be exchanged for a fresh one.
type revocationList interface {
	Revoked(ctx context.Context, jti string) (bool, error)
}

// exchanged reads subject_token or actor_token (name) with its _type: an
// access token of ours, valid now and not revoked; for subject_token also
// an ID token of ours issued to the requesting client itself. Refusals
// are invalid_request (RFC 8693 §2.2.2).
func (h *Handler) exchanged(ctx context.Context, c oauth.Client, form url.Values, name string, required bool) (party, *oauth.Error) {
	raw, typ := form.Get(name), form.Get(name+"_type")
	switch {
	case raw == "" && required:
		return party{}, refuseToken(name + ": missing")
	case raw == "" && typ != "":
		return party{}, refuseToken(name + "_type: given without " + name)
	case raw == "":
		return party{}, nil
	case typ == "":
		return party{}, refuseToken(name + "_type: missing")
	case typ == tokenTypeAccess:
		return h.exchangedAccess(ctx, raw, name)
	case typ == tokenTypeID && name == "subject_token":
		return h.exchangedIDToken(ctx, c, raw)
	case name == "subject_token":
		return party{}, refuseToken(name + "_type: only " + tokenTypeAccess + " and " + tokenTypeID + " are accepted")
	}
	return party{}, refuseToken(name + "_type: only " + tokenTypeAccess + " is accepted")
}

// exchangedAccess checks an access token of ours, and that it was not
// revoked (RFC 7009): revoking a token must also end what it could still
// be traded for.
func (h *Handler) exchangedAccess(ctx context.Context, raw, name string) (party, *oauth.Error) {
	claims, err := h.Minter.ParseAccessToken(ctx, raw)
	if err != nil {
		return party{}, refuseToken(name + ": not a valid access token of this server").WithCause(err)
	}
	if claims.PublicSubject != "" {
		// A pairwise client's token: its subject is sealed, and the issued
		// token would show the person's own.
		return party{}, refuseToken(name + ": the access tokens of a pairwise client cannot be exchanged")
	}
	if !sameBinding(claims.Cnf, confirmationOf(ctx)) {
		// A bound token is worth nothing stolen; exchanging it must not
		// turn it into one that is.
		return party{}, refuseToken(name + ": the token is bound to a key or certificate the request does not prove")
	}
	if list, ok := h.Revoker.(revocationList); ok {
		revoked, err := list.Revoked(ctx, claims.JTI)
		switch {
		case err != nil:
			return party{}, unavailable(err)
		case revoked:
			return party{}, refuseToken(name + ": revoked")
		}
	}
	p, _ := payloadOf(raw)
	return party{claims: claims, act: p.Act}, nil
}

// exchangedIDToken checks an ID token of ours issued to the requesting
// client (its aud, or azp), unexpired: the client shows that the person
// signed in to it, and trades that for an access token for elsewhere.
// An encrypted ID token, or one of a pairwise client (whose sub is not
// the person's own subject), cannot be exchanged.
func (h *Handler) exchangedIDToken(ctx context.Context, c oauth.Client, raw string) (party, *oauth.Error) {
	const name = "subject_token"
	switch {
	case strings.Count(raw, ".") != 2:
		return party{}, refuseToken(name + ": an encrypted ID token cannot be exchanged")
	case pairwise.Applies(c.Metadata):
		return party{}, refuseToken(name + ": the ID tokens of a pairwise client cannot be exchanged")
	}
	self := func(_ context.Context, id string) (oauth.Client, error) {
		if id != c.ID {
			return oauth.Client{}, storage.ErrNotFound
		}
		return c, nil
	}
	hint, err := h.Minter.CheckIDTokenHint(ctx, raw, c.ID, self)
	if err != nil {
		return party{}, refuseToken(name + ": not an ID token of this server issued to the client").WithCause(err)
	}
	p, err := payloadOf(raw)
	switch {
	case err != nil:
		return party{}, refuseToken(name + ": not an ID token of this server issued to the client").WithCause(err)
	case p.Exp == 0 || !h.Now().Before(time.Unix(p.Exp, 0)):
		return party{}, refuseToken(name + ": the ID token has expired")
	}
	claims := tokens.AccessClaims{Subject: hint.Subject}
	if p.AuthTime > 0 {
		claims.AuthTime = time.Unix(p.AuthTime, 0)
	}
	return party{claims: claims, act: p.Act, idToken: true}, nil
}

// exchangedScopes is the scope of the issued token: within the subject
// access token's scope (default: all of it); for an ID token, which
// carries no scope, within the client's registered scopes (default: all
// of them, as for client_credentials).
func exchangedScopes(c oauth.Client, subject party, scope string) ([]string, *oauth.Error) {
	allowed, of := subject.claims.Scopes, "the subject_token's scope"
	if subject.idToken {
		allowed, of = c.Metadata.Scope, "the client's registered scope"
	}
	requested := strings.Fields(scope)
	if len(requested) == 0 {
		return slices.Clone(allowed), nil
	}
	for _, s := range requested {
		if !slices.Contains(allowed, s) {
			return nil, oauth.ErrInvalidScope().WithDescription("scope: " + s + " is not in " + of)
		}
	}
	return requested, nil
}

// payload are the claims read from a token whose signature has been
// checked, beyond those its parser returns.
type payload struct {
	Exp      int64 `json:"exp"`
	AuthTime int64 `json:"auth_time"`
	Act      any   `json:"act"`
}

func payloadOf(jws string) (payload, error) {
	var p payload
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return p, errors.New("not a compact JWS")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(raw, &p)
}

func refuseToken(desc string) *oauth.Error {
	return oauth.ErrInvalidRequest().WithDescription(desc)
}

// sameBinding: a token bound by its cnf (RFC 8705 x5t#S256, RFC 9449
// jkt) is accepted only from a request that proves each of its members;
// an unbound token from anyone.
func sameBinding(token, request map[string]any) bool {
	for k, v := range token {
		if request[k] != v {
			return false
		}
	}
	return true
}
