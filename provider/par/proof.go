package par

import (
	"context"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// PushRules checks a validated push against the rules the client is held
// to beyond those of /authorize (a security profile such as FAPI 2.0);
// jkt is the DPoP key the code is bound to, "" for none. An error is
// answered as it is.
type PushRules func(client clientauth.Result, req authorize.Request, jkt string) *oauth.Error

// proof runs the DPoP seam, if any.
func (h *Handler) proof(w http.ResponseWriter, r *http.Request) (string, func(context.Context) *oauth.Error, *oauth.Error) {
	if h.opts.Proof == nil {
		return "", nil, nil
	}
	return h.opts.Proof(r, w.Header())
}

// bindProof binds the code to the key of the push's DPoP proof (RFC 9449
// §10.1). A dpop_jkt parameter (possibly from the request object) that
// names another key is refused: "the authorization server MUST reject
// the request" when the two differ.
func bindProof(req *authorize.Request, jkt string) *oauth.Error {
	switch {
	case jkt == "":
		return nil
	case req.DPoPJKT != "" && req.DPoPJKT != jkt:
		return oauth.ErrInvalidDPoPProof().WithDescription("dpop_jkt does not match the key of the DPoP proof.")
	}
	req.DPoPJKT = jkt
	return nil
}
