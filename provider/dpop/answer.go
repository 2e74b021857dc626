package dpop

import (
	"net/http"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Scheme is the authorization scheme of DPoP-bound access tokens (§7.1).
const Scheme = "DPoP"

// WriteChallenge answers a request to a protected resource whose DPoP
// token or proof failed (§7.1): the status (401 for token and proof
// errors, 403 for insufficient_scope), a DPoP challenge with the error
// and the accepted algorithms, a fresh nonce when the proof lacked one,
// and the JSON body. Errors of the server itself (503) are plain JSON.
func (c *Checker) WriteChallenge(w http.ResponseWriter, e *oauth.Error) {
	switch e.Code {
	case oauth.ErrInvalidDPoPProof().Code, oauth.ErrUseDPoPNonce().Code:
		e = e.WithStatus(http.StatusUnauthorized)
	}
	if e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden && e.Status != http.StatusBadRequest {
		e.WriteJSON(w)
		return
	}
	ch := Scheme + ` error="` + e.Code + `"`
	if d := quotable(e.Description); d != "" {
		ch += `, error_description="` + d + `"`
	}
	ch += `, algs="` + strings.Join(c.opts.Algs, " ") + `"`
	w.Header().Set("WWW-Authenticate", ch)
	if e.Code == oauth.ErrUseDPoPNonce().Code {
		c.OfferNonce(w.Header())
	}
	e.WriteJSON(w)
}

// quotable keeps the characters a quoted-string may hold without escapes.
func quotable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// MissingChallenge is the DPoP challenge of a request that carried no
// token at all: the scheme and the accepted algorithms, no error (RFC
// 9449 §7.1, as RFC 6750 §3.1 for Bearer).
func (c *Checker) MissingChallenge() string {
	return Scheme + ` algs="` + strings.Join(c.opts.Algs, " ") + `"`
}
