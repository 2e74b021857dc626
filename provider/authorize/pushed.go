package authorize

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// PushedURIPrefix starts every request_uri the pushed authorization
// request endpoint issues (RFC 9126 §2.2). A request_uri of this form is
// looked up in the store of pushed requests, never fetched over HTTP.
const PushedURIPrefix = "urn:ietf:params:oauth:request_uri:"

// PushedLookup takes the pushed request that requestURI stands for, once:
// a second call with the same URI finds nothing. The request is bound to
// the client that pushed it, so a lookup under another client_id finds
// nothing either. Unknown, used, expired and foreign URIs are all
// storage.ErrNotFound; a store that cannot answer is storage.ErrUnavailable.
type PushedLookup func(ctx context.Context, clientID, requestURI string) (Request, error)

// IsPushedURI tells a request_uri issued by the pushed authorization
// request endpoint from one a client publishes.
func IsPushedURI(requestURI string) bool {
	return strings.HasPrefix(requestURI, PushedURIPrefix)
}

// ParsePushed validates a pushed authorization request (RFC 9126 §2.1)
// for client, which the caller has authenticated. The form is the body of
// the request to the endpoint; client authentication parameters in it are
// not authorization request parameters and are not read. The rules are
// those of Parse, but every error is for the client, as JSON: nothing is
// redirected from the endpoint (§2.3).
func ParsePushed(ctx context.Context, form url.Values, client oauth.Client, deps Deps) (Request, *oauth.Error) {
	outer := fromValues(form)
	if outer.has(paramRequestURI) {
		// §2.1: the request_uri is what the endpoint hands out; a request
		// that carries one cannot be pushed.
		return Request{}, invalid(oauth.ErrInvalidRequest, paramRequestURI, "must not be sent to the pushed authorization request endpoint")
	}
	if id := outer.get(paramClientID); id != "" && id != client.ID {
		return Request{}, invalid(oauth.ErrInvalidRequest, paramClientID, "does not name the authenticated client")
	}
	p := &parser{deps: &deps, pushing: true}
	req, f := p.validate(ctx, outer, client)
	if f != nil {
		return Request{}, f.Err
	}
	return req, nil
}

// pushed answers an authorization request that names a pushed request by
// its request_uri (RFC 9126 §4): the request as validated when it was
// pushed, taken once. Parameters sent beside client_id and request_uri
// are ignored, as the pushed ones take their place. Every failure is a
// page: the redirect URI is in the pushed request, which is not there.
// Only called with deps.Pushed set.
func (p *parser) pushed(ctx context.Context, outer params, c oauth.Client) (Request, *Failure) {
	uri := outer.get(paramRequestURI)
	if len(uri) > oauth.MaxRequestURI {
		return Request{}, showFailure(c.ID, tooLong(oauth.Limit{Param: paramRequestURI, Max: oauth.MaxRequestURI}))
	}
	req, err := p.deps.Pushed(ctx, c.ID, uri)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		// §4: an expired request_uri must be refused; so is one used
		// before (§7.3 of RFC 9126 asks for one-time use) or pushed by
		// another client.
		return Request{}, showFailure(c.ID, invalid(oauth.ErrInvalidRequestURI, paramRequestURI,
			"unknown, expired, already used, or pushed by another client"))
	case errors.Is(err, storage.ErrUnavailable):
		return Request{}, showFailure(c.ID, oauth.ErrTemporarilyUnavailable().WithCause(err).
			WithDescription("The session store cannot be reached; please try again shortly."))
	case err != nil:
		return Request{}, showFailure(c.ID, oauth.ErrServerError().WithCause(err).
			WithDescription("The pushed authorization request could not be read."))
	}
	if req.ClientID != c.ID {
		return Request{}, showFailure(c.ID, invalid(oauth.ErrInvalidRequestURI, paramRequestURI, "pushed by another client"))
	}
	// The client may have changed since the push; its redirect URI must
	// still be registered (RFC 9126 §4 lets the checks done at the push be
	// skipped only while their outcome cannot have changed).
	if _, _, e := resolveRedirect(params{values: map[string]string{paramRedirectURI: req.RedirectURI}}, c); e != nil {
		return Request{}, showFailure(c.ID, e)
	}
	req.Client = c
	return req, nil
}

// requirePushed: a request that did not come through the pushed
// authorization request endpoint is refused when the server
// (op.par.require) or the client (require_pushed_authorization_requests,
// RFC 9126 §5 and §6) asks for pushed requests only.
func (v *validation) requirePushed(pushing bool) *oauth.Error {
	if pushing {
		return nil
	}
	switch {
	case v.deps.Config.RequirePushed:
		return invalid(oauth.ErrInvalidRequest, paramRequestURI,
			"this server accepts only pushed authorization requests (RFC 9126)")
	case v.client.Metadata.RequirePushedAuthorizationRequests:
		return invalid(oauth.ErrInvalidRequest, paramClientID,
			"the client must use pushed authorization requests (RFC 9126)")
	}
	return nil
}
