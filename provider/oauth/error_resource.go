package oauth

import (
	"net/http"
	"strings"
)

// Answers of resources protected by bearer tokens (RFC 6750 §3), such as
// the UserInfo endpoint. ErrInvalidToken and ErrInsufficientScope are in
// error.go.

// BearerRealm is the realm of the provider's Bearer challenges.
const BearerRealm = "gatehouse"

// WriteBearer writes e as the answer to a request made with a bearer
// token: the WWW-Authenticate challenge with the error code, its
// description and, for insufficient_scope, the scope needed (RFC 6750
// §3), then the JSON body. The challenge goes on every status, since a
// client reads the error from it first.
func (e *Error) WriteBearer(w http.ResponseWriter, scope string) {
	c := `Bearer realm="` + BearerRealm + `", error="` + e.Code + `"`
	if d := challengeText(e.Description); d != "" {
		c += `, error_description="` + d + `"`
	}
	if s := challengeText(scope); s != "" {
		c += `, scope="` + s + `"`
	}
	w.Header().Set("WWW-Authenticate", c)
	e.WriteJSON(w)
}

// WriteBearerMissing answers a request that carried no token at all: 401
// with the bare challenge and no error code (RFC 6750 §3.1: "the resource
// server SHOULD NOT include an error code or other error information"),
// followed by the challenges of other schemes the resource accepts.
func WriteBearerMissing(w http.ResponseWriter, others ...string) {
	h := w.Header()
	h.Set("WWW-Authenticate", `Bearer realm="`+BearerRealm+`"`)
	for _, c := range others {
		h.Add("WWW-Authenticate", c)
	}
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusUnauthorized)
}

// challengeText keeps the characters RFC 6750 §3 allows in the quoted
// error_description and scope values (%x20-21 / %x23-5B / %x5D-7E): no
// quote, no backslash, nothing outside printable ASCII.
func challengeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}
