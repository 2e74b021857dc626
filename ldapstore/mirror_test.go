package ldapstore_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/conformance"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// The tests of this file run Gatehouse's stores on two OpenLDAP providers
// in multi-provider replication (docs/scale-out.md, "OpenLDAP"): what is
// written through one is read through the other, and what becomes of a
// compare-and-swap when two writers race — on one provider, and on both.

// mirrorStores are the stores of one "instance" on a pool over urls.
type mirrorStores struct {
	clients *ldapstore.Clients
	authz   *ldapstore.Authorizations
}

func newMirrorStores(t *testing.T, p *ldaptest.MirrorPair, urls ...string) mirrorStores {
	t.Helper()
	pool := failoverPool(t, p.A, &logBuffer{}, 2, urls...)
	clients, err := ldapstore.NewClients(pool, clientsDN, ldapstore.WithCacheTTL(0))
	if err != nil {
		t.Fatal(err)
	}
	authz, err := ldapstore.NewAuthorizations(pool, authorizationsDN)
	if err != nil {
		t.Fatal(err)
	}
	return mirrorStores{clients: clients, authz: authz}
}

// authzDN finds the entry of an authorization on s, for waiting on it.
func authzDN(t *testing.T, s *ldaptest.Slapd, subject, clientID string) string {
	t.Helper()
	res, err := s.Conn(t).Search(ldap.NewSearchRequest(authorizationsDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases,
		2, 0, false, "(&(authzSubject="+ldap.EscapeFilter(subject)+")(authzClientID="+ldap.EscapeFilter(clientID)+"))",
		[]string{"1.1"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("authorization of %s for %s on %s: %v (%d entries)", subject, clientID, s.URL, err, len(res.Entries))
	}
	return res.Entries[0].DN
}

func hasScope(scope string) func(*ldap.Entry) bool {
	return func(e *ldap.Entry) bool { return slices.Contains(e.GetAttributeValues("authzScopeValue"), scope) }
}

// TestMirrorWritesReadThroughThePeer: an instance with ldap.urls [A, B]
// writes to A; an instance that only knows B reads the registration and
// the consent once replication delivered them.
func TestMirrorWritesReadThroughThePeer(t *testing.T) {
	t.Parallel()
	p := ldaptest.NewMirrorPair(t, ldaptest.Options{})
	writer := newMirrorStores(t, p, p.A.URL, p.B.URL)
	reader := newMirrorStores(t, p, p.B.URL)
	ctx := t.Context()

	client, err := writer.clients.Create(ctx, conformance.MinimalClient("mirror-rp"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ldaptest.WaitEntry(ctx, p.B, "oauthClientID=mirror-rp,"+clientsDN, nil); err != nil {
		t.Fatal(err)
	}
	got, err := reader.clients.Get(ctx, client.ID)
	if err != nil || got.ID != client.ID {
		t.Fatalf("registration through B: %+v, %v", got, err)
	}

	if _, err := writer.authz.Create(ctx, oauth.Authorization{Subject: "alice", ClientID: client.ID, Scopes: []string{"openid"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ldaptest.WaitEntry(ctx, p.B, authzDN(t, p.A, "alice", client.ID), hasScope("openid")); err != nil {
		t.Fatal(err)
	}
	consent, err := reader.authz.Get(ctx, "alice", client.ID)
	if err != nil || !slices.Equal(consent.Scopes, []string{"openid"}) {
		t.Fatalf("consent through B: %+v, %v", consent, err)
	}
}

// TestMirrorCompareAndSwap shows where a lost update is caught. Two
// instances that share the order [A, B] both write to A, where the
// compare-and-swap on gatehouseVersion makes the slower one fail with
// ErrConflict. Two writers on different providers cannot see each other's
// version in time: each provider accepts its own swap, and replication
// keeps the entry with the later entryCSN — last writer wins, and the
// other update is gone without an error. That is why every instance must
// list the providers in the same order.
func TestMirrorCompareAndSwap(t *testing.T) {
	t.Parallel()
	p := ldaptest.NewMirrorPair(t, ldaptest.Options{})
	first := newMirrorStores(t, p, p.A.URL, p.B.URL)
	second := newMirrorStores(t, p, p.A.URL, p.B.URL)
	onlyA := newMirrorStores(t, p, p.A.URL)
	onlyB := newMirrorStores(t, p, p.B.URL)
	ctx := t.Context()

	t.Run("same order: one provider detects the race", func(t *testing.T) {
		if _, err := first.authz.Create(ctx, oauth.Authorization{Subject: "bob", ClientID: "rp", Scopes: []string{"openid"}}); err != nil {
			t.Fatal(err)
		}
		// The second instance's update lands between the first one's
		// read and its write: a race, made deterministic.
		_, err := first.authz.Update(ctx, "bob", "rp", func(a oauth.Authorization) (oauth.Authorization, error) {
			if _, err := second.authz.Update(ctx, "bob", "rp", withScope("second")); err != nil {
				t.Errorf("the second instance's update: %v", err)
			}
			return withScope("first")(a)
		})
		if !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("the first instance's update: %v, want ErrConflict", err)
		}
		// Retried, as the token endpoint's refresh grant does, it applies
		// to the newer state: neither update is lost.
		got, err := first.authz.Update(ctx, "bob", "rp", withScope("first"))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"openid", "second", "first"}; !slices.Equal(got.Scopes, want) {
			t.Errorf("scopes %v, want %v", got.Scopes, want)
		}
	})

	t.Run("different providers: last writer wins", func(t *testing.T) {
		if _, err := first.authz.Create(ctx, oauth.Authorization{Subject: "carol", ClientID: "rp", Scopes: []string{"openid"}}); err != nil {
			t.Fatal(err)
		}
		dn := authzDN(t, p.A, "carol", "rp")
		if _, err := ldaptest.WaitEntry(ctx, p.B, dn, nil); err != nil {
			t.Fatal(err)
		}
		// Partitioned, the two writes cannot meet: replication is
		// asynchronous, and this only stretches its delay.
		p.Partition()
		_, errA := onlyA.authz.Update(ctx, "carol", "rp", withScope("via-a"))
		_, errB := onlyB.authz.Update(ctx, "carol", "rp", withScope("via-b"))
		p.Heal()
		if errA != nil || errB != nil {
			t.Fatalf("each provider refused its own swap: A %v, B %v", errA, errB)
		}
		if err := p.WaitInSync(ctx); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*ldaptest.Slapd{p.A, p.B} {
			e, err := ldaptest.WaitEntry(ctx, s, dn, hasScope("via-b"))
			if err != nil {
				t.Fatal(err)
			}
			if got := e.GetAttributeValues("authzScopeValue"); slices.Contains(got, "via-a") {
				t.Errorf("%s kept both updates (%v): mirror mode merged them after all; update docs/scale-out.md", s.URL, got)
			}
		}
	})
}

func withScope(scope string) func(oauth.Authorization) (oauth.Authorization, error) {
	return func(a oauth.Authorization) (oauth.Authorization, error) {
		a.Scopes = append(a.Scopes, scope)
		return a, nil
	}
}

// TestMirrorFailover: with A killed, an instance on [A, B] writes to B
// (the write that finds A dead fails and is not retried: the caller
// decides); A, started again, catches up on what it missed.
func TestMirrorFailover(t *testing.T) {
	t.Parallel()
	p := ldaptest.NewMirrorPair(t, ldaptest.Options{})
	inst := newMirrorStores(t, p, p.A.URL, p.B.URL)
	ctx := t.Context()
	if _, err := inst.authz.Create(ctx, oauth.Authorization{Subject: "dave", ClientID: "rp", Scopes: []string{"openid"}}); err != nil {
		t.Fatal(err)
	}
	dn := authzDN(t, p.A, "dave", "rp")
	if _, err := ldaptest.WaitEntry(ctx, p.B, dn, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.A.Kill(); err != nil {
		t.Fatal(err)
	}
	var err error
	for range 3 { // the pool marks A down on the first failure
		if _, err = inst.authz.Update(ctx, "dave", "rp", withScope("while-a-was-down")); !errors.Is(err, storage.ErrUnavailable) {
			break
		}
	}
	if err != nil {
		t.Fatalf("update with A dead: %v", err)
	}
	if _, err := ldaptest.WaitEntry(ctx, p.B, dn, hasScope("while-a-was-down")); err != nil {
		t.Fatal(err)
	}
	if err := p.A.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ldaptest.WaitEntry(ctx, p.A, dn, hasScope("while-a-was-down")); err != nil {
		t.Fatal(err)
	}
}
