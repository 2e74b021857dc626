package authorize

import (
	"net/url"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Request is a validated authorization request. It is stored with the
// pending flow between the login and consent pages, so it round-trips
// through JSON; Client is the exception (see there).
type Request struct {
	// Issuer is this server's issuer, the iss of every response (RFC 9207).
	Issuer   string `json:"iss"`
	ClientID string `json:"client_id"`
	// Client is the client as Parse found it. It is not stored with the
	// flow: whoever resumes a flow looks the client up again by ClientID,
	// so that it sees current metadata and no secret reaches the session
	// store.
	Client oauth.Client `json:"-"`

	// RedirectURI is the URI to respond to: the redirect_uri as requested
	// (for a native client's loopback URI, with the port it asked for), or
	// the client's only registered URI when the request named none.
	RedirectURI string `json:"redirect_uri"`
	// RedirectURIGiven: the request carried redirect_uri, which the token
	// request must then repeat (RFC 6749 §4.1.3).
	RedirectURIGiven bool `json:"redirect_uri_given,omitempty"`

	ResponseType ResponseType `json:"response_type"`
	// ResponseMode is always set: the requested mode, or the default of
	// the response type; "jwt" is resolved to query.jwt or fragment.jwt.
	ResponseMode string `json:"response_mode"`

	// Scopes in the order requested, without repeats.
	Scopes []string `json:"scope,omitempty"`
	State  string   `json:"state,omitempty"`
	Nonce  string   `json:"nonce,omitempty"`

	CodeChallenge       string `json:"code_challenge,omitempty"`
	CodeChallengeMethod string `json:"code_challenge_method,omitempty"`
	// DPoPJKT is dpop_jkt (RFC 9449 §10): the thumbprint of the DPoP key
	// the code will be bound to.
	DPoPJKT string `json:"dpop_jkt,omitempty"`

	// Prompt holds the prompt values as requested, without repeats; see
	// PromptNone, ForceLogin and ForceConsent for what they ask.
	Prompt []string `json:"prompt,omitempty"`
	// MaxAge is max_age, or the client's default_max_age when the request
	// has none (OpenID Connect Registration §2); nil when neither is set.
	MaxAge *int `json:"max_age,omitempty"`
	// ACRValues is acr_values, or the client's default_acr_values.
	ACRValues     []string `json:"acr_values,omitempty"`
	Display       string   `json:"display,omitempty"`
	LoginHint     string   `json:"login_hint,omitempty"`
	IDTokenHint   string   `json:"id_token_hint,omitempty"`
	UILocales     []string `json:"ui_locales,omitempty"`
	ClaimsLocales []string `json:"claims_locales,omitempty"`
	// Claims is the claims parameter (OpenID Connect Core §5.5), nil when
	// absent.
	Claims *ClaimsRequest `json:"claims,omitempty"`

	// RequestObject describes the request object the parameters came
	// from; nil for a plain request.
	RequestObject *ObjectInfo `json:"request_object,omitempty"`
}

// ObjectInfo describes a verified request object (RFC 9101).
type ObjectInfo struct {
	// Source is "request" (by value) or "request_uri" (by reference).
	Source string `json:"source"`
	URI    string `json:"uri,omitempty"`
	// Alg and KeyID are the JWS algorithm and the kid of the key that
	// verified the signature (KeyID is empty for keys without one).
	Alg   string `json:"alg"`
	KeyID string `json:"kid,omitempty"`
	// EncAlg and Enc are set when the object was encrypted.
	EncAlg string `json:"enc_alg,omitempty"`
	Enc    string `json:"enc,omitempty"`
	JTI    string `json:"jti,omitempty"`
	// ExpiresAt is exp, in seconds since the epoch; zero when absent.
	ExpiresAt int64 `json:"exp,omitempty"`
}

// OpenID reports an OpenID Connect request: one whose scope holds openid.
func (r Request) OpenID() bool { return slices.Contains(r.Scopes, scopeOpenID) }

// PromptNone: the client wants no page shown; a request that would need
// one is answered with login_required, consent_required or
// interaction_required (OpenID Connect Core §3.1.2.1).
func (r Request) PromptNone() bool { return slices.Contains(r.Prompt, promptNone) }

// ForceLogin: the person must sign in again even with a live session.
// select_account counts as login: with one account per directory there is
// nothing to select, and signing in again is how another account is chosen.
func (r Request) ForceLogin() bool {
	return slices.Contains(r.Prompt, promptLogin) || slices.Contains(r.Prompt, promptSelectAccount)
}

// ForceConsent: consent must be asked even when it was given before.
func (r Request) ForceConsent() bool { return slices.Contains(r.Prompt, promptConsent) }

// Response returns the successful response carrying params (code,
// id_token, ...) to the client, with state added. Respond adds iss.
func (r Request) Response(params url.Values) Response {
	out := make(url.Values, len(params)+1)
	for k, v := range params {
		out[k] = slices.Clone(v)
	}
	if r.State != "" {
		out.Set("state", r.State)
	}
	return Response{RedirectURI: r.RedirectURI, Mode: r.ResponseMode, Params: out, Issuer: r.Issuer, ClientID: r.ClientID}
}

// ErrorResponse returns the redirect that reports e to the client, for
// the errors found after parsing: login_required, consent_required,
// access_denied, server_error and the like.
func (r Request) ErrorResponse(e *oauth.Error) Response {
	return Response{
		RedirectURI: r.RedirectURI, Mode: r.ResponseMode, Params: errorParams(e, r.State),
		Issuer: r.Issuer, ClientID: r.ClientID,
	}
}
