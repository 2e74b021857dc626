package embedded_test

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/go-ldap/ldap/v3"
	"golang.org/x/crypto/bcrypt"
)

// ssha builds an RFC 2307 {SSHA} value the way slappasswd does.
func ssha(password, salt string) string {
	sum := sha1.Sum([]byte(password + salt))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

func ssha512(password, salt string) string {
	sum := sha512.Sum512([]byte(password + salt))
	return "{SSHA512}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

func bcryptY(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	// htpasswd and PHP write $2y$; x/crypto writes $2a$. Both must bind.
	return "{CRYPT}" + strings.Replace(string(h), "$2a$", "$2y$", 1)
}

func argon2(t *testing.T, password string) string {
	t.Helper()
	h, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	return "{ARGON2}" + h
}

// addUser adds a person under ou=people with the given userPassword values.
func addUser(t *testing.T, conn *ldap.Conn, uid string, passwords ...string) string {
	t.Helper()
	dn := "uid=" + uid + "," + people
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"inetOrgPerson"})
	req.Attribute("uid", []string{uid})
	req.Attribute("cn", []string{uid})
	req.Attribute("sn", []string{uid})
	if len(passwords) > 0 {
		req.Attribute("userPassword", passwords)
	}
	if err := conn.Add(req); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
	return dn
}

func TestSimpleBind(t *testing.T) {
	srv := startServer(t)
	root := admin(t, srv)
	addUser(t, root, "sam", ssha("sam-pw", "saltsalt"))
	addUser(t, root, "sid", ssha512("sid-pw", "pepper"))
	addUser(t, root, "cry", bcryptY(t, "cry-pw"))
	addUser(t, root, "ari", argon2(t, "ari-pw"))
	addUser(t, root, "two", "old-pw", ssha("new-pw", "x"))
	addUser(t, root, "odd", "{MD5}bm90IHN1cHBvcnRlZA==")

	tests := []struct {
		name     string
		dn       string
		password string
		want     uint16
	}{
		{"admin", adminDN, adminPassword, ldap.LDAPResultSuccess},
		{"admin spelled differently", "CN=Admin, DC=Example,dc=ORG", adminPassword, ldap.LDAPResultSuccess},
		{"admin wrong password", adminDN, "nope", ldap.LDAPResultInvalidCredentials},
		{"plain password", aliceDN, "alice-password", ldap.LDAPResultSuccess},
		{"plain password wrong", aliceDN, "Alice-password", ldap.LDAPResultInvalidCredentials},
		{"user DN spelled differently", "UID=Alice,ou=People,dc=example,dc=org", "alice-password", ldap.LDAPResultSuccess},
		{"unknown DN", "uid=nobody,ou=people,dc=example,dc=org", "alice-password", ldap.LDAPResultInvalidCredentials},
		{"entry without password", "uid=bob,ou=people,dc=example,dc=org", "anything", ldap.LDAPResultInvalidCredentials},
		{"SSHA", "uid=sam," + people, "sam-pw", ldap.LDAPResultSuccess},
		{"SSHA wrong", "uid=sam," + people, "sam-pW", ldap.LDAPResultInvalidCredentials},
		{"SSHA512", "uid=sid," + people, "sid-pw", ldap.LDAPResultSuccess},
		{"bcrypt $2y$", "uid=cry," + people, "cry-pw", ldap.LDAPResultSuccess},
		{"bcrypt wrong", "uid=cry," + people, "cry-pw ", ldap.LDAPResultInvalidCredentials},
		{"argon2id", "uid=ari," + people, "ari-pw", ldap.LDAPResultSuccess},
		{"argon2id wrong", "uid=ari," + people, "ari", ldap.LDAPResultInvalidCredentials},
		{"second of two values", "uid=two," + people, "new-pw", ldap.LDAPResultSuccess},
		{"first of two values", "uid=two," + people, "old-pw", ldap.LDAPResultSuccess},
		{"unknown scheme is no plain text", "uid=odd," + people, "{MD5}bm90IHN1cHBvcnRlZA==", ldap.LDAPResultInvalidCredentials},
		{"malformed DN", "uid=alice,,", "alice-password", ldap.LDAPResultInvalidDNSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkCode(t, dial(t, srv).Bind(tc.dn, tc.password), tc.want)
		})
	}
}

// TestEmptyPasswordNeverAuthenticates covers RFC 4513 §5.1.2: a DN with an
// empty password is an unauthenticated bind, refused, and the connection
// stays anonymous — it must not gain the rights of the DN it named.
func TestEmptyPasswordNeverAuthenticates(t *testing.T) {
	srv := startServer(t)
	for _, dn := range []string{adminDN, aliceDN} {
		t.Run(dn, func(t *testing.T) {
			conn := dial(t, srv)
			checkCode(t, conn.UnauthenticatedBind(dn), ldap.LDAPResultUnwillingToPerform)
			err := conn.Add(ldap.NewAddRequest("ou=sneaky,"+suffix, nil))
			checkCode(t, err, ldap.LDAPResultInsufficientAccessRights)
			if got := lookup(t, conn, aliceDN, "userPassword").GetAttributeValues("userPassword"); len(got) != 0 {
				t.Errorf("userPassword visible after an unauthenticated bind: %q", got)
			}
		})
	}
}

func TestAnonymousBind(t *testing.T) {
	srv := startServer(t)
	conn := dial(t, srv)
	checkCode(t, conn.UnauthenticatedBind(""), ldap.LDAPResultSuccess) // empty name and password
	if got := searchDNs(t, conn, aliceDN, ldap.ScopeBaseObject, "(objectClass=*)"); len(got) != 1 {
		t.Errorf("anonymous search found %q", got)
	}
}

// TestFailedBindDropsEarlierIdentity: after a failed bind the connection is
// anonymous again (RFC 4511 §4.2.1), even if it had been bound as admin.
func TestFailedBindDropsEarlierIdentity(t *testing.T) {
	srv := startServer(t)
	conn := admin(t, srv)
	checkCode(t, conn.Bind(adminDN, "wrong"), ldap.LDAPResultInvalidCredentials)
	req := ldap.NewAddRequest("ou=after,"+suffix, nil)
	req.Attribute("objectClass", []string{"organizationalUnit"})
	req.Attribute("ou", []string{"after"})
	checkCode(t, conn.Add(req), ldap.LDAPResultInsufficientAccessRights)
}
