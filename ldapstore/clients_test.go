package ldapstore_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/conformance"
	"github.com/gatehouse-idp/gatehouse/ldapstore/embedded"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

var _ conformance.Store = (*ldapstore.Clients)(nil)

const (
	suffix        = "dc=example,dc=org"
	clientsDN     = "ou=clients," + suffix
	adminDN       = "cn=admin," + suffix
	adminPassword = "embedded-admin-password"
)

// directory is a server the tests write to, with an admin connection.
type directory struct {
	url, bindDN, password string
	conn                  *ldap.Conn
}

// pool returns a pool on the directory, closed when the test ends.
func (d directory) pool(t testing.TB, size int) *ldapstore.Pool {
	t.Helper()
	p, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{d.url}, BindDN: d.bindDN,
		BindPassword: d.password, Timeout: 10 * time.Second, Size: size}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// store returns a client store on a subtree of its own.
func (d directory) store(t testing.TB, opts ...ldapstore.ClientsOption) (*ldapstore.Clients, string) {
	t.Helper()
	base := ldaptest.Subtree(t, d.conn, clientsDN)
	s, err := ldapstore.NewClients(d.pool(t, 4), base, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s, base
}

func (d directory) backend(t *testing.T) conformance.Backend {
	s, base := d.store(t)
	return conformance.Backend{Store: s, BaseDN: base, Dir: d.conn}
}

func openLDAP(t testing.TB) directory {
	t.Helper()
	s := ldaptest.New(t, ldaptest.Options{}) // with Gatehouse's schema
	return directory{url: s.URL, bindDN: s.AdminDN, password: s.AdminPassword, conn: s.Conn(t)}
}

const embeddedSeed = `dn: dc=example,dc=org
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=clients,dc=example,dc=org
objectClass: organizationalUnit
ou: clients
`

// embeddedDirectory starts the in-process directory, persisting to a
// temporary file as `gatehouse serve` does.
func embeddedDirectory(t testing.TB) directory {
	t.Helper()
	seed := filepath.Join(t.TempDir(), "seed.ldif")
	if err := os.WriteFile(seed, []byte(embeddedSeed), 0o600); err != nil {
		t.Fatal(err)
	}
	return startEmbedded(t, seed)
}

// startEmbedded starts the in-process directory from seed, persisting to a
// temporary file, with an admin connection closed when the test ends.
func startEmbedded(t testing.TB, seed string) directory {
	t.Helper()
	srv, err := embedded.Start(embedded.Options{Seed: seed, Data: filepath.Join(t.TempDir(), "data.ldif"),
		Listen: "127.0.0.1:0", AdminDN: adminDN, AdminPassword: adminPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	conn, err := ldap.DialURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if err := conn.Bind(adminDN, adminPassword); err != nil {
		t.Fatal(err)
	}
	return directory{url: srv.URL(), bindDN: adminDN, password: adminPassword, conn: conn}
}

func TestClientStoreOpenLDAP(t *testing.T) {
	t.Parallel()
	d := openLDAP(t)
	conformance.RunClientStoreTests(t, d.backend)
}

func TestClientStoreEmbedded(t *testing.T) {
	t.Parallel()
	d := embeddedDirectory(t)
	conformance.RunClientStoreTests(t, d.backend)
}

func TestNewClientsRefusesBadBaseDN(t *testing.T) {
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{"ldap://127.0.0.1:1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"", "not a dn", "ou=x,,dc=y"} {
		if _, err := ldapstore.NewClients(pool, base); err == nil {
			t.Errorf("NewClients(%q) accepted it", base)
		}
	}
	if _, err := ldapstore.NewClients(nil, clientsDN); err == nil {
		t.Error("NewClients accepted no pool")
	}
}

// A directory that does not answer is ErrUnavailable from every method,
// never ErrNotFound: the provider must not tell a client it does not exist
// when it cannot know.
func TestClientsUnavailable(t *testing.T) {
	t.Parallel()
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{closedLDAPURL(t)}, Timeout: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := ldapstore.NewClients(pool, clientsDN)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	_, err = s.Get(ctx, "any")
	wantUnavailable(t, "Get", err)
	_, err = s.Create(ctx, oauth.Client{ID: "any"})
	wantUnavailable(t, "Create", err)
	_, err = s.Update(ctx, "any", func(c oauth.Client) (oauth.Client, error) { return c, nil })
	wantUnavailable(t, "Update", err)
	wantUnavailable(t, "Delete", s.Delete(ctx, "any"))
	n := 0
	for _, err := range s.List(ctx) {
		wantUnavailable(t, "List", err)
		n++
	}
	if n != 1 {
		t.Errorf("List yielded %d times, want once", n)
	}
}

// closedLDAPURL names a loopback port nothing listens on.
func closedLDAPURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "ldap://" + addr
}

func wantUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ldapstore.ErrUnavailable) || errors.Is(err, ldapstore.ErrNotFound) {
		t.Errorf("%s: error = %v, want ErrUnavailable alone", what, err)
	}
}

