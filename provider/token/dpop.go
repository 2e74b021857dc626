package token

import (
	"context"
	"maps"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/dpop"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// DPoP at the token endpoint (RFC 9449 §5): a request with a valid proof
// gets tokens bound to the proof's key — cnf.jkt in the access token,
// token_type DPoP — and, for a public client, refresh tokens that only
// the key's holder can use.

// confirmationMemberJKT is the cnf member of DPoP-bound tokens (§6.1).
const confirmationMemberJKT = "jkt"

// tokenTypeDPoP is the token_type of DPoP-bound access tokens (§5).
const tokenTypeDPoP = "DPoP"

// readProof checks the request's DPoP proof, if any, before the client is
// authenticated: a client told to retry with a nonce must not find its
// client assertion used up. Its jti is not recorded yet (the caller calls
// Use once the client is authenticated). The proof's JKT is "" without a
// proof or with DPoP off; a nonce is offered on the answer.
func (h *Handler) readProof(w http.ResponseWriter, r *http.Request) (dpop.Proof, *oauth.Error) {
	if h.DPoP == nil || len(r.Header.Values(dpop.HeaderName)) == 0 {
		return dpop.Proof{}, nil
	}
	h.DPoP.OfferNonce(w.Header())
	p, _, e := h.DPoP.CheckUnused(r.Context(), r.Header, dpop.Target{Method: r.Method, URLs: h.TokenURLs})
	if e != nil {
		return dpop.Proof{}, e
	}
	return p, nil
}

// requireProof refuses a client that registered dpop_bound_access_tokens
// (§5.2) and sent no proof.
func (h *Handler) requireProof(c oauth.Client, jkt string) *oauth.Error {
	if h.DPoP != nil && jkt == "" && c.Metadata.DPoPBoundAccessTokens() {
		return oauth.ErrInvalidDPoPProof().WithDescription("The client must send a DPoP proof with every token request.")
	}
	return nil
}

// withJKT adds the DPoP binding to the request's confirmation; a request
// may be bound to a certificate and a key at once.
func withJKT(cnf map[string]any, jkt string) map[string]any {
	if jkt == "" {
		return cnf
	}
	cnf = maps.Clone(cnf)
	if cnf == nil {
		cnf = map[string]any{}
	}
	cnf[confirmationMemberJKT] = jkt
	return cnf
}

// proofKeyOf is the thumbprint of the request's DPoP key, "" without one.
func proofKeyOf(ctx context.Context) string {
	jkt, _ := confirmationOf(ctx)[confirmationMemberJKT].(string)
	return jkt
}

// checkCodeBinding holds a code to the key named by dpop_jkt in its
// authorization request (§10): the token request must prove that key.
func checkCodeBinding(ctx context.Context, want string) *oauth.Error {
	if want == "" {
		return nil
	}
	if got := proofKeyOf(ctx); got == "" || !sameHash(got, want) {
		return oauth.ErrInvalidGrant().WithDescription("code: bound by dpop_jkt to a key this request does not prove")
	}
	return nil
}
