package registration

import (
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/profile"
)

// Config is the part of the configuration that governs registration.
type Config struct {
	// MasterTokenSHA256 is the SHA-256 of the master token in hex, either
	// case (op.reg.masterTokenSHA256). Empty: no master token.
	MasterTokenSHA256 string
	// AllowOpenRegistration lets anyone register a client for the
	// authorization_code and refresh_token grants.
	AllowOpenRegistration bool
	// SecretRolloverWindow is how long a replaced secret stays valid. Zero
	// turns rollover off: a replaced secret stops working at once.
	SecretRolloverWindow time.Duration
	Policy               Policy
}

// Policy is what the server supports, which bounds what clients may
// register.
type Policy struct {
	// AuthMethods are the token endpoint authentication methods on offer
	// (op.token.authMethods).
	AuthMethods []string
	// AuthzJWSAlgs, AuthzJWEAlgs and AuthzJWEEncs bound the JWT-secured
	// authorization responses (JARM): op.authz.responseJWSAlgs,
	// responseJWEAlgs and responseJWEEncs.
	AuthzJWSAlgs []string
	AuthzJWEAlgs []string
	AuthzJWEEncs []string
	// Profile holds clients to a security profile (op.profile, and each
	// client's gatehouse_profile): provider/profile.
	Profile profile.Policy

	// OpenPrivateAddresses lets clients registered openly name internal
	// hosts, and lifts the connection guard on them
	// (op.reg.allowOpenPrivateAddresses): for a lab only, docs/ssrf.md.
	OpenPrivateAddresses bool
}
