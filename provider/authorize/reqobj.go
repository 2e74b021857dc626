package authorize

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// requestObject gets, opens and checks the request object of a request
// that has request or request_uri (OpenID Connect Core §6, RFC 9101), and
// returns its parameters. All its errors are redirected.
func (p *parser) requestObject(ctx context.Context, outer params, c oauth.Client) (params, *ObjectInfo, *oauth.Error) {
	byValue, byRef := outer.get(paramRequest), outer.get(paramRequestURI)
	cfg := p.deps.Config
	info := &ObjectInfo{}
	var jwt string
	switch {
	case byValue != "" && byRef != "":
		return params{}, nil, invalid(oauth.ErrInvalidRequest, paramRequest, "cannot be used together with request_uri")
	case byValue != "":
		if !cfg.RequestParameter {
			return params{}, nil, invalid(oauth.ErrRequestNotSupported, paramRequest, "this server does not accept request objects by value")
		}
		if len(byValue) > oauth.MaxRequestObject {
			return params{}, nil, tooLong(oauth.Limit{Param: paramRequest, Max: oauth.MaxRequestObject})
		}
		jwt, info.Source = byValue, paramRequest
	default:
		if !cfg.RequestURIParameter || p.deps.Keys == nil {
			return params{}, nil, invalid(oauth.ErrRequestURINotSupported, paramRequestURI, "this server does not accept request objects by reference")
		}
		if e := checkRequestURI(byRef, c); e != nil {
			return params{}, nil, e
		}
		body, err := p.deps.Keys.RequestObject(netguard.Guard(ctx, c.Metadata.OpenlyRegistered()), byRef)
		if err != nil {
			return params{}, nil, invalid(oauth.ErrInvalidRequestURI, paramRequestURI, "the request object could not be fetched").WithCause(err)
		}
		if len(body) > oauth.MaxRequestObject {
			return params{}, nil, invalid(oauth.ErrInvalidRequestURI, paramRequestURI, "the request object is longer than %d bytes", oauth.MaxRequestObject)
		}
		jwt, info.Source, info.URI = strings.TrimSpace(string(body)), paramRequestURI, byRef
	}
	claims, e := p.openObject(ctx, jwt, c, info)
	if e != nil {
		return params{}, nil, e
	}
	if e := checkObjectClaims(claims, c.ID, p.deps, info); e != nil {
		return params{}, nil, e
	}
	in, e := objectParams(claims, c.ID, info.Source)
	return in, info, e
}

// checkRequestURI: an https URL (OpenID Connect Core §6.2) that the
// client registered in request_uris, as this server always requires
// (Discovery's require_request_uri_registration): otherwise anyone could
// make the server fetch any URL.
func checkRequestURI(raw string, c oauth.Client) *oauth.Error {
	if len(raw) > oauth.MaxRequestURI {
		return tooLong(oauth.Limit{Param: paramRequestURI, Max: oauth.MaxRequestURI})
	}
	if IsPushedURI(raw) {
		// Reached only without a store of pushed requests (Deps.Pushed).
		return invalid(oauth.ErrInvalidRequestURI, paramRequestURI, "pushed authorization requests (RFC 9126) are not supported by this server")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return invalid(oauth.ErrInvalidRequestURI, paramRequestURI, "must be an https URL")
	}
	if !slices.ContainsFunc(c.Metadata.RequestURIs, func(reg string) bool { return requestURIMatches(reg, raw) }) {
		return invalid(oauth.ErrInvalidRequestURI, paramRequestURI, "%s is not registered for this client (request_uris)", quote(raw))
	}
	return nil
}

// requestURIMatches compares a requested request_uri with a registered
// one, fragments aside (Core §6.2 lets the fragment carry a hash of the
// contents, to defeat caches). A registered https URL whose path ends in
// "/" also covers everything below that path, for clients that publish a
// new object per request; the path fixes scheme, host and port, so no
// prefix can reach another server.
func requestURIMatches(registered, requested string) bool {
	reg, _, _ := strings.Cut(registered, "#")
	req, _, _ := strings.Cut(requested, "#")
	if reg == req {
		return true
	}
	u, err := url.Parse(reg)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" ||
		!strings.HasSuffix(u.EscapedPath(), "/") || !strings.HasSuffix(reg, "/") {
		return false
	}
	return strings.HasPrefix(req, reg)
}

