package embedded_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/embedded"
)

// awkwardValues are values an LDIF writer easily gets wrong.
var awkwardValues = []string{
	"Jürgen Müller",
	"first line\nsecond line\r\nthird",
	" leading space",
	"trailing space ",
	":leading colon",
	"<leading angle",
	"",
	strings.Repeat("long value ", 40),
	"nul\x00byte",
	"{SSHA}not+a/real=hash",
}

// restart closes srv and starts a new server on the same data file.
func restart(t *testing.T, srv *embedded.Server, opts embedded.Options) *embedded.Server {
	t.Helper()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	return startServer(t, func(o *embedded.Options) { *o = opts })
}

func TestPersistsAcrossRestart(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "state", "embedded")
	opts := embedded.Options{
		Seed:          writeSeed(t, testSeed),
		Data:          filepath.Join(dataDir, "directory.ldif"),
		Listen:        "127.0.0.1:0",
		AdminDN:       adminDN,
		AdminPassword: adminPassword,
	}
	srv := startServer(t, func(o *embedded.Options) { *o = opts })
	root := admin(t, srv)
	aliceUUID := lookup(t, root, aliceDN, "entryUUID").GetAttributeValue("entryUUID")

	odd := `cn=Ödön\, the 2nd,ou=people,dc=example,dc=org`
	if err := root.Add(addRequest(odd, attrs{
		"objectClass": {"person"}, "cn": {"Ödön, the 2nd"}, "sn": {"x"},
		"description": awkwardValues, "oauthClientName;lang-de": {"Laden"},
	})); err != nil {
		t.Fatal(err)
	}
	mod := ldap.NewModifyRequest(aliceDN, nil)
	mod.Replace("mail", []string{"alice@example.net"})
	if err := root.Modify(mod); err != nil {
		t.Fatal(err)
	}
	if err := root.Del(ldap.NewDelRequest(bobDN, nil)); err != nil {
		t.Fatal(err)
	}
	_ = root.Close()

	// The seed changes too, to show it is not read again.
	opts.Seed = writeSeed(t, "dn: dc=other,dc=com\nobjectClass: domain\ndc: other\n")
	srv = restart(t, srv, opts)
	root = admin(t, srv)

	e := lookup(t, root, odd, "*", "+")
	if got := e.GetAttributeValues("description"); !slices.Equal(got, awkwardValues) {
		t.Errorf("description after restart:\n got %q\nwant %q", got, awkwardValues)
	}
	if got := attrNames(e); !slices.Contains(got, "oauthClientName;lang-de") {
		t.Errorf("attribute names after restart: %q", got)
	}
	if e.DN != odd {
		t.Errorf("DN after restart: %q", e.DN)
	}
	a := lookup(t, root, aliceDN, "mail", "entryUUID")
	if a.GetAttributeValue("mail") != "alice@example.net" || a.GetAttributeValue("entryUUID") != aliceUUID {
		t.Errorf("alice after restart: %q, %q", a.GetAttributeValue("mail"), a.GetAttributeValue("entryUUID"))
	}
	_, err := root.Search(ldap.NewSearchRequest(bobDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil))
	checkCode(t, err, ldap.LDAPResultNoSuchObject)
	if err := root.Bind(aliceDN, "alice-password"); err != nil {
		t.Errorf("alice's password after restart: %v", err)
	}
}

func TestDataFileIsPrivate(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "new")
	data := filepath.Join(dataDir, "directory.ldif")
	startServer(t, func(o *embedded.Options) { o.Data = data })

	// Written right after the seed was loaded, before any change.
	for path, want := range map[string]os.FileMode{dataDir: 0o700 | os.ModeDir, data: 0o600} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, info.Mode(), want)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dataDir, ".*.tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %q", leftovers)
	}
}

// TestUnsavableChangeIsNotApplied: memory never runs ahead of the data
// file. When the file cannot be written, the change is refused and undone.
func TestUnsavableChangeIsNotApplied(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	srv := startServer(t, func(o *embedded.Options) { o.Data = filepath.Join(dataDir, "directory.ldif") })
	root := admin(t, srv)
	// Replace the data directory with a plain file: no temporary file can
	// be created there any more, whoever runs the test.
	if err := os.RemoveAll(dataDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dataDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	mod := ldap.NewModifyRequest(aliceDN, nil)
	mod.Replace("mail", []string{"lost@example.org"})
	checkCode(t, root.Modify(mod), ldap.LDAPResultOther)
	checkCode(t, root.Add(addRequest("uid=carol,"+people, person("carol"))), ldap.LDAPResultOther)
	checkCode(t, root.Del(ldap.NewDelRequest(bobDN, nil)), ldap.LDAPResultOther)

	if got := lookup(t, root, aliceDN, "mail").GetAttributeValue("mail"); got != "alice@example.org" {
		t.Errorf("mail = %q after a failed save", got)
	}
	if got := searchDNs(t, root, people, ldap.ScopeSingleLevel, "(objectClass=*)"); !slices.Equal(got, []string{aliceDN, bobDN, muellerDN}) {
		t.Errorf("entries after failed saves: %q", got)
	}
}
