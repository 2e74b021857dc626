package profile

import (
	"encoding/json"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The profiles, by the names op.profile and gatehouse_profile take.
const (
	None           = ""
	Security       = "fapi2-security"
	MessageSigning = "fapi2-message-signing"
)

// Member is the client metadata member that names a client's own
// profile; having no attribute in the 1.15 schema, it is kept with the
// other extra members (in LDAP: oauthClientData).
const Member = "gatehouse_profile"

// Names lists the profiles that may be configured or registered.
var Names = []string{Security, MessageSigning}

// Algs are the JWS algorithms FAPI 2.0 allows (Security Profile §5.4.1):
// PS256, ES256 and EdDSA; no RS256, no HS*, no none.
var Algs = []string{"PS256", "ES256", "EdDSA"}

// DefaultAlg is the algorithm a profile client's ID tokens (and, under
// message signing, its JWT responses) are signed with when it registered
// none: the others default to RS256, which the profile forbids.
const DefaultAlg = "PS256"

// AuthMethods are the client authentication methods FAPI 2.0 allows
// (Security Profile §5.3.2.1: MTLS or private_key_jwt).
var AuthMethods = []string{"private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"}

// MaxCodeLifetime is the longest life of a profile client's codes
// (Security Profile §5.3.2.1: "authorization codes ... valid for at most
// one minute").
const MaxCodeLifetime = 60 * time.Second

// Known tells a profile name from a typo.
func Known(name string) bool { return name == Security || name == MessageSigning }

// strength orders the profiles: message signing includes the security
// profile.
func strength(name string) int {
	switch name {
	case Security:
		return 1
	case MessageSigning:
		return 2
	}
	return 0
}

// Of is the profile client metadata m is held to under the deployment's
// profile: the stronger of the two. An unknown gatehouse_profile (which
// registration refuses) counts as none.
func Of(deployment string, m oauth.Metadata) string {
	own := Registered(m)
	if strength(own) > strength(deployment) {
		return own
	}
	return deployment
}

// Registered is the client's own gatehouse_profile, "" when it has none
// or it is not a string.
func Registered(m oauth.Metadata) string {
	raw, ok := m.Extra[Member]
	if !ok {
		return None
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return None
	}
	return s
}

// Policy is the deployment's profile (op.profile), the value the hooks
// hang on. The zero Policy holds no client to anything beyond its own
// gatehouse_profile.
type Policy struct {
	Deployment string
}

// For is the profile a client is held to.
func (p Policy) For(m oauth.Metadata) string { return Of(p.Deployment, m) }

// KeepRefreshTokens tells the token endpoint not to rotate the client's
// refresh tokens: Security Profile §5.3.2.1 forbids rotation "except in
// extraordinary circumstances", and keeping the token is the simplest way
// to comply.
func (p Policy) KeepRefreshTokens(m oauth.Metadata) bool { return p.For(m) != None }

// CodeLifetime caps the lifetime of a client's codes: MaxCodeLifetime
// under a profile, 0 (no cap) without.
func (p Policy) CodeLifetime(m oauth.Metadata) time.Duration {
	if p.For(m) == None {
		return 0
	}
	return MaxCodeLifetime
}
