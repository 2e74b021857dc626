package oauth

import "time"

// User is a person as the directory describes them, ready to become the
// subject of tokens.
type User struct {
	// Subject is the stable identifier (ldap.users.subjectAttribute,
	// entryUUID by default): it survives renames.
	Subject string
	// DN is where the entry lives; used for group lookups, never shown.
	DN string
	// Username is the login name the person typed (or their uid).
	Username string
	// Claims are the directory's claims by OpenID Connect claim name
	// (ldap.users.claims), each a string or, for multi-valued attributes,
	// a []string. The groups claim is included when configured.
	Claims map[string]any
}

// LoginOutcome is the directory's answer to a password check. Everything
// but LoginOK refuses the sign-in; the outcomes that the directory's
// password policy reports are told apart so that the page can say so.
type LoginOutcome int

const (
	LoginOK LoginOutcome = iota
	// LoginInvalid: unknown user or wrong password — deliberately one
	// outcome, so that the page cannot reveal which.
	LoginInvalid
	// LoginLocked: the account is locked (ppolicy accountLocked).
	LoginLocked
	// LoginExpired: the password has expired (ppolicy passwordExpired).
	LoginExpired
	// LoginMustChange: the password must be changed before use
	// (ppolicy changeAfterReset; Active Directory 773).
	LoginMustChange
	// LoginDisabled: the account is disabled (Active Directory 533).
	LoginDisabled
	// LoginAccountExpired: the account itself, not its password, has
	// expired (Active Directory 701).
	LoginAccountExpired
	// LoginNotPermitted: the account may not sign in at this time or from
	// here (Active Directory 530, 531).
	LoginNotPermitted
)

// PasswordChange is the directory's answer to a change of a person's own
// password (the page shown when LoginExpired or LoginMustChange).
type PasswordChange int

const (
	// PasswordChanged: the new password is set; signing in with it works.
	PasswordChanged PasswordChange = iota
	// PasswordWrongCurrent: the current password given is not the
	// person's (or the person is unknown): nothing changed.
	PasswordWrongCurrent
	// PasswordRefused: the directory's password policy refused the new
	// password (too short, too simple, used before, changed too recently).
	// The directory's reason, in words, comes with it where known.
	PasswordRefused
	// PasswordLocked: the account is locked or disabled: nothing changed.
	PasswordLocked
)

// Authorization is a long-lived grant of a person to a client: the scopes
// and claims they consented to, kept until revoked (an oauth2Authz /
// oidcAuthz entry in the directory).
type Authorization struct {
	Subject  string
	ClientID string
	// Scopes are the granted scope values; Claims the granted individual
	// claims (OpenID Connect "claims" request parameter).
	Scopes []string
	Claims []string
	// IssuedAt is the first grant, UpdatedAt the last change.
	IssuedAt  time.Time
	UpdatedAt time.Time
	// Issuer is the issuer that granted it (authzIssuer).
	Issuer string
	// Data holds what has no attribute of its own, as JSON (authzData).
	Data map[string]any
	// RefreshTokenHash is the SHA-256 (hex) of the secret part of the
	// current refresh token (authzRefreshToken); never the token itself.
	// Empty: no refresh token is valid for this authorization.
	RefreshTokenHash string
	// RefreshTokenIssuedAt is when the first refresh token of the current
	// family was issued (authzRefreshTokenIssueDate); rotation keeps it,
	// so that a family's life is bounded (RFC 9700 §4.14.2).
	RefreshTokenIssuedAt time.Time
	// RefreshTokenLifetime bounds the family from RefreshTokenIssuedAt
	// (authzRefreshTokenLifetime, whole seconds); 0 leaves it to the
	// provider's configured default.
	RefreshTokenLifetime time.Duration
	// RotatedRefreshHashes are the hashes of refresh tokens already
	// rotated away, most recent first, kept to detect reuse (RFC 9700
	// §4.14.2). Stored in authzData under the key "rotated_refresh", which
	// Data itself therefore cannot use.
	RotatedRefreshHashes []string
	// Version is the store's compare-and-swap token; empty for entries no
	// Gatehouse has written.
	Version string
}

// Covers reports whether the authorization grants every scope in scopes —
// consent is not asked again for the same or a narrower set.
func (a Authorization) Covers(scopes []string) bool {
	granted := make(map[string]bool, len(a.Scopes))
	for _, s := range a.Scopes {
		granted[s] = true
	}
	for _, s := range scopes {
		if !granted[s] {
			return false
		}
	}
	return true
}
