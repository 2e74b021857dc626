package authorize

import (
	"encoding/base64"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// dpopJKT reads dpop_jkt (RFC 9449 §10): the base64url SHA-256
// thumbprint (RFC 7638) of the key the client will prove at the token
// endpoint. Anything else could never match a proof, so it is refused
// here rather than at redemption.
func (v *validation) dpopJKT() *oauth.Error {
	jkt := v.in.get(paramDPoPJKT)
	if jkt == "" {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(jkt)
	if err != nil || len(raw) != 32 {
		return invalid(oauth.ErrInvalidRequest, paramDPoPJKT, "must be the base64url SHA-256 thumbprint of a JWK (RFC 7638)")
	}
	v.req.DPoPJKT = jkt
	return nil
}
