package authorize

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Prompt values of OpenID Connect Core §3.1.2.1.
const (
	promptNone          = "none"
	promptLogin         = "login"
	promptConsent       = "consent"
	promptSelectAccount = "select_account"
)

// authMethodNone marks a public client (RFC 7591 §2), which cannot keep a
// secret and so must prove possession of the code by PKCE.
const authMethodNone = "none"

// validation checks the parameters of a request whose redirect URI is
// known, filling in req as it goes. Every error it returns is redirected.
type validation struct {
	in     params
	client oauth.Client
	deps   *Deps
	req    Request
	// pushing: see parser.pushing.
	pushing bool
}

// run applies the rules in order; the first broken one is reported. The
// lengths come first, so that no other rule reads an overlong value; then
// the response type, as the mode of the later errors depends on it.
func (v *validation) run() *oauth.Error {
	for _, rule := range []func() *oauth.Error{
		v.lengths,
		v.responseType,
		v.responseMode,
		v.pushedOnly,
		v.scope,
		v.openIDRedirect,
		v.nonce,
		v.pkce,
		v.dpopJKT,
		v.prompt,
		v.maxAge,
		v.claims,
		v.plain,
	} {
		if e := rule(); e != nil {
			return e
		}
	}
	return nil
}

// responseType: required, one the server serves, and one the client
// registered (response_types, by default code: RFC 7591 §2).
func (v *validation) responseType() *oauth.Error {
	raw := v.in.get(paramResponseType)
	if raw == "" {
		return invalid(oauth.ErrInvalidRequest, paramResponseType, "missing")
	}
	t, err := ParseResponseType(raw)
	if err != nil {
		return invalid(oauth.ErrUnsupportedResponseType, paramResponseType, "%s %v", quote(raw), err)
	}
	if !t.inList(v.deps.responseTypes()) {
		return invalid(oauth.ErrUnsupportedResponseType, paramResponseType, "%s is not supported by this server", quote(raw))
	}
	registered := v.client.Metadata.ResponseTypes
	if registered == nil {
		registered = []string{rtCode}
	}
	if !t.inList(registered) {
		return invalid(oauth.ErrUnauthorizedClient, paramResponseType, "the client is not registered for %s", quote(raw))
	}
	v.req.ResponseType = t
	return nil
}

func (v *validation) responseMode() *oauth.Error {
	mode, e := resolveMode(v.in.get(paramResponseMode), v.req.ResponseType, v.deps.Config.ResponseModes)
	v.req.ResponseMode = mode
	return e
}

// pushedOnly: see requirePushed (pushed.go).
func (v *validation) pushedOnly() *oauth.Error {
	return v.requirePushed(v.pushing)
}

// scope: well-formed; openid wherever an ID token is asked for; and, when
// the client registered scope values, only those (openid is always
// allowed: it switches the protocol rather than granting access).
func (v *validation) scope() *oauth.Error {
	scopes, err := ParseScope(v.in.get(paramScope))
	if err != nil {
		return invalid(oauth.ErrInvalidScope, paramScope, "%v", err)
	}
	if len(scopes) > oauth.MaxScopeValues {
		return invalid(oauth.ErrInvalidRequest, paramScope, "more than %d values", oauth.MaxScopeValues)
	}
	v.req.Scopes = scopes
	if v.req.ResponseType.IDToken() && !v.req.OpenID() {
		return invalid(oauth.ErrInvalidScope, paramScope, "response type %s needs the openid scope", quote(string(v.req.ResponseType)))
	}
	if registered := v.client.Metadata.Scope; registered != nil {
		for _, s := range scopes {
			if s != scopeOpenID && !slices.Contains(registered, s) {
				return invalid(oauth.ErrInvalidScope, paramScope, "%s is not registered for this client", quote(s))
			}
		}
	}
	return nil
}

// openIDRedirect: OpenID Connect Core §3.1.2.1 makes redirect_uri
// REQUIRED, where RFC 6749 lets a client with one registered URI leave it
// out. That URI is known and registered, so the error goes there.
func (v *validation) openIDRedirect() *oauth.Error {
	if v.req.OpenID() && !v.req.RedirectURIGiven {
		return invalid(oauth.ErrInvalidRequest, paramRedirectURI, "required in an OpenID Connect request")
	}
	return nil
}

// nonce: required for OpenID Connect requests that return tokens from the
// authorization endpoint — the implicit flow (Core §3.2.2.1) and the
// hybrid flow (Core §3.3.2.11) — since the ID token's nonce is what binds
// the response to the browser that started the request.
func (v *validation) nonce() *oauth.Error {
	v.req.Nonce = v.in.get(paramNonce)
	if v.req.Nonce == "" && v.req.OpenID() && v.req.ResponseType.FrontChannelTokens() {
		return invalid(oauth.ErrInvalidRequest, paramNonce, "required for response type %s", quote(string(v.req.ResponseType)))
	}
	return nil
}

