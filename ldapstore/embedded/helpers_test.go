package embedded_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/embedded"
)

const (
	adminDN       = "cn=admin,dc=example,dc=org"
	adminPassword = "admin-secret"
	suffix        = "dc=example,dc=org"
	people        = "ou=people,dc=example,dc=org"
	aliceDN       = "uid=alice,ou=people,dc=example,dc=org"
	clientDN      = "oauthClientID=app1,ou=clients,dc=example,dc=org"
)

// testSeed is the directory most tests start from.
const testSeed = `# Directory for the embedded package's tests.
version: 1

dn: dc=example,dc=org
objectClass: top
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,dc=example,dc=org
objectClass: organizationalUnit
ou: people

dn: uid=alice,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: alice
cn: Alice Liddell
sn: Liddell
mail: alice@example.org
employeeNumber: 9
userPassword: alice-password

dn: uid=bob,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: bob
cn: Bob Builder
sn: Builder
mail: bob@example.org
employeeNumber: 10

dn: uid=mueller,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: mueller
cn: Jürgen Müller
sn: Müller
description: a*b(c)\d
employeeNumber: 100

dn: ou=groups,dc=example,dc=org
objectClass: organizationalUnit
ou: groups

dn: cn=staff,ou=groups,dc=example,dc=org
objectClass: groupOfNames
cn: staff
member: uid=alice,ou=people,dc=example,dc=org
member: uid=bob,ou=people,dc=example,dc=org

dn: ou=clients,dc=example,dc=org
objectClass: organizationalUnit
ou: clients

dn: oauthClientID=app1,ou=clients,dc=example,dc=org
objectClass: oidcRelyingParty
oauthClientID: app1
oauthClientName: Shop
oauthClientName;lang-de: Laden
oauthRedirectURI: https://app.example/CB
oauthClientSecret: $argon2id$v=19$m=16,t=1,p=1$c2FsdHNhbHQ$aGFzaA
`

// writeSeed writes an LDIF file into a fresh temporary directory.
func writeSeed(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.ldif")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startServer starts a directory on a free loopback port, seeded with
// testSeed unless an option says otherwise, and closes it after the test.
func startServer(t *testing.T, mods ...func(*embedded.Options)) *embedded.Server {
	t.Helper()
	opts := embedded.Options{
		Seed:          writeSeed(t, testSeed),
		Listen:        "127.0.0.1:0",
		AdminDN:       adminDN,
		AdminPassword: adminPassword,
	}
	for _, m := range mods {
		m(&opts)
	}
	srv, err := embedded.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// dial opens an anonymous connection that is closed after the test, before
// the server is.
func dial(t *testing.T, srv *embedded.Server) *ldap.Conn {
	t.Helper()
	conn, err := ldap.DialURL(srv.URL())
	if err != nil {
		t.Fatalf("dial %s: %v", srv.URL(), err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// bound opens a connection bound as dn.
func bound(t *testing.T, srv *embedded.Server, dn, password string) *ldap.Conn {
	t.Helper()
	conn := dial(t, srv)
	if err := conn.Bind(dn, password); err != nil {
		t.Fatalf("bind as %s: %v", dn, err)
	}
	return conn
}

func admin(t *testing.T, srv *embedded.Server) *ldap.Conn {
	t.Helper()
	return bound(t, srv, adminDN, adminPassword)
}

// checkCode fails the test unless err carries the LDAP result code want
// (0 meaning no error).
func checkCode(t *testing.T, err error, want uint16) {
	t.Helper()
	if want == ldap.LDAPResultSuccess {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	var lerr *ldap.Error
	if !errors.As(err, &lerr) || lerr.ResultCode != want {
		t.Fatalf("want %q (%d), got %v", ldap.LDAPResultCodeMap[want], want, err)
	}
}

// search runs a search and returns the DNs found, sorted.
func searchDNs(t *testing.T, conn *ldap.Conn, base string, scope int, filter string) []string {
	t.Helper()
	res, err := conn.Search(ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, filter, []string{"1.1"}, nil))
	if err != nil {
		t.Fatalf("search %s %q: %v", base, filter, err)
	}
	return entryDNs(res.Entries)
}

func entryDNs(entries []*ldap.Entry) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.DN)
	}
	slices.Sort(out)
	return out
}

// lookup reads one entry with the given attributes.
func lookup(t *testing.T, conn *ldap.Conn, dn string, attrs ...string) *ldap.Entry {
	t.Helper()
	res, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", attrs, nil))
	if err != nil {
		t.Fatalf("read %s: %v", dn, err)
	}
	if len(res.Entries) != 1 {
		t.Fatalf("read %s: %d entries", dn, len(res.Entries))
	}
	return res.Entries[0]
}
