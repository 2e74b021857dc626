package ldapstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/conformance"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

var _ conformance.AuthorizationStore = (*ldapstore.Authorizations)(nil)

const authorizationsDN = "ou=authorizations," + suffix

// authorizations returns a store on a subtree of its own.
func (d directory) authorizations(t testing.TB, opts ...ldapstore.AuthorizationsOption) (*ldapstore.Authorizations, string) {
	t.Helper()
	base := ldaptest.Subtree(t, d.conn, authorizationsDN)
	s, err := ldapstore.NewAuthorizations(d.pool(t, 4), base, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s, base
}

func (d directory) authzBackend(t *testing.T) conformance.AuthorizationBackend {
	s, base := d.authorizations(t)
	return conformance.AuthorizationBackend{Store: s, BaseDN: base, Dir: d.conn}
}

func TestAuthorizationStoreOpenLDAP(t *testing.T) {
	t.Parallel()
	d := openLDAP(t) // with the shipped schema
	conformance.RunAuthorizationStoreTests(t, d.authzBackend)
}

func TestAuthorizationStoreEmbedded(t *testing.T) {
	t.Parallel()
	d := embeddedWithPeople(t)
	conformance.RunAuthorizationStoreTests(t, d.authzBackend)
}

func TestNewAuthorizationsRefusesBadBaseDN(t *testing.T) {
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{"ldap://127.0.0.1:1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"", "not a dn", "ou=x,,dc=y"} {
		if _, err := ldapstore.NewAuthorizations(pool, base); err == nil {
			t.Errorf("NewAuthorizations(%q) accepted it", base)
		}
	}
	if _, err := ldapstore.NewAuthorizations(nil, authorizationsDN); err == nil {
		t.Error("NewAuthorizations accepted no pool")
	}
}

// The clock stamps Create and Update; times are kept to the second.
func TestAuthorizationsClock(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 5, 6, 7, 8, 9, 987654321, time.FixedZone("CEST", 2*3600))}
	s, _ := embeddedWithPeople(t).authorizations(t, ldapstore.WithAuthorizationClock(clock.Now))
	created, err := s.Create(t.Context(), oauth.Authorization{Subject: "alice", ClientID: "rp", Scopes: []string{"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 5, 6, 5, 8, 9, 0, time.UTC)
	if created.IssuedAt != want || created.UpdatedAt != want {
		t.Errorf("created at %v / %v, want %v", created.IssuedAt, created.UpdatedAt, want)
	}
	clock.Advance(time.Hour)
	updated, err := s.Update(t.Context(), "alice", "rp", func(a oauth.Authorization) (oauth.Authorization, error) {
		a.Scopes = append(a.Scopes, "email")
		return a, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.IssuedAt != want || updated.UpdatedAt != want.Add(time.Hour) {
		t.Errorf("updated: issued %v, updated %v; want %v and an hour later", updated.IssuedAt, updated.UpdatedAt, want)
	}
}

// A directory that does not answer is ErrUnavailable from every method,
// never ErrNotFound.
func TestAuthorizationsUnavailable(t *testing.T) {
	t.Parallel()
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{closedLDAPURL(t)}, Timeout: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := ldapstore.NewAuthorizations(pool, authorizationsDN)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	_, err = s.Get(ctx, "alice", "rp")
	wantUnavailable(t, "Get", err)
	_, err = s.Create(ctx, oauth.Authorization{Subject: "alice", ClientID: "rp"})
	wantUnavailable(t, "Create", err)
	_, err = s.Update(ctx, "alice", "rp", func(a oauth.Authorization) (oauth.Authorization, error) { return a, nil })
	wantUnavailable(t, "Update", err)
	wantUnavailable(t, "Delete", s.Delete(ctx, "alice", "rp"))
	_, err = s.ListBySubject(ctx, "alice")
	wantUnavailable(t, "ListBySubject", err)
}

// A base DN that does not exist is a misconfiguration, reported as such by
// the calls that need it, not as an authorization that is missing.
func TestAuthorizationsMissingBaseDN(t *testing.T) {
	t.Parallel()
	d := openLDAP(t)
	s, err := ldapstore.NewAuthorizations(d.pool(t, 1), "ou=absent,"+suffix)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(t.Context(), oauth.Authorization{Subject: "alice", ClientID: "rp"})
	if err == nil || errors.Is(err, ldapstore.ErrNotFound) {
		t.Errorf("Create = %v, want an error that is not ErrNotFound", err)
	}
	if _, err := s.ListBySubject(t.Context(), "alice"); err == nil || errors.Is(err, ldapstore.ErrNotFound) {
		t.Errorf("ListBySubject = %v, want an error that is not ErrNotFound", err)
	}
}

// A change the directory refuses for itself is not a conflict: here
// claims on an entry of the bare class oauth2Authz, whose schema has no
// oidcClaimName, and which cannot become an oidcAuthz in place.
func TestAuthorizationsRefusedUpdateIsNotAConflict(t *testing.T) {
	t.Parallel()
	d := openLDAP(t)
	s, base := d.authorizations(t)
	req := ldap.NewAddRequest("authzSubject=alice+authzClientID=rp,"+base, nil)
	req.Attribute("objectClass", []string{"oauth2Authz"})
	req.Attribute("authzSubject", []string{"alice"})
	req.Attribute("authzClientID", []string{"rp"})
	if err := d.conn.Add(req); err != nil {
		t.Fatal(err)
	}
	_, err := s.Update(t.Context(), "alice", "rp", func(a oauth.Authorization) (oauth.Authorization, error) {
		a.Claims = []string{"email"}
		return a, nil
	})
	if err == nil || errors.Is(err, ldapstore.ErrConflict) {
		t.Errorf("Update error = %v, want the directory's refusal, not a conflict", err)
	}
}
