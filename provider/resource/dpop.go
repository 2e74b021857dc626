package resource

import (
	"net/http"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/dpop"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// DPoP at protected resources (RFC 9449 §7): a DPoP-bound access token
// (cnf.jkt) comes in "Authorization: DPoP <token>" with a proof of its
// key made for this request and this token (ath); as a Bearer token it
// is refused, and an unbound token is refused under the DPoP scheme, so
// that a client never believes a token protected that is not.

// readToken is readBearer, and with DPoP on also the DPoP scheme; dpopUsed
// tells which scheme carried the token.
func (h *Handler) readToken(w http.ResponseWriter, r *http.Request) (token string, dpopUsed bool, e *oauth.Error) {
	token, e = readBearer(w, r)
	if e != nil || token != "" || h.opts.DPoP == nil {
		return token, false, e
	}
	values := r.Header.Values("Authorization")
	if len(values) != 1 {
		return "", false, nil
	}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !strings.EqualFold(scheme, dpop.Scheme) {
		return "", false, nil
	}
	rest = strings.TrimSpace(rest)
	if !isToken68(rest) {
		return "", true, oauth.ErrInvalidRequest().WithDescription("The Authorization header must hold a DPoP token.")
	}
	return rest, true, nil
}

// boundKey is the thumbprint a token is bound to, "" for an unbound one.
func boundKey(ac tokens.AccessClaims) string {
	jkt, _ := ac.Cnf["jkt"].(string)
	return jkt
}

// checkProof holds a request to the binding of its token.
func (h *Handler) checkProof(r *http.Request, dpopUsed bool, token string, ac tokens.AccessClaims) *oauth.Error {
	jkt := boundKey(ac)
	switch {
	case !dpopUsed && jkt == "":
		return nil
	case !dpopUsed:
		return oauth.ErrInvalidToken().WithDescription("The access token is DPoP-bound: send it with the DPoP scheme and a proof.")
	case jkt == "":
		return oauth.ErrInvalidToken().WithDescription("The access token is not DPoP-bound; send it as a Bearer token.")
	}
	p, present, e := h.opts.DPoP.Check(r.Context(), r.Header, dpop.Target{Method: r.Method, URLs: h.opts.UserInfoURLs, AccessToken: token})
	switch {
	case e != nil:
		return e
	case !present:
		return oauth.ErrInvalidDPoPProof().WithDescription("A DPoP proof is required with a DPoP token.")
	case p.JKT != jkt:
		return oauth.ErrInvalidToken().WithDescription("The DPoP proof's key is not the one the access token is bound to.")
	}
	return nil
}

// writeTokenError answers with the DPoP challenge when the request used
// DPoP or its token is DPoP-bound (§7.1), else with the Bearer one.
func (h *Handler) writeTokenError(w http.ResponseWriter, e *oauth.Error, scope string, useDPoP bool) {
	if useDPoP && h.opts.DPoP != nil {
		h.opts.DPoP.WriteChallenge(w, e)
		return
	}
	writeBearerError(w, e, scope)
}
