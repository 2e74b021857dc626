package conf

import "testing"

func TestValidatePasskeys(t *testing.T) {
	on, off := true, false
	runValidationCases(t, []validationCase{
		{name: "default: on where factors are kept", change: func(c *Config) {
			c.LDAP.Authenticators.BaseDN = "ou=authenticators,dc=example,dc=org"
		}},
		{name: "off without a base DN", change: func(c *Config) { c.OP.Authn.Passkeys = &off }},
		{name: "on without a base DN", change: func(c *Config) { c.OP.Authn.Passkeys = &on }, want: []string{
			"op.authn.passkeys: needs ldap.authenticators.baseDN, where passkeys are kept",
		}},
	})
	if !(Authn{}).PasskeysOn() || (Authn{Passkeys: &off}).PasskeysOn() {
		t.Error("PasskeysOn: absent must mean on, false off")
	}
}
