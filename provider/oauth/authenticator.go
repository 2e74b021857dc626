package oauth

import "time"

// Kinds of Authenticator.
const (
	// AuthenticatorTOTP is an authenticator app (RFC 6238 one-time codes).
	AuthenticatorTOTP = "totp"
	// AuthenticatorPasskey is a WebAuthn credential.
	AuthenticatorPasskey = "webauthn"
	// AuthenticatorRecovery holds a person's unused recovery codes.
	AuthenticatorRecovery = "recovery"
)

// Authenticator is one credential of a person beyond the password: an
// authenticator app, a passkey, or the set of recovery codes. It is kept
// apart from the person's directory entry, keyed by their sub.
type Authenticator struct {
	// ID names the entry; random, chosen at enrolment.
	ID string
	// Subject is the person's sub.
	Subject string
	// Kind is one of the Authenticator* constants.
	Kind string
	// Name is what the person calls it ("Phone", "YubiKey").
	Name string
	// Secret is the TOTP secret, encrypted (never the plain secret).
	Secret string
	// RecoveryCodes are the hashes of the unused recovery codes.
	RecoveryCodes []string
	// CredentialID and PublicKey are the passkey's (WebAuthn).
	CredentialID []byte
	PublicKey    []byte
	// SignCount is the signature counter last seen (WebAuthn §6.1.1).
	SignCount uint32
	// Data is further state, kept as JSON.
	Data AuthenticatorData
	// Created is when it was enrolled; LastUsed when it last signed in.
	Created  time.Time
	LastUsed time.Time
}

// AuthenticatorData is the state of an authenticator without an attribute
// of its own.
type AuthenticatorData struct {
	// TOTPLastStep is the time step of the last code accepted: a code is
	// good once, and no older code after it.
	TOTPLastStep int64 `json:"totp_last_step,omitempty"`
	// The passkey's flags at registration and last use (WebAuthn §6.1):
	// backup eligible (a synced passkey) and backed up; whether the
	// person was verified.
	BackupEligible bool `json:"backup_eligible,omitempty"`
	BackupState    bool `json:"backup_state,omitempty"`
	UserVerified   bool `json:"user_verified,omitempty"`
	// AAGUID names the authenticator model; Transports how to reach it.
	AAGUID          []byte   `json:"aaguid,omitempty"`
	Transports      []string `json:"transports,omitempty"`
	AttestationType string   `json:"attestation_type,omitempty"`
}
