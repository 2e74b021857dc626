package oauth

import "encoding/json"

// MemberDPoPBoundAccessTokens is RFC 9449 §5.2's client metadata member.
// Connect2id's schema has no attribute for it, so it lives among the
// Extra members (in LDAP: oauthClientData).
const MemberDPoPBoundAccessTokens = "dpop_bound_access_tokens"

// DPoPBoundAccessTokens tells whether the client registered
// dpop_bound_access_tokens true: then every token request of it must
// carry a DPoP proof. A value that is not a JSON boolean reads as false;
// registration refuses such values.
func (m Metadata) DPoPBoundAccessTokens() bool {
	raw, ok := m.Extra[MemberDPoPBoundAccessTokens]
	if !ok {
		return false
	}
	var v bool
	return json.Unmarshal(raw, &v) == nil && v
}
