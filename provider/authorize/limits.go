package authorize

import (
	"encoding/json"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// paramLimits bounds the parameters Parse reads (see oauth's limits
// table). client_id and redirect_uri are checked before the client is
// trusted, request and request_uri where the object is read; the rest is
// the first rule of a validation, so its errors are redirected.
var paramLimits = []oauth.Limit{
	{Param: paramState, Max: oauth.MaxState},
	{Param: paramNonce, Max: oauth.MaxNonce},
	{Param: paramScope, Max: oauth.MaxScope},
	{Param: paramResponseType, Max: oauth.MaxResponseType},
	{Param: paramResponseMode, Max: oauth.MaxResponseMode},
	{Param: paramPrompt, Max: oauth.MaxPrompt},
	{Param: paramDisplay, Max: oauth.MaxDisplay},
	{Param: paramUILocales, Max: oauth.MaxUILocales},
	{Param: paramClaimsLocales, Max: oauth.MaxClaimsLocales},
	{Param: paramACRValues, Max: oauth.MaxACRValues},
	{Param: paramMaxAge, Max: oauth.MaxMaxAge},
	{Param: paramLoginHint, Max: oauth.MaxLoginHint},
	{Param: paramIDTokenHint, Max: oauth.MaxIDTokenHint},
	{Param: paramClaims, Max: oauth.MaxClaims},
	{Param: paramCodeChallenge, Max: oauth.MaxCodeChallenge},
	{Param: paramDPoPJKT, Max: oauth.MaxDPoPJKT},
}

// maxStoredRequest bounds a validated Request as JSON, which the pending
// flow keeps (session.DefaultMaxValueBytes bounds what the stores take).
const maxStoredRequest = oauth.MaxStoredAuthorizationRequest

// lengths is the first rule: no parameter beyond its limit.
func (v *validation) lengths() *oauth.Error {
	if l, over := oauth.Overlong(v.in.get, paramLimits); over {
		return tooLong(l)
	}
	return nil
}

// storedSize refuses a request too large to keep as a pending flow.
func storedSize(req Request) *oauth.Error {
	b, err := json.Marshal(req)
	if err != nil || len(b) > maxStoredRequest {
		return oauth.ErrInvalidRequest().WithDescription("the request is too large")
	}
	return nil
}

func tooLong(l oauth.Limit) *oauth.Error {
	return invalid(oauth.ErrInvalidRequest, l.Param, "longer than %d bytes", l.Max)
}

// echoedState is the state to send back with an error. RFC 6749 §4.1.2.1
// wants the state the client sent; one beyond its limit is left out rather
// than reflected: the request is refused for it, and a redirect carrying
// an arbitrary amount of the client's text is what the limit prevents.
func echoedState(state string) string {
	if len(state) > oauth.MaxState {
		return ""
	}
	return state
}

// clip shortens a value for the log.
func clip(s string) string {
	const maxLogged = 64
	if len(s) > maxLogged {
		return s[:maxLogged] + "..."
	}
	return s
}