// openObject decrypts the object when it is a JWE, verifies its signature
// and returns its claims.
func (p *parser) openObject(ctx context.Context, jwt string, c oauth.Client, info *ObjectInfo) (map[string]json.RawMessage, *oauth.Error) {
	src := info.Source
	switch strings.Count(jwt, ".") {
	case 4:
		inner, e := p.decrypt(ctx, jwt, c, info)
		if e != nil {
			return nil, e
		}
		jwt = inner
		if strings.Count(jwt, ".") != 2 {
			return nil, invalid(oauth.ErrInvalidRequestObject, src, "the encrypted request object must hold a signed JWT")
		}
	case 2:
	default:
		return nil, invalid(oauth.ErrInvalidRequestObject, src, "the request object is not a JWT in compact serialization")
	}
	payload, e := p.verify(ctx, jwt, c, info)
	if e != nil {
		return nil, e
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil || claims == nil {
		return nil, invalid(oauth.ErrInvalidRequestObject, src, "the request object's claims are not a JSON object")
	}
	return claims, nil
}

// joseHeader holds what is read from a JOSE header before go-jose checks
// the object, so that a refusal can say exactly why.
type joseHeader struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Kid string `json:"kid"`
}

func compactHeader(compact string) (joseHeader, error) {
	var h joseHeader
	first, _, _ := strings.Cut(compact, ".")
	raw, err := base64.RawURLEncoding.DecodeString(first)
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return h, err
	}
	if h.Alg == "" {
		return h, errors.New("no alg")
	}
	return h, nil
}

// jwtClaims are the claims of RFC 7519 §4.1 that a request object may hold
// beside the request parameters; they are not parameters.
var jwtClaims = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}

// knownParams are the parameters Parse reads: in a request object their
// values must be strings (max_age and claims aside).
var knownParams = []string{
	paramClientID, paramResponseType, paramResponseMode, paramRedirectURI, paramScope, paramState,
	paramNonce, paramCodeChallenge, paramCodeChallengeMethod, paramPrompt, paramMaxAge, paramDisplay,
	paramLoginHint, paramIDTokenHint, paramUILocales, paramClaimsLocales, paramACRValues, paramClaims,
	paramDPoPJKT,
}

// objectParams turns the claims of a request object into parameters.
// max_age may be a JSON number and claims a JSON object, as OpenID
// Connect Core §6.1 has them; extension members whose values are not
// strings are not read.
func objectParams(claims map[string]json.RawMessage, clientID, src string) (params, *oauth.Error) {
	in := params{values: map[string]string{}}
	for _, name := range slices.Sorted(maps.Keys(claims)) {
		raw := claims[name]
		switch {
		case slices.Contains(jwtClaims, name), isNull(raw):
			continue
		case name == paramRequest || name == paramRequestURI:
			return params{}, invalid(oauth.ErrInvalidRequestObject, src, "a request object must not hold %s (OpenID Connect Core 6.1)", name)
		}
		var s string
		err := json.Unmarshal(raw, &s)
		switch {
		case err == nil:
		case name == paramClaims && raw[0] == '{':
			s = string(raw)
		case name == paramMaxAge:
			var n json.Number
			if json.Unmarshal(raw, &n) != nil {
				return params{}, invalid(oauth.ErrInvalidRequestObject, src, "max_age must be a number")
			}
			s = n.String()
		case slices.Contains(knownParams, name):
			return params{}, invalid(oauth.ErrInvalidRequestObject, src, "%s must be a string", name)
		default:
			continue
		}
		if s != "" {
			in.values[name] = s
		}
	}
	in.values[paramClientID] = clientID
	return in, nil
}
