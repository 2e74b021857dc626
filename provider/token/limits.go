package token

import (
	"strconv"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// formLimits bounds the token request's own parameters (see oauth's
// limits table). They are checked before the client is authenticated, so
// that no overlong value reaches a store; the client's credentials are
// package clientauth's to bound, as their errors are invalid_client.
var formLimits = []oauth.Limit{
	{Param: "grant_type", Max: oauth.MaxGrantType},
	{Param: "code", Max: oauth.MaxCode},
	{Param: "redirect_uri", Max: oauth.MaxRedirectURI},
	{Param: "code_verifier", Max: oauth.MaxCodeVerifier},
	{Param: "refresh_token", Max: oauth.MaxRefreshToken},
	{Param: "scope", Max: oauth.MaxScope},
	{Param: "resource", Max: oauth.MaxResource},
	{Param: "device_code", Max: oauth.MaxDeviceCode},
	{Param: "subject_token", Max: oauth.MaxExchangedToken},
	{Param: "actor_token", Max: oauth.MaxExchangedToken},
	{Param: "subject_token_type", Max: oauth.MaxTokenType},
	{Param: "actor_token_type", Max: oauth.MaxTokenType},
	{Param: "requested_token_type", Max: oauth.MaxTokenType},
	{Param: "audience", Max: oauth.MaxAudience},
	{Param: "assertion", Max: oauth.MaxAssertion},
}

// checkForm refuses a token request with a parameter beyond its limit, too
// many scope values, or a code_verifier that RFC 7636 §4.1 does not allow
// (43 to 128 characters of A-Z, a-z, 0-9 and -._~). The verifier is
// checked here rather than with the code, so that a malformed one does
// not use the code up.
func checkForm(form map[string][]string) *oauth.Error {
	get := func(name string) string {
		if v := form[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if l, over := oauth.Overlong(get, formLimits); over {
		return oauth.ErrInvalidRequest().WithDescription(l.Param + ": longer than " + strconv.Itoa(l.Max) + " bytes")
	}
	if len(strings.Fields(get("scope"))) > oauth.MaxScopeValues {
		return oauth.ErrInvalidRequest().WithDescription("scope: more than " + strconv.Itoa(oauth.MaxScopeValues) + " values")
	}
	if v := get("code_verifier"); v != "" && !validVerifier(v) {
		return oauth.ErrInvalidRequest().WithDescription("code_verifier: must be 43 to 128 characters of A-Z, a-z, 0-9 and -._~ (RFC 7636 4.1)")
	}
	return nil
}

// validVerifier: code-verifier = 43*128unreserved (RFC 7636 §4.1).
func validVerifier(s string) bool {
	if len(s) < oauth.MinCodeVerifier || len(s) > oauth.MaxCodeVerifier {
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
