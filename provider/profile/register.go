package profile

import (
	"encoding/json"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Register is registration's hook, run after its own checks (so that
// response_types and token_endpoint_auth_method hold their defaults): it
// checks gatehouse_profile, fills in what the profile makes the default
// — PS256 for id_token_signed_response_alg and, under message signing,
// for authorization_signed_response_alg, where the defaults would be
// RS256 — and refuses metadata that breaks a rule, naming the rule.
func (p Policy) Register(m *oauth.Metadata) *oauth.Error {
	if raw, ok := m.Extra[Member]; ok {
		var name string
		if json.Unmarshal(raw, &name) != nil || !Known(name) {
			return oauth.ErrInvalidClientMetadata().WithDescription(Member + ": must be one of " + strings.Join(Names, ", "))
		}
	}
	prof := p.For(*m)
	if prof == None {
		return nil
	}
	if m.IDTokenSignedResponseAlg == "" {
		m.IDTokenSignedResponseAlg = DefaultAlg
	}
	if prof == MessageSigning && m.AuthorizationSignedResponseAlg == "" {
		m.AuthorizationSignedResponseAlg = DefaultAlg
	}
	if v := Check(prof, AtRegistration, Facts{Client: *m, AuthMethod: m.TokenEndpointAuthMethod}); v != nil {
		return oauth.ErrInvalidClientMetadata().WithDescription(v.Error())
	}
	return nil
}
