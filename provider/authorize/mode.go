package authorize

import (
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Response modes: OAuth 2.0 Multiple Response Type Encoding Practices §2.1,
// OAuth 2.0 Form Post Response Mode §2, and JARM §2.3 for the JWT modes.
const (
	ModeQuery       = "query"
	ModeFragment    = "fragment"
	ModeFormPost    = "form_post"
	ModeQueryJWT    = "query.jwt"
	ModeFragmentJWT = "fragment.jwt"
	ModeFormPostJWT = "form_post.jwt"
	// ModeJWT is JARM's shorthand for the JWT form of the response type's
	// default mode; Parse resolves it, so a Request never holds it.
	ModeJWT = "jwt"
)

const paramResponseMode = "response_mode"

// knownModes lists every mode there is.
var knownModes = []string{ModeQuery, ModeFragment, ModeFormPost, ModeQueryJWT, ModeFragmentJWT, ModeFormPostJWT, ModeJWT}

// IsJWTMode reports the modes whose response is a single JWT (JARM).
func IsJWTMode(mode string) bool { return mode == ModeJWT || strings.HasSuffix(mode, ".jwt") }

// DefaultMode is the mode a response type is encoded in when the request
// names none: the query for code (and none), the fragment for anything that
// returns a token (Multiple Response Type Encoding Practices §2.1, §3).
func DefaultMode(t ResponseType) string {
	if t.FrontChannelTokens() {
		return ModeFragment
	}
	return ModeQuery
}

// resolveMode checks the requested response_mode for response type t
// against the enabled modes, and returns the mode to use.
func resolveMode(requested string, t ResponseType, enabled []string) (string, *oauth.Error) {
	if requested == "" {
		return DefaultMode(t), nil
	}
	if !slices.Contains(knownModes, requested) {
		return "", invalid(oauth.ErrInvalidRequest, paramResponseMode, "%s is not a response mode", quote(requested))
	}
	if !slices.Contains(enabled, requested) && requested != DefaultMode(t) {
		return "", invalid(oauth.ErrInvalidRequest, paramResponseMode, "%s is not supported by this server", quote(requested))
	}
	mode := requested
	if mode == ModeJWT {
		mode = DefaultMode(t) + ".jwt"
	}
	// Multiple Response Type Encoding Practices §5: parameters whose
	// default is the fragment never go in the query, where they would be
	// logged and leak through Referer. JARM §2.3.1 says the same of
	// query.jwt unless the JWT is encrypted.
	if t.FrontChannelTokens() && (mode == ModeQuery || mode == ModeQueryJWT) {
		return "", invalid(oauth.ErrInvalidRequest, paramResponseMode,
			"%s cannot carry response type %s, which returns tokens", quote(requested), quote(string(t)))
	}
	return mode, nil
}

// errorMode is the mode an error is encoded in: the requested one when it
// is acceptable, otherwise the default of the (possibly invalid) response
// type.
func errorMode(p params, enabled []string) string {
	t := looseResponseType(p.get(paramResponseType))
	if rt, err := ParseResponseType(p.get(paramResponseType)); err == nil {
		t = rt
	}
	if mode, e := resolveMode(p.get(paramResponseMode), t, enabled); e == nil {
		return mode
	}
	return DefaultMode(t)
}