// pkce applies RFC 7636 with S256 only: plain, which is also the default
// when code_challenge_method is absent (§4.3), protects nothing against an
// attacker who can read the authorization request.
func (v *validation) pkce() *oauth.Error {
	challenge, method := v.in.get(paramCodeChallenge), v.in.get(paramCodeChallengeMethod)
	if challenge == "" {
		if method != "" {
			return invalid(oauth.ErrInvalidRequest, paramCodeChallengeMethod, "given without code_challenge")
		}
		if !v.req.ResponseType.Code() {
			return nil
		}
		if v.client.Metadata.TokenEndpointAuthMethod == authMethodNone {
			return invalid(oauth.ErrInvalidRequest, paramCodeChallenge, "required: a public client must use PKCE (RFC 7636) with S256")
		}
		if v.deps.Config.RequirePKCE {
			return invalid(oauth.ErrInvalidRequest, paramCodeChallenge, "required: this server asks every client for PKCE (RFC 7636) with S256")
		}
		return nil
	}
	switch method {
	case "S256":
	case "":
		return invalid(oauth.ErrInvalidRequest, paramCodeChallengeMethod, "missing: it must be S256 (without it the method is plain, which is not accepted)")
	case "plain":
		return invalid(oauth.ErrInvalidRequest, paramCodeChallengeMethod, "plain is not accepted; use S256")
	default:
		return invalid(oauth.ErrInvalidRequest, paramCodeChallengeMethod, "%s is not supported; use S256", quote(method))
	}
	if !validChallenge(challenge) {
		return invalid(oauth.ErrInvalidRequest, paramCodeChallenge,
			"must be 43 to 128 characters of A-Z, a-z, 0-9 and -._~ (RFC 7636 §4.2)")
	}
	v.req.CodeChallenge, v.req.CodeChallengeMethod = challenge, method
	return nil
}

// validChallenge: code-challenge = 43*128unreserved (RFC 7636 §4.2, with
// unreserved from RFC 3986 §2.3).
func validChallenge(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
		if !ok {
			return false
		}
	}
	return true
}

// prompt: known values only, and none alone (OpenID Connect Core
// §3.1.2.1: none with any other value is an error).
func (v *validation) prompt() *oauth.Error {
	vals := splitList(v.in.get(paramPrompt))
	for _, p := range vals {
		switch p {
		case promptNone, promptLogin, promptConsent, promptSelectAccount:
		default:
			return invalid(oauth.ErrInvalidRequest, paramPrompt, "%s is not a prompt value (none, login, consent, select_account)", quote(p))
		}
	}
	if slices.Contains(vals, promptNone) && len(vals) > 1 {
		return invalid(oauth.ErrInvalidRequest, paramPrompt, "none cannot be combined with other values")
	}
	v.req.Prompt = vals
	return nil
}

// maxAge: a non-negative number of seconds; without one, the client's
// default_max_age applies (OpenID Connect Registration §2).
func (v *validation) maxAge() *oauth.Error {
	raw := v.in.get(paramMaxAge)
	if raw == "" {
		if d := v.client.Metadata.DefaultMaxAge; d != nil {
			age := *d
			v.req.MaxAge = &age
		}
		return nil
	}
	n, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || strings.TrimLeft(raw, "0123456789") != "" || n > math.MaxInt32 {
		return invalid(oauth.ErrInvalidRequest, paramMaxAge, "must be a non-negative whole number of seconds, not %s", quote(raw))
	}
	age := int(n)
	v.req.MaxAge = &age
	return nil
}

func (v *validation) claims() *oauth.Error {
	raw := v.in.get(paramClaims)
	if raw == "" {
		return nil
	}
	c, err := parseClaimsRequest(raw)
	if err != nil {
		return invalid(oauth.ErrInvalidRequest, paramClaims, "%v", err)
	}
	v.req.Claims = c
	return nil
}

// plain copies the parameters that are kept as given.
func (v *validation) plain() *oauth.Error {
	r, in := &v.req, v.in
	r.State = in.get(paramState)
	r.Display = in.get(paramDisplay)
	r.LoginHint = in.get(paramLoginHint)
	r.IDTokenHint = in.get(paramIDTokenHint)
	r.UILocales = splitList(in.get(paramUILocales))
	r.ClaimsLocales = splitList(in.get(paramClaimsLocales))
	r.ACRValues = splitList(in.get(paramACRValues))
	if r.ACRValues == nil {
		// §5.5.1.1: acr asked for through the claims parameter is a
		// request for those authentication context classes, as acr_values is.
		r.ACRValues = r.Claims.RequestedACR()
	}
	if r.ACRValues == nil && len(v.client.Metadata.DefaultACRValues) > 0 {
		r.ACRValues = slices.Clone(v.client.Metadata.DefaultACRValues)
	}
	return nil
}
