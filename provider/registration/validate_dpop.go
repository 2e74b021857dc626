package registration

import (
	"encoding/json"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// dpop checks dpop_bound_access_tokens (RFC 9449 §5.2): kept among the
// extra members, it must still be a boolean, or a client that believes
// it asked for DPoP would get tokens without it.
func (v *validator) dpop() *oauth.Error {
	raw, ok := v.m.Extra[oauth.MemberDPoPBoundAccessTokens]
	if !ok {
		return nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return invalidMetadata(oauth.MemberDPoPBoundAccessTokens, "must be a boolean")
	}
	return nil
}

// profile holds the client to its security profile (op.profile or its
// own gatehouse_profile), last, once the defaults are filled in.
func (v *validator) profile() *oauth.Error {
	return v.policy.Profile.Register(v.m)
}
