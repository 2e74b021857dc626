package conf

import "testing"

// ldap.users.ppolicyDefaultDN is optional, and a DN when set.
func TestValidatePPolicyDefaultDN(t *testing.T) {
	runValidationCases(t, []validationCase{
		{name: "unset", change: func(c *Config) { c.LDAP.Users.PPolicyDefaultDN = "" }},
		{name: "a DN", change: func(c *Config) { c.LDAP.Users.PPolicyDefaultDN = "cn=default,ou=policies,dc=example,dc=org" }},
		{name: "not a DN", change: func(c *Config) { c.LDAP.Users.PPolicyDefaultDN = "default policy" },
			want: []string{`ldap.users.ppolicyDefaultDN: is not a valid DN: DN ended with incomplete type, value pair`}},
	})
}

// The key is read from YAML.
func TestPPolicyDefaultDNParsed(t *testing.T) {
	c, err := Parse([]byte("issuer: http://127.0.0.1:8080\nldap:\n  users: {ppolicyDefaultDN: \"cn=default,ou=policies,dc=example,dc=org\"}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.LDAP.Users.PPolicyDefaultDN; got != "cn=default,ou=policies,dc=example,dc=org" {
		t.Errorf("ppolicyDefaultDN = %q", got)
	}
}
