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
}

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
	if a.SecondFactor == "required" || len(a.SecondFactorGroups) > 0 {
		r.add("op.authn.secondFactor", "needs ldap.authenticators.baseDN, where the factors are kept")
	}
}