// A directory that stops in the middle of things is an outage too, and the
// store works again once it is back.
func TestClientsDirectoryGoesAway(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{})
	d := directory{url: s.URL, bindDN: s.AdminDN, password: s.AdminPassword, conn: s.Conn(t)}
	store, _ := d.store(t, ldapstore.WithCacheTTL(0))
	if _, err := store.Create(t.Context(), conformance.MinimalClient("c")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := store.Get(t.Context(), "c")
	wantUnavailable(t, "Get from a stopped directory", err)
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// rename changes a client's name behind the store's back, as another
// Gatehouse instance or an administrator would.
func rename(t *testing.T, d directory, base, id, name string) {
	t.Helper()
	req := ldap.NewModifyRequest("oauthClientID="+ldap.EscapeDN(id)+","+base, nil)
	req.Replace("oauthClientName", []string{name})
	if err := d.conn.Modify(req); err != nil {
		t.Fatal(err)
	}
}

func nameOf(t *testing.T, s *ldapstore.Clients, id string) string {
	t.Helper()
	c, err := s.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get(%q): %v", id, err)
	}
	return c.Metadata.ClientName[""]
}

func named(id, name string) oauth.Client {
	return oauth.Client{ID: id, Metadata: oauth.Metadata{ClientName: oauth.LangString{"": name}}}
}

func TestClientCache(t *testing.T) {
	t.Parallel()
	d := embeddedDirectory(t)
	ctx := t.Context()

	t.Run("answers from memory until the TTL ends", func(t *testing.T) {
		clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
		s, base := d.store(t, ldapstore.WithCacheTTL(30*time.Second), ldapstore.WithClock(clock.Now))
		if _, err := s.Create(ctx, named("c", "A")); err != nil {
			t.Fatal(err)
		}
		nameOf(t, s, "c")
		rename(t, d, base, "c", "B")
		if got := nameOf(t, s, "c"); got != "A" {
			t.Errorf("within the TTL: %q, want the cached A", got)
		}
		clock.Advance(29 * time.Second)
		if got := nameOf(t, s, "c"); got != "A" {
			t.Errorf("after 29s: %q, want the cached A", got)
		}
		clock.Advance(time.Second)
		if got := nameOf(t, s, "c"); got != "B" {
			t.Errorf("after 30s: %q, want B from the directory", got)
		}
	})

	t.Run("local writes are seen at once", func(t *testing.T) {
		clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
		s, base := d.store(t, ldapstore.WithClock(clock.Now))
		if _, err := s.Create(ctx, named("c", "A")); err != nil {
			t.Fatal(err)
		}
		nameOf(t, s, "c")
		rename(t, d, base, "c", "B")
		// Update reads the directory, not the cache.
		_, err := s.Update(ctx, "c", func(c oauth.Client) (oauth.Client, error) {
			if got := c.Metadata.ClientName[""]; got != "B" {
				t.Errorf("Update saw %q, want B from the directory", got)
			}
			c.Metadata.ClientName[""] = "C"
			return c, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := nameOf(t, s, "c"); got != "C" {
			t.Errorf("after Update: %q, want C", got)
		}
		if err := s.Delete(ctx, "c"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "c"); !errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("after Delete: %v, want ErrNotFound", err)
		}
		if _, err := s.Create(ctx, named("c", "D")); err != nil {
			t.Fatal(err)
		}
		if got := nameOf(t, s, "c"); got != "D" {
			t.Errorf("after Create: %q, want D", got)
		}
	})

	t.Run("a TTL of zero turns it off", func(t *testing.T) {
		s, base := d.store(t, ldapstore.WithCacheTTL(0))
		if _, err := s.Create(ctx, named("c", "A")); err != nil {
			t.Fatal(err)
		}
		nameOf(t, s, "c")
		rename(t, d, base, "c", "B")
		if got := nameOf(t, s, "c"); got != "B" {
			t.Errorf("without a cache: %q, want B", got)
		}
	})

	t.Run("bounded in size", func(t *testing.T) {
		clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
		s, base := d.store(t, ldapstore.WithCacheSize(2), ldapstore.WithClock(clock.Now))
		for _, id := range []string{"a", "b", "c"} {
			if _, err := s.Create(ctx, named(id, "old")); err != nil {
				t.Fatal(err)
			}
		}
		nameOf(t, s, "a")
		nameOf(t, s, "b")
		nameOf(t, s, "a") // b is now the least recently used
		nameOf(t, s, "c") // evicts b
		rename(t, d, base, "a", "new")
		rename(t, d, base, "b", "new")
		if got := nameOf(t, s, "a"); got != "old" {
			t.Errorf("a: %q, want it still cached", got)
		}
		if got := nameOf(t, s, "b"); got != "new" {
			t.Errorf("b: %q, want it evicted and read afresh", got)
		}
	})
}

// An update that changes nothing writes nothing: the version stays.
func TestClientsUpdateWithoutChange(t *testing.T) {
	t.Parallel()
	d := embeddedDirectory(t)
	s, _ := d.store(t)
	created, err := s.Create(t.Context(), conformance.FullClient("same"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Update(t.Context(), "same", func(c oauth.Client) (oauth.Client, error) { return c, nil })
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != created.Version {
		t.Errorf("version moved from %q to %q for no change", created.Version, got.Version)
	}
}

// The store refuses what the directory could not give back as it was.
func TestClientsRefuseUnstorableValues(t *testing.T) {
	t.Parallel()
	d := embeddedDirectory(t)
	s, _ := d.store(t)
	tests := []struct {
		name string
		c    oauth.Client
	}{
		{name: "empty ID", c: oauth.Client{}},
		{name: "ID not UTF-8", c: oauth.Client{ID: "\xff"}},
		{name: "empty value in a list", c: oauth.Client{ID: "x", Metadata: oauth.Metadata{RedirectURIs: []string{""}}}},
		{name: "repeated value", c: oauth.Client{ID: "x", Metadata: oauth.Metadata{Scope: []string{"openid", "openid"}}}},
		{name: "invalid language tag", c: oauth.Client{ID: "x", Metadata: oauth.Metadata{ClientName: oauth.LangString{"de_DE": "x"}}}},
		{name: "tag twice in different case", c: oauth.Client{ID: "x", Metadata: oauth.Metadata{ClientName: oauth.LangString{"de": "x", "DE": "y"}}}},
		{name: "jwks not an object", c: oauth.Client{ID: "x", Metadata: oauth.Metadata{JWKS: []byte(`[]`)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Create(t.Context(), tc.c); err == nil {
				t.Error("Create accepted it")
			}
		})
	}
}

// A change the directory refuses for itself (here two contacts that
// mail's matching rule holds equal) is not a conflict: retrying it would
// fail the same way, so Update must not say ErrConflict.
func TestClientsRefusedUpdateIsNotAConflict(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) directory{"OpenLDAP": openLDAP, "embedded": embeddedDirectory} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, _ := open(t).store(t)
			c := oauth.Client{ID: "c", Metadata: oauth.Metadata{Contacts: []string{"ops@rp.example"}}}
			if _, err := s.Create(t.Context(), c); err != nil {
				t.Fatal(err)
			}
			_, err := s.Update(t.Context(), "c", func(c oauth.Client) (oauth.Client, error) {
				c.Metadata.Contacts = append(c.Metadata.Contacts, "OPS@rp.example")
				return c, nil
			})
			if err == nil || errors.Is(err, ldapstore.ErrConflict) {
				t.Errorf("Update error = %v, want the directory's refusal, not a conflict", err)
			}
		})
	}
}

