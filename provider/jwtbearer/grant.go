package jwtbearer

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/token"
)

// Grant serves a token request with grant_type jwt-bearer (RFC 7523 §2.1).
// The pipeline has authenticated the client and checked that it
// registered the grant type; this checks the assertion (§3), finds the
// person and says what to issue: an access token only.
//
// The order keeps the cheap checks first and the single use of the jti
// last but for nothing: an assertion refused for any other reason, or
// met by a directory outage, is not used up and may be sent again.
func (h *Handler) Grant(ctx context.Context, c oauth.Client, form url.Values) (token.Issue, *oauth.Error) {
	raw := form.Get("assertion")
	switch {
	case c.Metadata.TokenEndpointAuthMethod == "none":
		// Anyone may claim to be a public client: an assertion that
		// leaked would be a token for anyone who found it.
		return token.Issue{}, oauth.ErrUnauthorizedClient().WithDescription("grant_type: a public client cannot use the JWT bearer grant")
	case raw == "":
		return token.Issue{}, oauth.ErrInvalidRequest().WithDescription("assertion: missing")
	case len(raw) > oauth.MaxAssertion:
		return token.Issue{}, oauth.ErrInvalidRequest().WithDescription("assertion: longer than " + strconv.Itoa(oauth.MaxAssertion) + " bytes")
	}
	scopes, oerr := grantedScopes(c, form.Get("scope"))
	if oerr != nil {
		return token.Issue{}, oerr
	}
	a, oerr := h.verify(ctx, raw)
	if oerr != nil {
		return token.Issue{}, oerr
	}
	if oerr := h.checkClaims(a); oerr != nil {
		return token.Issue{}, oerr
	}
	if len(a.issuer.Clients) > 0 && !slices.Contains(a.issuer.Clients, c.ID) {
		// An assertion that leaked is useless to a client the issuer's
		// partnership does not name.
		return token.Issue{}, oauth.ErrUnauthorizedClient().WithDescription("assertion: iss: the client may not present this issuer's assertions")
	}
	user, oerr := h.person(ctx, a)
	if oerr != nil {
		return token.Issue{}, oerr
	}
	if oerr := h.useJTI(ctx, a); oerr != nil {
		return token.Issue{}, oerr
	}
	return token.Issue{Subject: user.Subject, Scopes: scopes, AccessOnly: true}, nil
}

// grantedScopes is the scope asked for, each value registered for the
// client (RFC 7521 §4.1: the scope of an assertion grant is the client's
// to ask for, within what the server allows it); none asked for means
// all the client registered, as for client_credentials.
func grantedScopes(c oauth.Client, scope string) ([]string, *oauth.Error) {
	requested := strings.Fields(scope)
	if len(requested) == 0 {
		return slices.Clone(c.Metadata.Scope), nil
	}
	for _, s := range requested {
		if !slices.Contains(c.Metadata.Scope, s) {
			return nil, oauth.ErrInvalidScope().WithDescription("scope: " + s + " is not registered for the client")
		}
	}
	return requested, nil
}

// person finds whom the assertion names, by the issuer's lookup mode.
func (h *Handler) person(ctx context.Context, a assertion) (oauth.User, *oauth.Error) {
	var user oauth.User
	var err error
	if a.issuer.Lookup == LookupSubject {
		user, err = h.people.Lookup(ctx, a.subject)
	} else {
		user, err = h.people.LookupByUsername(ctx, a.subject)
	}
	switch {
	case errors.Is(err, storage.ErrInactive):
		return user, invalidGrant("the person may no longer sign in", err)
	case errors.Is(err, storage.ErrNotFound):
		return user, invalidGrant(a.issuer.SubjectClaim+": names no person in the directory", err)
	case err != nil:
		return user, oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").WithCause(err)
	}
	return user, nil
}

func invalidGrant(desc string, cause error) *oauth.Error {
	e := oauth.ErrInvalidGrant().WithDescription("assertion: " + desc)
	if cause != nil {
		e = e.WithCause(cause)
	}
	return e
}
