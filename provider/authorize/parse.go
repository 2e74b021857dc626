package authorize

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Parameter names of OpenID Connect Core §3.1.2.1 and its extensions.
const (
	paramClientID            = "client_id"
	paramResponseType        = "response_type"
	paramScope               = "scope"
	paramState               = "state"
	paramNonce               = "nonce"
	paramCodeChallenge       = "code_challenge"
	paramCodeChallengeMethod = "code_challenge_method"
	paramPrompt              = "prompt"
	paramMaxAge              = "max_age"
	paramDisplay             = "display"
	paramLoginHint           = "login_hint"
	paramIDTokenHint         = "id_token_hint"
	paramUILocales           = "ui_locales"
	paramClaimsLocales       = "claims_locales"
	paramACRValues           = "acr_values"
	paramClaims              = "claims"
	paramRequest             = "request"
	paramRequestURI          = "request_uri"
	paramDPoPJKT             = "dpop_jkt"
)

// Parse reads and validates an authorization request (OpenID Connect Core
// §3.1.2, RFC 6749 §4.1.1, RFC 7636, RFC 9101). Every error is a *Failure:
// shown as a page while the client or its redirect URI is in doubt,
// redirected to the client after that.
func Parse(ctx context.Context, r *http.Request, deps Deps) (Request, error) {
	p := &parser{deps: &deps}
	req, f := p.parse(ctx, r)
	if f != nil {
		return Request{}, f
	}
	return req, nil
}

type parser struct {
	deps *Deps
	// pushing: the request arrives at the pushed authorization request
	// endpoint (ParsePushed), not at /authorize.
	pushing bool
}

func (p *parser) parse(ctx context.Context, r *http.Request) (Request, *Failure) {
	outer, e := readParams(r)
	if e != nil {
		return Request{}, showFailure("", e)
	}
	client, f := p.client(ctx, outer)
	if f != nil {
		return Request{}, f
	}
	if p.deps.Pushed != nil && IsPushedURI(outer.get(paramRequestURI)) {
		return p.pushed(ctx, outer, client)
	}
	return p.validate(ctx, outer, client)
}

// validate reads the request's parameters, from its request object if it
// has one, and applies the rules.
func (p *parser) validate(ctx context.Context, outer params, client oauth.Client) (Request, *Failure) {
	in, reply, info, f := p.source(ctx, outer, client)
	if f != nil {
		return Request{}, f
	}
	v := &validation{in: in, client: client, deps: p.deps, pushing: p.pushing, req: Request{
		Issuer: p.deps.Config.Issuer, ClientID: client.ID, Client: client,
		RedirectURI: reply.uri, RedirectURIGiven: reply.given, RequestObject: info,
	}}
	if e := v.run(); e != nil {
		return Request{}, reply.fail(e)
	}
	if e := storedSize(v.req); e != nil {
		return Request{}, reply.fail(e)
	}
	v.req.ResponseMode = clientMode(v.req.ResponseMode, client, p.deps.Config.ResponseModes)
	if !p.pushing && p.deps.Rules != nil {
		if e := p.deps.Rules(v.req); e != nil {
			return Request{}, reply.fail(e)
		}
	}
	return v.req, nil
}

// client finds the client named by client_id. Its errors are shown: with
// no client there is no redirect URI to trust.
func (p *parser) client(ctx context.Context, in params) (oauth.Client, *Failure) {
	if slices.Contains(in.repeated, paramClientID) {
		return oauth.Client{}, showFailure("", invalid(oauth.ErrInvalidRequest, paramClientID, "given more than once"))
	}
	id := in.get(paramClientID)
	if id == "" {
		return oauth.Client{}, showFailure("", invalid(oauth.ErrInvalidRequest, paramClientID, "missing"))
	}
	if len(id) > oauth.MaxClientID {
		// No client has such an ID (registration refuses them): answered
		// as an unknown client, without asking the directory.
		return oauth.Client{}, showFailure(clip(id), invalid(oauth.ErrInvalidRequest, paramClientID,
			"no client is registered as %s", quote(id)))
	}
	c, err := p.deps.Clients(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return c, showFailure(id, invalid(oauth.ErrInvalidRequest, paramClientID, "no client is registered as %s", quote(id)))
	case errors.Is(err, storage.ErrUnavailable):
		return c, showFailure(id, oauth.ErrTemporarilyUnavailable().WithCause(err).
			WithDescription("The client registry cannot be reached; please try again shortly."))
	case err != nil:
		return c, showFailure(id, oauth.ErrServerError().WithCause(err).WithDescription("The client could not be looked up."))
	}
	return c, nil
}

// source returns the parameters that make up the request and where its
// errors go. With a request object only the object's parameters count
// (RFC 9101 §5 and §6.3), client_id aside; errors met while getting the
// object go to the redirect URI the outer parameters name, when that is a
// registered one.
func (p *parser) source(ctx context.Context, outer params, c oauth.Client) (params, replyTo, *ObjectInfo, *Failure) {
	reply, f := p.replyFor(outer, c)
	if f != nil {
		return params{}, reply, nil, f
	}
	if len(outer.repeated) > 0 {
		return params{}, reply, nil, reply.fail(invalid(oauth.ErrInvalidRequest, outer.repeated[0], "given more than once"))
	}
	if !outer.has(paramRequest) && !outer.has(paramRequestURI) {
		return outer, reply, nil, nil
	}
	inner, info, e := p.requestObject(ctx, outer, c)
	if e != nil {
		return params{}, reply, nil, reply.fail(e)
	}
	if reply, f = p.replyFor(inner, c); f != nil {
		return params{}, reply, nil, f
	}
	return inner, reply, info, nil
}

// replyFor works out where errors of a request with parameters in go.
func (p *parser) replyFor(in params, c oauth.Client) (replyTo, *Failure) {
	uri, given, e := resolveRedirect(in, c)
	if e != nil {
		return replyTo{}, showFailure(c.ID, e)
	}
	return replyTo{
		issuer: p.deps.Config.Issuer, clientID: c.ID, uri: uri, given: given,
		mode:  clientMode(errorMode(in, p.deps.Config.ResponseModes), c, p.deps.Config.ResponseModes),
		state: echoedState(in.get(paramState)),
	}, nil
}
