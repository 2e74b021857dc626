// Package passkey owns passkeys (WebAuthn Level 3): registering one
// (/mfa/passkey/enrol, after the password or from the account page),
// using one as the second factor after the password (/mfa/passkey), and
// signing in with one alone (/login/passkey, a discoverable credential
// whose user handle names the person).
//
// The ceremonies' cryptography is github.com/go-webauthn/webauthn's; this
// package keeps the challenge of each ceremony in the session store
// (single use, short-lived, shared by every instance), the credentials in
// the authenticator store (ldapstore.Authenticators), refuses a signature
// counter that goes back (a cloned authenticator), and turns a ceremony's
// flags into acr and amr. The pages run one script of ours,
// static/passkey.js, under a strict Content-Security-Policy.
package passkey
