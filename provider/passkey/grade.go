package passkey

import (
	"slices"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/gatehouse-idp/gatehouse/provider/mfa"
)

// grade is what a passkey ceremony earns a session: its acr and the amr
// values it adds (RFC 8176 §2). flags are the authenticator data flags of
// this ceremony (not the credential's history); withPassword tells a
// second factor after the password from a sign-in with the passkey alone.
//
//   - hwk: a key bound to its device, not backup-eligible; swk: a synced
//     passkey (BE set), whose key exists beyond one piece of hardware.
//   - user: the authenticator verified the person (PIN, biometrics).
//   - mfa: with the password, two factors.
//
// Only a ceremony with user verification is phishing-resistant sign-in
// of the person (phr); a passkey merely present after the password is mfa.
func grade(flags protocol.AuthenticatorFlags, withPassword bool) (acr string, amr []string) {
	if flags.HasBackupEligible() {
		amr = append(amr, "swk")
	} else {
		amr = append(amr, "hwk")
	}
	if flags.HasUserVerified() {
		amr = append(amr, "user")
	}
	acr = mfa.ACRMFA
	if flags.HasUserVerified() {
		acr = mfa.ACRPhishingResistant
	}
	if withPassword {
		amr = append(amr, "mfa")
	}
	return acr, amr
}

// addAMR appends the values of more that amr lacks.
func addAMR(amr, more []string) []string {
	out := slices.Clone(amr)
	for _, m := range more {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// nextCount checks an assertion's signature counter against the one
// stored (WebAuthn §7.2 step 17). Authenticators that keep no counter
// send 0 every time; otherwise it must grow. A counter that does not is
// the sign of a cloned authenticator (or a replayed assertion): refused.
func nextCount(stored, got uint32) (uint32, bool) {
	if got == 0 && stored == 0 {
		return 0, true
	}
	if got <= stored {
		return stored, false
	}
	return got, true
}
