package dpop

import (
	"context"
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

// PushedRequest is the DPoP check of a pushed authorization request
// (RFC 9449 §10.1, RFC 9126), for the PAR endpoint to call with its own
// URLs and the request's dpop_jkt parameter ("" when absent). It returns
// the thumbprint the authorization code is to be bound to: the proof's
// key when a proof came, else dpopJKT. A proof and a dpop_jkt naming
// different keys are refused. On an error the caller answers with
// e.WriteJSON after OfferNonce. A nil Checker (DPoP off) binds to dpopJKT
// alone.
func (c *Checker) PushedRequest(ctx context.Context, r *http.Request, urls []string, dpopJKT string) (string, *oauth.Error) {
	if c == nil {
		return dpopJKT, nil
	}
	p, present, e := c.Check(ctx, r.Header, Target{Method: r.Method, URLs: urls})
	switch {
	case e != nil:
		return "", e
	case !present:
		return dpopJKT, nil
	case dpopJKT != "" && !sameText(dpopJKT, p.JKT):
		return "", invalid("dpop_jkt does not match the key of the DPoP proof.")
	}
	return p.JKT, nil
}

// MissingChallenge is the DPoP challenge of a request that carried no
// token at all: the scheme and the accepted algorithms, no error (RFC
// 9449 §7.1, as RFC 6750 §3.1 for Bearer).
func (c *Checker) MissingChallenge() string {
	return Scheme + ` algs="` + strings.Join(c.opts.Algs, " ") + `"`
}
