package embedded_test

import (
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func TestDelete(t *testing.T) {
	srv := startServer(t)
	root := admin(t, srv)
	tests := []struct {
		name string
		dn   string
		want uint16
	}{
		{"leaf", "uid=bob,ou=people,dc=example,dc=org", ldap.LDAPResultSuccess},
		{"already deleted", "uid=bob,ou=people,dc=example,dc=org", ldap.LDAPResultNoSuchObject},
		{"leaf spelled differently", "UID=Mueller,OU=PEOPLE,dc=example,dc=org", ldap.LDAPResultSuccess},
		{"entry with children", people, ldap.LDAPResultNotAllowedOnNonLeaf},
		{"naming context with children", suffix, ldap.LDAPResultNotAllowedOnNonLeaf},
		{"missing", "uid=nobody,ou=people,dc=example,dc=org", ldap.LDAPResultNoSuchObject},
		{"malformed DN", "not a DN", ldap.LDAPResultInvalidDNSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkCode(t, root.Del(ldap.NewDelRequest(tc.dn, nil)), tc.want)
		})
	}
	_, err := root.Search(ldap.NewSearchRequest(bobDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil))
	checkCode(t, err, ldap.LDAPResultNoSuchObject)
}

// TestOnlyAdminWrites: anonymous clients and ordinary users may read, but
// every write needs the admin DN.
func TestOnlyAdminWrites(t *testing.T) {
	srv := startServer(t)
	clients := map[string]*ldap.Conn{
		"anonymous": dial(t, srv),
		"user":      bound(t, srv, aliceDN, "alice-password"),
	}
	writes := map[string]func(*ldap.Conn) error{
		"add": func(c *ldap.Conn) error {
			return c.Add(addRequest("uid=eve,"+people, person("eve")))
		},
		"modify own entry": func(c *ldap.Conn) error {
			req := ldap.NewModifyRequest(aliceDN, nil)
			req.Replace("userPassword", []string{"hijacked"})
			return c.Modify(req)
		},
		"delete": func(c *ldap.Conn) error {
			return c.Del(ldap.NewDelRequest(bobDN, nil))
		},
	}
	for who, conn := range clients {
		for op, write := range writes {
			t.Run(who+" "+op, func(t *testing.T) {
				checkCode(t, write(conn), ldap.LDAPResultInsufficientAccessRights)
			})
		}
	}
	checkCode(t, bound(t, srv, aliceDN, "alice-password").Bind(aliceDN, "alice-password"), ldap.LDAPResultSuccess)
	if got := searchDNs(t, dial(t, srv), people, ldap.ScopeSingleLevel, "(objectClass=*)"); len(got) != 3 {
		t.Errorf("entries after refused writes: %q", got)
	}
}
