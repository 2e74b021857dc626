package audit

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Event types: the value of Event.Type. Part of the schema; new types may
// be added.
const (
	// TypeSignIn is a password check at /login, whatever its Outcome.
	TypeSignIn = "signin"
	// TypeConsent is a person's answer on the consent page (Outcome
	// allow or deny).
	TypeConsent = "consent"
	// TypeTokenIssued is a successful token response.
	TypeTokenIssued = "token_issued"
	// TypeRefreshReuse is a rotated refresh token presented again: the
	// grant's refresh tokens are revoked.
	TypeRefreshReuse = "refresh_reuse"
	// TypeCodeReplay is an authorization code presented a second time:
	// the tokens of its first redemption are revoked.
	TypeCodeReplay = "code_replay"
	// TypeRevocation is a token revoked at /token/revoke.
	TypeRevocation = "revocation"
	// TypeClientCreated, TypeClientUpdated and TypeClientDeleted are
	// changes to a registration; TypeClientSecretRotated is an update
	// that gave the client a new secret.
	TypeClientCreated       = "client_created"
	TypeClientUpdated       = "client_updated"
	TypeClientDeleted       = "client_deleted"
	TypeClientSecretRotated = "client_secret_rotated"
	// TypeKeyRotation is a new signing key set made current.
	TypeKeyRotation = "key_rotation"
	// TypeThrottle is a failed sign-in that made the throttle refuse
	// further attempts for a while.
	TypeThrottle = "throttle"
	// TypeLogout is a browser session ended by the person (RP-initiated
	// logout); TypeBackchannelLogout one attempt to tell a client of it
	// (Outcome delivered, retry, failed or dropped).
	TypeLogout            = "logout"
	TypeBackchannelLogout = "backchannel_logout"
	// TypePasskeyFailed is a passkey refused at /login/passkey or
	// /mfa/passkey (Outcome invalid or throttled; Detail says why: an
	// unknown credential, a signature not valid, a cloned authenticator).
	// A passkey sign-in that succeeds is a TypeSignIn.
	TypePasskeyFailed = "passkey_failed"
	// TypeSecondFactor is a second factor that stepped a session up
	// (Detail: passkey).
	TypeSecondFactor = "second_factor"
	// A person's own changes to their sign-in methods (the account page,
	// and passkey enrolment): an authenticator added (Detail totp or
	// passkey), renamed or removed, and a new set of recovery codes.
	TypeAuthenticatorAdded   = "authenticator_added"
	TypeAuthenticatorRenamed = "authenticator_renamed"
	TypeAuthenticatorRemoved = "authenticator_removed"
	TypeRecoveryCodesRenewed = "recovery_codes_renewed"
	// TypeAuthorizationRevoked is a person revoking an application's
	// access on the account page (its consent and refresh tokens).
	TypeAuthorizationRevoked = "authorization_revoked"
	// TypeSessionsEnded is a person signing out a browser (Detail one) or
	// every browser (Detail all) on the account page.
	TypeSessionsEnded = "sessions_ended"
)

// Sign-in outcomes: Event.Outcome of TypeSignIn.
const (
	OutcomeOK             = "ok"
	OutcomeInvalid        = "invalid" // unknown user or wrong password
	OutcomeLocked         = "locked"
	OutcomeExpired        = "expired" // the password has expired
	OutcomeMustChange     = "must_change"
	OutcomeDisabled       = "disabled"
	OutcomeAccountExpired = "account_expired"
	OutcomeNotPermitted   = "not_permitted"
	OutcomeThrottled      = "throttled"   // refused before the directory was asked
	OutcomeUnavailable    = "unavailable" // the directory did not answer
)

// Other outcomes.
const (
	OutcomeAllow   = "allow"   // consent
	OutcomeDeny    = "deny"    // consent
	OutcomeRevoked = "revoked" // revocation
	// OutcomeForeign: a revocation request for a token of another client,
	// answered as for an unknown one and left alone.
	OutcomeForeign = "foreign"
)

// Event is one security-relevant fact. Every field but Time and Type is
// optional and left out of the JSON when empty. It must never hold a
// secret, a password, an authorization code or a token value.
type Event struct {
	// Time is when it happened (UTC, RFC 3339 with fraction); a Writer
	// sets it when it is zero.
	Time time.Time `json:"time"`
	Type string    `json:"type"`
	// Outcome says how it ended, where there is more than one way.
	Outcome string `json:"outcome,omitempty"`
	// ClientID is the client concerned.
	ClientID string `json:"client_id,omitempty"`
	// Subject is the person's (or, for client_credentials, the client's)
	// subject identifier.
	Subject string `json:"sub,omitempty"`
	// Username is the name typed on the login form, as typed (and cut at
	// oauth.MaxUsername): it may name no one.
	Username string `json:"username,omitempty"`
	// Address is the IP address of the peer that sent the request (a
	// proxy's, behind one).
	Address string `json:"address,omitempty"`
	// GrantType and AuthMethod are the token request's grant and the way
	// the client authenticated.
	GrantType  string `json:"grant_type,omitempty"`
	AuthMethod string `json:"auth_method,omitempty"`
	// JTI identifies the access token issued or revoked.
	JTI string `json:"jti,omitempty"`
	// Cnf is the x5t#S256 thumbprint the token is bound to (RFC 8705).
	Cnf string `json:"cnf,omitempty"`
	// Scopes are the scopes granted.
	Scopes []string `json:"scopes,omitempty"`
	// Issued names the tokens of a token response: access_token,
	// id_token, refresh_token.
	Issued []string `json:"issued,omitempty"`
	// TokenType is the kind of token revoked: access_token or
	// refresh_token.
	TokenType string `json:"token_type,omitempty"`
	// Actor is who changed a registration: master_token,
	// registration_access_token, open_registration; or the command that
	// rotated keys.
	Actor string `json:"actor,omitempty"`
	// KeyIDs are the signing keys current after a key rotation.
	KeyIDs []string `json:"kids,omitempty"`
	// Detail is a fixed, human-readable remark; never request input.
	Detail string `json:"detail,omitempty"`
}

// Recorder receives events. Implementations must be safe for concurrent
// use and must not hold a request up for long.
type Recorder interface {
	Record(ctx context.Context, e Event)
}

// Nop records nothing: the Recorder of a server without an audit log.
type Nop struct{}

// Record does nothing.
func (Nop) Record(context.Context, Event) {}

// OrNop is r, or Nop when r is nil, so that handlers never test for nil.
func OrNop(r Recorder) Recorder {
	if r == nil {
		return Nop{}
	}
	return r
}

// Multi sends every event to each of rs in turn (nil ones are skipped).
func Multi(rs ...Recorder) Recorder {
	var out multi
	for _, r := range rs {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

type multi []Recorder

func (m multi) Record(ctx context.Context, e Event) {
	for _, r := range m {
		r.Record(ctx, e)
	}
}

// PeerAddress is the IP address of a request's peer. Forwarded headers are
// not trusted: a client could write them.
func PeerAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type addressKey struct{}

// WithAddress carries the peer's address to code that records events but
// has no request at hand (the grants of the token endpoint).
func WithAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addressKey{}, addr)
}

// AddressOf is the address WithAddress put in ctx, or "".
func AddressOf(ctx context.Context) string {
	a, _ := ctx.Value(addressKey{}).(string)
	return a
}
