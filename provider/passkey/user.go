package passkey

import (
	"crypto/sha256"
	"crypto/subtle"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// userHandle is the WebAuthn user handle of a person (§5.4.3 user.id):
// opaque, at most 64 bytes, no personal data, the same for all of a
// person's passkeys and stable for as long as their sub is. A hash of the
// sub rather than a stored random value: nothing to keep in the person's
// entry (which Gatehouse never writes), and no key whose rotation would
// orphan every passkey.
func userHandle(subject string) []byte {
	sum := sha256.Sum256([]byte("gatehouse webauthn user handle\x00" + subject))
	return sum[:]
}

// handleMatches compares a user handle sent by an authenticator with the
// one of subject.
func handleMatches(handle []byte, subject string) bool {
	return subtle.ConstantTimeCompare(handle, userHandle(subject)) == 1
}

// person is a person as the WebAuthn library sees them.
type person struct {
	subject, name, display string
	creds                  []webauthn.Credential
}

var _ webauthn.User = person{}

func (p person) WebAuthnID() []byte                         { return userHandle(p.subject) }
func (p person) WebAuthnName() string                       { return p.name }
func (p person) WebAuthnDisplayName() string                { return p.display }
func (p person) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// newPerson names the person for authenticators' account pickers: the
// login name and the full name from the directory, else the sub.
func newPerson(u oauth.User, list []oauth.Authenticator) person {
	p := person{subject: u.Subject, name: u.Username}
	if s, ok := u.Claims["preferred_username"].(string); ok && s != "" && p.name == "" {
		p.name = s
	}
	if p.name == "" {
		p.name = u.Subject
	}
	p.display = p.name
	if s, ok := u.Claims["name"].(string); ok && s != "" {
		p.display = s
	}
	for _, a := range list {
		if a.Kind == oauth.AuthenticatorPasskey && len(a.CredentialID) > 0 {
			p.creds = append(p.creds, credentialOf(a))
		}
	}
	return p
}

// credentialOf is a stored passkey as the library checks it.
func credentialOf(a oauth.Authenticator) webauthn.Credential {
	flags := protocol.FlagUserPresent
	if a.Data.UserVerified {
		flags |= protocol.FlagUserVerified
	}
	if a.Data.BackupEligible {
		flags |= protocol.FlagBackupEligible
	}
	if a.Data.BackupState {
		flags |= protocol.FlagBackupState
	}
	c := webauthn.Credential{ID: a.CredentialID, PublicKey: a.PublicKey, AttestationType: a.Data.AttestationType,
		Flags:         webauthn.NewCredentialFlags(flags),
		Authenticator: webauthn.Authenticator{AAGUID: a.Data.AAGUID, SignCount: a.SignCount}}
	for _, t := range a.Data.Transports {
		c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
	}
	return c
}

// storedPasskey is a newly registered credential as the store keeps it.
func storedPasskey(c *webauthn.Credential) oauth.Authenticator {
	d := oauth.AuthenticatorData{BackupEligible: c.Flags.BackupEligible, BackupState: c.Flags.BackupState,
		UserVerified: c.Flags.UserVerified, AAGUID: c.Authenticator.AAGUID, AttestationType: c.AttestationType}
	for _, t := range c.Transport {
		d.Transports = append(d.Transports, string(t))
	}
	return oauth.Authenticator{Kind: oauth.AuthenticatorPasskey, CredentialID: c.ID, PublicKey: c.PublicKey,
		SignCount: c.Authenticator.SignCount, Data: d}
}
