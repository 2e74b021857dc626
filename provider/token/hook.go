package token

import (
	"context"
	"net/url"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// Grant is a grant type served by a package of its own (the device grant
// of provider/device): it checks its part of the request and says whom to
// issue tokens to; the pipeline around it has authenticated the client and
// checked its registered grant types, and mints the tokens, so that such a
// grant cannot skip a shared check nor mint differently.
type Grant func(ctx context.Context, c oauth.Client, form url.Values) (Issue, *oauth.Error)

// Issue is what an outside grant asks the pipeline to issue: the same
// tokens as the code grant — an access token, an ID token when openid was
// granted, a refresh token when the client may have one.
type Issue struct {
	Subject string
	// Scopes and Claims are what the person granted.
	Scopes, Claims []string
	// AuthTime, ACR, AMR and SID describe the sign-in that granted it.
	AuthTime time.Time
	ACR      string
	AMR      []string
	SID      string
	// AccessOnly issues the access token alone: no ID token and no
	// refresh token, for grants where nobody signed in here (the JWT
	// bearer grant, RFC 7523: an ID token would claim an authentication
	// this server never saw; the client asks again with a new assertion).
	AccessOnly bool
}

// outside wraps an outside grant into the pipeline's grant: the resource
// is read first, so that a bad request does not use the grant up.
func (h *Handler) outside(g Grant) grant {
	return func(ctx context.Context, c oauth.Client, form url.Values) (response, *oauth.Error) {
		aud, oerr := audience(form)
		if oerr != nil {
			return response{}, oerr
		}
		is, oerr := g(ctx, c, form)
		if oerr != nil {
			return response{}, oerr
		}
		cg := session.CodeGrant{
			ClientID: c.ID, Subject: is.Subject, SessionSID: is.SID, Scopes: is.Scopes, Claims: is.Claims,
			AuthTime: is.AuthTime, ACR: is.ACR, AMR: is.AMR,
		}
		if is.AccessOnly {
			resp, _, oerr := h.mintAccess(ctx, c, cg, aud)
			return resp, oerr
		}
		resp, _, oerr := h.issueTokens(ctx, c, cg, "", aud)
		if oerr != nil {
			return response{}, oerr
		}
		if h.offersRefresh(c, cg.Scopes) {
			var err error
			if resp.RefreshToken, err = h.startRefresh(ctx, c, cg); err != nil {
				return response{}, unavailable(err)
			}
		}
		return resp, nil
	}
}