// The embedded directory keeps its entries in an LDIF file. Clients must
// come back from it unchanged after a restart: values with leading spaces,
// non-ASCII text and JSON go through LDIF's base64 form.
func TestClientsSurviveEmbeddedRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.ldif")
	if err := os.WriteFile(seed, []byte(embeddedSeed), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := embedded.Options{Seed: seed, Data: filepath.Join(dir, "data.ldif"), Listen: "127.0.0.1:0",
		AdminDN: adminDN, AdminPassword: adminPassword}
	start := func() (*embedded.Server, *ldapstore.Clients, *ldapstore.Pool) {
		srv, err := embedded.Start(opts)
		if err != nil {
			t.Fatal(err)
		}
		pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{srv.URL()}, BindDN: adminDN,
			BindPassword: adminPassword, Size: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ldapstore.NewClients(pool, clientsDN, ldapstore.WithCacheTTL(0))
		if err != nil {
			t.Fatal(err)
		}
		return srv, s, pool
	}

	srv, s, pool := start()
	want := make(map[string]oauth.Client)
	for _, id := range []string{"full", " spaced ", "müller,&co"} {
		c := conformance.FullClient(id)
		c.Metadata.ClientName[""] = " Grüße " + id
		created, err := s.Create(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		want[id] = created
	}
	pool.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv, s, pool = start()
	t.Cleanup(func() {
		pool.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	for id, c := range want {
		got, err := s.Get(t.Context(), id)
		if err != nil {
			t.Fatalf("after restart, Get(%q): %v", id, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("after restart %q changed:\n got %+v\nwant %+v", id, got, c)
		}
	}
}
