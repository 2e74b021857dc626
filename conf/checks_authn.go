package conf

import "slices"

// Authn configures strong sign-in (docs/strong-sign-in.md).
type Authn struct {
	// SecondFactor is off, optional (those who enrolled one are asked,
	// and anyone a client asks a factor of) or required (everyone).
	SecondFactor string `yaml:"secondFactor"`
	// SecondFactorGroups: members of these directory groups must use a
	// second factor whatever SecondFactor says (but off).
	SecondFactorGroups []string `yaml:"secondFactorGroups"`
	// Passkeys serves passkeys (WebAuthn) with strong sign-in: as a second
	// factor and for passwordless sign-in. Absent means true; they are
	// served only where the issuer's host is a domain name.
	Passkeys *bool `yaml:"passkeys"`
}

// PasskeysOn is op.authn.passkeys with its default (true).
func (a Authn) PasskeysOn() bool { return a.Passkeys == nil || *a.Passkeys }

// checkAuthn: a second factor needs somewhere to keep the factors.
func checkAuthn(c *Config, r *report) {
	a := c.OP.Authn
	if !slices.Contains([]string{"", "off", "optional", "required"}, a.SecondFactor) {
		r.add("op.authn.secondFactor", "must be off, optional or required, not %q", a.SecondFactor)
	}
	if base := c.LDAP.Authenticators.BaseDN; base != "" {
		checkDN(r, "ldap.authenticators.baseDN", base)
		return
	}
	if a.Passkeys != nil && *a.Passkeys {
		r.add("op.authn.passkeys", "needs ldap.authenticators.baseDN, where passkeys are kept")
	}
	if a.SecondFactor == "required" || len(a.SecondFactorGroups) > 0 {
		r.add("op.authn.secondFactor", "needs ldap.authenticators.baseDN, where the factors are kept")
	}
}
