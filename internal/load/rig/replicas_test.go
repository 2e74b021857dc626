package rig

import (
	"context"
	"errors"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

func skipUnlessInstalled(t *testing.T, err error, notInstalled error) {
	t.Helper()
	if errors.Is(err, notInstalled) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestReplicas: two servers hold the same people with the same
// entryUUIDs, share the admin password (also after a restart), and
// CopyChildren brings a client entry from one to the other, once.
func TestReplicas(t *testing.T) {
	users := []scenarios.User{{Name: "user0001", Password: "pw-1"}}
	dirs, err := StartReplicas(t.Context(), t.TempDir(), users, 2)
	skipUnlessInstalled(t, err, ldaptest.ErrNotInstalled)
	a, b := dirs[0], dirs[1]
	t.Cleanup(func() {
		for _, s := range dirs {
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		}
	})
	if a.AdminPassword != b.AdminPassword {
		t.Fatal("the admin passwords differ")
	}
	for _, s := range dirs {
		if got := entryUUID(t, s, "uid=user0001,"+peopleDN); got != UserUUID("user0001") {
			t.Errorf("%s: entryUUID %q, want %q", s.URL, got, UserUUID("user0001"))
		}
	}
	const client = "oauthClientID=c1,ou=clients,dc=example,dc=org"
	add := ldap.NewAddRequest(client, nil)
	add.Attribute("objectClass", []string{"oidcRelyingParty"})
	add.Attribute("oauthClientID", []string{"c1"})
	add.Attribute("oauthClientName", []string{"copied"})
	conn, err := a.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if err := conn.Add(add); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		n, err := CopyChildren(a, b, "ou=clients,dc=example,dc=org")
		if err != nil || n != want {
			t.Fatalf("copy %d: %d, %v; want %d", i+1, n, err, want)
		}
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.WithoutCancel(t.Context())); err != nil {
		t.Fatal(err)
	}
	// b.Dial binds with the shared password, which survived the restart.
	conn2, err := b.Dial()
	if err != nil {
		t.Fatalf("bind to B after a restart: %v", err)
	}
	defer func() { _ = conn2.Close() }()
	res, err := conn2.Search(ldap.NewSearchRequest(client, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"oauthClientName"}, nil))
	if err != nil || len(res.Entries) != 1 || res.Entries[0].GetAttributeValue("oauthClientName") != "copied" {
		t.Fatalf("client on B: %v, %v", res, err)
	}
}

func entryUUID(t *testing.T, s *ldaptest.Slapd, dn string) string {
	t.Helper()
	conn, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	res, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"entryUUID"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read %s: %v", dn, err)
	}
	return res.Entries[0].GetAttributeValue("entryUUID")
}

func TestUserUUID(t *testing.T) {
	a, b := UserUUID("user0001"), UserUUID("user0002")
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !form.MatchString(a) || a == b || UserUUID("user0001") != a {
		t.Errorf("UserUUID: %q, %q: want stable, distinct version-5 UUIDs", a, b)
	}
}

// TestRedisRestartsOnTheSamePort: Kill ends it (connections refused),
// Start brings it back on the same address, Pause/Resume hold and free it.
func TestRedisRestartsOnTheSamePort(t *testing.T) {
	r, err := StartRedis(t.Context(), t.TempDir())
	skipUnlessInstalled(t, err, redistest.ErrNotInstalled)
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	addr := r.Addr
	if err := r.Kill(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		_ = c.Close()
		t.Fatal("redis still accepting after Kill")
	}
	if err := r.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r.Addr != addr {
		t.Fatalf("restarted on %s, want %s", r.Addr, addr)
	}
	if err := r.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := r.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := pingRedis(t.Context(), addr); err != nil {
		t.Fatalf("after Resume: %v", err)
	}
}

func TestLDAPYAMLGoesUnderLDAP(t *testing.T) {
	g := &Gatehouse{Addr: "127.0.0.1:1", URL: "http://127.0.0.1:1", opts: GatehouseOptions{
		Dir: t.TempDir(), LDAPURLs: []string{"ldap://a", "ldap://b"}, LDAPYAML: "timeout: 1s\nprobeInterval: 500ms\n",
		ExtraYAML: "http: {requestTimeout: 2s}\n",
	}}
	if err := g.writeConfig(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(g.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  urls: [\"ldap://a\", \"ldap://b\"]\n", "  timeout: 1s\n  probeInterval: 500ms\n", "\nhttp: {requestTimeout: 2s}\n"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("config lacks %q:\n%s", want, raw)
		}
	}
}
