package ldapstore_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// devDirectory is the tree `make run` serves: the base units, alice and
// bob, and the groups staff and admins.
const devDirectory = "../conf/dev-directory.ldif"

// openLDAPWithPeople is OpenLDAP with the shipped schema and the dev tree.
func openLDAPWithPeople(t testing.TB, opts ldaptest.Options) directory {
	t.Helper()
	opts.LDIF = append(opts.LDIF, devDirectory)
	s := ldaptest.New(t, opts)
	return directory{url: s.URL, bindDN: s.AdminDN, password: s.AdminPassword, conn: s.Conn(t)}
}

// embeddedWithPeople is the embedded directory seeded with the dev tree,
// as `make run` starts it.
func embeddedWithPeople(t testing.TB) directory {
	t.Helper()
	return startEmbedded(t, devDirectory)
}

// logBuffer collects what a pool logs, for tests that check a warning.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// people is one test's part of a directory: a subtree for people and one
// for groups, and the users store configured on them.
type people struct {
	dir    directory
	base   string // the people subtree
	groups string // the groups subtree
	log    *logBuffer
}

func newPeople(t testing.TB, d directory) *people {
	t.Helper()
	return &people{
		dir:    d,
		base:   ldaptest.Subtree(t, d.conn, "ou=people,"+suffix),
		groups: ldaptest.Subtree(t, d.conn, "ou=groups,"+suffix),
		log:    &logBuffer{},
	}
}

// config is ldap.users of conf/gatehouse.yaml on this test's subtrees,
// with one claim more, from a multi-valued attribute.
func (p *people) config() ldapstore.UsersConfig {
	return ldapstore.UsersConfig{
		BaseDN:           p.base,
		Filter:           "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))",
		SubjectAttribute: "entryUUID",
		Claims: map[string]string{
			"preferred_username": "uid", "name": "cn", "given_name": "givenName",
			"family_name": "sn", "email": "mail", "phone_numbers": "telephoneNumber",
		},
		Groups: ldapstore.GroupsConfig{BaseDN: p.groups, Filter: "(member={dn})", NameAttribute: "cn", Claim: "groups"},
	}
}

// users returns a store on a pool of its own whose log goes to p.log.
func (p *people) users(t testing.TB, cfg ldapstore.UsersConfig) *ldapstore.Users {
	t.Helper()
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{p.dir.url}, BindDN: p.dir.bindDN,
		BindPassword: p.dir.password, Timeout: 10 * time.Second, Size: 4},
		slog.New(slog.NewTextHandler(p.log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	u, err := ldapstore.NewUsers(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u
}

// addUser adds an inetOrgPerson with uid and password (stored as {SSHA},
// as a real directory would hold it) and further attributes; it returns
// the entry's DN.
func (p *people) addUser(t testing.TB, uid, password string, attrs ...[2]string) string {
	t.Helper()
	dn := "uid=" + ldap.EscapeDN(uid) + "," + p.base
	all := [][2]string{{"objectClass", "inetOrgPerson"}, {"uid", uid}}
	for _, required := range []string{"cn", "sn"} { // inetOrgPerson must have them
		if !slices.ContainsFunc(attrs, func(a [2]string) bool { return a[0] == required }) {
			all = append(all, [2]string{required, uid})
		}
	}
	all = append(all, attrs...)
	if password != "" {
		all = append(all, [2]string{"userPassword", ssha(t, password)})
	}
	add(t, p.dir.conn, dn, all)
	return dn
}

func (p *people) addGroup(t testing.TB, cn string, members ...string) {
	t.Helper()
	attrs := [][2]string{{"objectClass", "groupOfNames"}, {"cn", cn}}
	for _, m := range members {
		attrs = append(attrs, [2]string{"member", m})
	}
	add(t, p.dir.conn, "cn="+ldap.EscapeDN(cn)+","+p.groups, attrs)
}

// add adds an entry given as attribute and value pairs, in order.
func add(t testing.TB, conn *ldap.Conn, dn string, attrs [][2]string) {
	t.Helper()
	req := ldap.NewAddRequest(dn, nil)
	var order []string
	values := make(map[string][]string)
	for _, a := range attrs {
		if _, seen := values[a[0]]; !seen {
			order = append(order, a[0])
		}
		values[a[0]] = append(values[a[0]], a[1])
	}
	for _, name := range order {
		req.Attribute(name, values[name])
	}
	if err := conn.Add(req); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
}

// ssha hashes a password as {SSHA}: salted SHA-1, which both OpenLDAP and
// the embedded directory check binds against.
func ssha(t testing.TB, password string) string {
	t.Helper()
	salt := make([]byte, 8)
	if _, err := rand.Read(salt); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(append([]byte(password), salt...))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

// entryUUID reads the entryUUID the directory gave an entry.
func entryUUID(t testing.TB, conn *ldap.Conn, dn string) string {
	t.Helper()
	res, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", []string{"entryUUID"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read entryUUID of %s: %v", dn, err)
	}
	id := res.Entries[0].GetAttributeValue("entryUUID")
	if id == "" {
		t.Fatalf("%s has no entryUUID", dn)
	}
	return id
}
