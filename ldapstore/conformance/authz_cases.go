package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// authzAttributes are the attribute names FullAuthorization is stored in.
var authzAttributes = []string{
	"authzSubject", "authzClientID", "authzScopeValue", "oidcClaimName", "authzIssueDate",
	"authzUpdateDate", "authzIssuer", "authzData", "gatehouseVersion",
	"authzRefreshToken", "authzRefreshTokenIssueDate", "authzRefreshTokenLifetime",
}

var authzClasses = []string{"oauth2Authz", "oidcAuthz", "gatehouseAuthz"}

func testAuthzRoundTrip(t *testing.T, b AuthorizationBackend) {
	want := FullAuthorization("alice", "rp")
	created := createAuthz(t, b.Store, want)
	if created.Version == "" {
		t.Error("Create returned no Version")
	}
	sameAuthz(t, "Create", created, want, false)
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "rp"), created, true)
	listed := listAuthz(t, b.Store, "alice")
	if len(listed) != 1 {
		t.Fatalf("ListBySubject = %v, want one", keysOf(listed))
	}
	sameAuthz(t, "ListBySubject", listed[0], created, true)

	e := rawAuthz(t, b, "alice", "rp")
	for _, attr := range authzAttributes {
		if !hasAttr(e, attr) {
			t.Errorf("entry has no attribute %s", attr)
		}
	}
	for _, class := range authzClasses {
		if !hasValue(e, "objectClass", class) {
			t.Errorf("entry lacks objectClass %s", class)
		}
	}
	onlyAttributes(t, "full", e, append(authzAttributes, "objectClass")...)
}

// A store stamps the times it is not given.
func testAuthzMinimal(t *testing.T, b AuthorizationBackend) {
	before := time.Now().Truncate(time.Second)
	created := createAuthz(t, b.Store, MinimalAuthorization("alice", "rp"))
	after := time.Now()
	if created.IssuedAt.Before(before) || created.IssuedAt.After(after) || !created.UpdatedAt.Equal(created.IssuedAt) {
		t.Errorf("IssuedAt %v, UpdatedAt %v; want both the time of Create", created.IssuedAt, created.UpdatedAt)
	}
	if created.IssuedAt.Nanosecond() != 0 || created.IssuedAt.Location() != time.UTC {
		t.Errorf("IssuedAt %v is not whole seconds in UTC", created.IssuedAt)
	}
	want := MinimalAuthorization("alice", "rp")
	want.IssuedAt, want.UpdatedAt = created.IssuedAt, created.UpdatedAt
	sameAuthz(t, "Create", created, want, false)
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "rp"), created, true)
	onlyAttributes(t, "minimal", rawAuthz(t, b, "alice", "rp"),
		"objectClass", "authzSubject", "authzClientID", "authzIssueDate", "authzUpdateDate", "gatehouseVersion")
}

// LDAP holds no empty lists: an empty list of scopes or claims comes back
// nil. Data keeps nil and empty apart, as a JSON object can — when it has
// authzData to itself: beside rotated refresh token hashes, empty Data
// reads back nil.
func testAuthzEmptyAndNil(t *testing.T, b AuthorizationBackend) {
	a := FullAuthorization("alice", "empty")
	a.Scopes, a.Claims, a.Data = []string{}, []string{}, map[string]any{}
	a.RotatedRefreshHashes = []string{}
	want := a
	want.Scopes, want.Claims, want.RotatedRefreshHashes = nil, nil, nil
	sameAuthz(t, "Create", createAuthz(t, b.Store, a), want, false)
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "empty"), want, false)

	a = FullAuthorization("alice", "rotated-only")
	a.Data = nil
	sameAuthz(t, "Create", createAuthz(t, b.Store, a), a, false)
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "rotated-only"), a, false)

	a = FullAuthorization("alice", "nil")
	a.Data, a.RotatedRefreshHashes = nil, nil
	sameAuthz(t, "Create", createAuthz(t, b.Store, a), a, false)
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "nil"), a, false)
	if hasAttr(rawAuthz(t, b, "alice", "nil"), "authzData") {
		t.Error("nil Data was written")
	}
}

func testAuthzCopies(t *testing.T, b AuthorizationBackend) {
	scribble := func(a oauth.Authorization) {
		a.Scopes[0] = "evil"
		a.Claims[0] = "evil"
		a.Data["acr"] = "evil"
		a.Data["nested"].(map[string]any)["flag"] = false
		a.Data["amr"].([]any)[0] = "evil"
		a.RotatedRefreshHashes[0] = "evil"
	}
	want := FullAuthorization("alice", "rp")
	in := FullAuthorization("alice", "rp")
	created := createAuthz(t, b.Store, in)
	scribble(in) // the caller's value is not kept either
	scribble(created)
	scribble(getAuthz(t, b.Store, "alice", "rp"))
	_, err := b.Store.Update(t.Context(), "alice", "rp", func(a oauth.Authorization) (oauth.Authorization, error) {
		scribble(a)
		return FullAuthorization("alice", "rp"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	scribble(listAuthz(t, b.Store, "alice")[0])
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "rp"), want, false)
}

func testAuthzUntouchedSurvive(t *testing.T, b AuthorizationBackend) {
	want := FullAuthorization("alice", "rp")
	createAuthz(t, b.Store, want)
	steps := []func(a *oauth.Authorization){
		func(a *oauth.Authorization) { a.Scopes = append(a.Scopes, "groups") },
		func(a *oauth.Authorization) { a.Issuer = "https://op.example/tenant-2" },
		func(a *oauth.Authorization) { a.Data["acr"] = "urn:example:loa:3" },
		func(a *oauth.Authorization) { a.Claims = a.Claims[1:] },
		func(a *oauth.Authorization) { a.IssuedAt = a.IssuedAt.Add(-time.Hour) },
	}
	for i, step := range steps {
		step(&want)
		got := updateAuthz(t, b.Store, "alice", "rp", step)
		want.UpdatedAt = got.UpdatedAt // stamped; see testAuthzUpdatedAt
		what := "step " + string(rune('1'+i))
		sameAuthz(t, "Update "+what, got, want, false)
		sameAuthz(t, "Get after "+what, getAuthz(t, b.Store, "alice", "rp"), want, false)
	}
}

func testAuthzUpdatedAt(t *testing.T, b AuthorizationBackend) {
	created := createAuthz(t, b.Store, FullAuthorization("alice", "rp"))
	before := time.Now().Truncate(time.Second)
	got := updateAuthz(t, b.Store, "alice", "rp", func(a *oauth.Authorization) { a.Scopes = []string{"openid"} })
	if got.UpdatedAt.Before(before) || got.UpdatedAt.After(time.Now()) {
		t.Errorf("UpdatedAt after a change = %v, want now (%v)", got.UpdatedAt, before)
	}
	if !got.IssuedAt.Equal(created.IssuedAt) {
		t.Errorf("IssuedAt moved from %v to %v", created.IssuedAt, got.IssuedAt)
	}

	set := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	got = updateAuthz(t, b.Store, "alice", "rp", func(a *oauth.Authorization) {
		a.Scopes = []string{"openid", "email"}
		a.UpdatedAt = set
	})
	if !got.UpdatedAt.Equal(set) || !getAuthz(t, b.Store, "alice", "rp").UpdatedAt.Equal(set) {
		t.Errorf("UpdatedAt set by the function = %v, want %v kept", got.UpdatedAt, set)
	}

	unchanged := updateAuthz(t, b.Store, "alice", "rp", func(*oauth.Authorization) {})
	if !unchanged.UpdatedAt.Equal(set) || unchanged.Version != got.Version {
		t.Errorf("an update that changes nothing moved UpdatedAt to %v or the version to %q",
			unchanged.UpdatedAt, unchanged.Version)
	}
}

func testAuthzClearing(t *testing.T, b AuthorizationBackend) {
	createAuthz(t, b.Store, FullAuthorization("alice", "rp"))
	want := MinimalAuthorization("alice", "rp")
	got := updateAuthz(t, b.Store, "alice", "rp", func(a *oauth.Authorization) { *a = want })
	sameAuthz(t, "Update", got, want, false)
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "rp"), want, false)
	onlyAttributes(t, "cleared", rawAuthz(t, b, "alice", "rp"),
		"objectClass", "authzSubject", "authzClientID", "gatehouseVersion")
}

func testAuthzVersion(t *testing.T, b AuthorizationBackend) {
	v1 := createAuthz(t, b.Store, MinimalAuthorization("alice", "rp")).Version
	if got := getAuthz(t, b.Store, "alice", "rp").Version; got != v1 || v1 == "" {
		t.Fatalf("Get version %q, Create version %q", got, v1)
	}
	v2 := updateAuthz(t, b.Store, "alice", "rp", func(a *oauth.Authorization) { a.Issuer = "https://x.example" }).Version
	if v2 == v1 || v2 == "" {
		t.Errorf("version after update %q, before %q", v2, v1)
	}
	if got := getAuthz(t, b.Store, "alice", "rp").Version; got != v2 {
		t.Errorf("Get version %q, Update version %q", got, v2)
	}
}

func testAuthzNotFound(t *testing.T, b AuthorizationBackend) {
	ctx := t.Context()
	createAuthz(t, b.Store, MinimalAuthorization("Alice", "rp"))
	for _, key := range [][2]string{
		{"Alice", "other"}, {"bob", "rp"}, {"", "rp"}, {"Alice", ""}, {"", ""},
		{"ALICE", "rp"}, {"alice", "rp"}, {"Alice", "RP"}, {"Alice ", "rp"}, {" Alice", "rp"},
		{"Alice", "rp "}, {"rp", "Alice"}, {"Al*", "rp"}, {"*", "*"}, {"Alice\xff", "rp"},
	} {
		subject, clientID := key[0], key[1]
		what := "(" + subject + ", " + clientID + ")"
		_, err := b.Store.Get(ctx, subject, clientID)
		wantErr(t, "Get"+what, err, ldapstore.ErrNotFound)
		called := false
		_, err = b.Store.Update(ctx, subject, clientID, func(a oauth.Authorization) (oauth.Authorization, error) {
			called = true
			return a, nil
		})
		wantErr(t, "Update"+what, err, ldapstore.ErrNotFound)
		if called {
			t.Errorf("Update%s called its function", what)
		}
		wantErr(t, "Delete"+what, b.Store.Delete(ctx, subject, clientID), ldapstore.ErrNotFound)
	}
	getAuthz(t, b.Store, "Alice", "rp")
}

func testAuthzAlreadyExists(t *testing.T, b AuthorizationBackend) {
	first := createAuthz(t, b.Store, FullAuthorization("alice", "rp"))
	_, err := b.Store.Create(t.Context(), MinimalAuthorization("alice", "rp"))
	wantErr(t, "second Create", err, ldapstore.ErrAlreadyExists)
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "rp"), first, true)
	// Either half of the key alone is no clash.
	createAuthz(t, b.Store, MinimalAuthorization("alice", "rp2"))
	createAuthz(t, b.Store, MinimalAuthorization("bob", "rp"))
}

func testAuthzUpdateFnError(t *testing.T, b AuthorizationBackend) {
	before := createAuthz(t, b.Store, FullAuthorization("alice", "rp"))
	boom := errors.New("boom")
	_, err := b.Store.Update(t.Context(), "alice", "rp", func(a oauth.Authorization) (oauth.Authorization, error) {
		a.Scopes = []string{"never-written"}
		return a, boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update error = %v, want the function's", err)
	}
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "rp"), before, true)
}

func testAuthzUpdateKey(t *testing.T, b AuthorizationBackend) {
	before := createAuthz(t, b.Store, MinimalAuthorization("alice", "rp"))
	for _, change := range []func(a *oauth.Authorization){
		func(a *oauth.Authorization) { a.Subject = "bob" },
		func(a *oauth.Authorization) { a.ClientID = "rp2" },
	} {
		_, err := b.Store.Update(t.Context(), "alice", "rp", func(a oauth.Authorization) (oauth.Authorization, error) {
			change(&a)
			return a, nil
		})
		if err == nil {
			t.Error("Update changed the key")
		}
	}
	sameAuthz(t, "Get", getAuthz(t, b.Store, "alice", "rp"), before, true)
	for _, key := range [][2]string{{"bob", "rp"}, {"alice", "rp2"}} {
		_, err := b.Store.Get(t.Context(), key[0], key[1])
		wantErr(t, "Get("+key[0]+", "+key[1]+")", err, ldapstore.ErrNotFound)
	}
}

func testAuthzUnstorable(t *testing.T, b AuthorizationBackend) {
	tests := []struct {
		name string
		a    oauth.Authorization
	}{
		{"no subject", MinimalAuthorization("", "rp")},
		{"no client ID", MinimalAuthorization("alice", "")},
		{"subject not UTF-8", MinimalAuthorization("\xff", "rp")},
		{"empty scope", oauth.Authorization{Subject: "alice", ClientID: "rp", Scopes: []string{""}}},
		{"scope twice", oauth.Authorization{Subject: "alice", ClientID: "rp", Scopes: []string{"openid", "openid"}}},
		{"claim twice", oauth.Authorization{Subject: "alice", ClientID: "rp", Claims: []string{"email", "email"}}},
		{"data not JSON", oauth.Authorization{Subject: "alice", ClientID: "rp", Data: map[string]any{"f": func() {}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := b.Store.Create(t.Context(), tc.a); err == nil {
				t.Error("Create accepted it")
			}
		})
	}
	createAuthz(t, b.Store, MinimalAuthorization("alice", "rp"))
	_, err := b.Store.Update(t.Context(), "alice", "rp", func(a oauth.Authorization) (oauth.Authorization, error) {
		a.Scopes = []string{"openid", "openid"}
		return a, nil
	})
	if err == nil {
		t.Error("Update accepted a scope twice")
	}
}

func testAuthzDelete(t *testing.T, b AuthorizationBackend) {
	ctx := t.Context()
	createAuthz(t, b.Store, FullAuthorization("alice", "rp"))
	createAuthz(t, b.Store, MinimalAuthorization("alice", "kept"))
	createAuthz(t, b.Store, MinimalAuthorization("bob", "rp"))
	if err := b.Store.Delete(ctx, "alice", "rp"); err != nil {
		t.Fatal(err)
	}
	_, err := b.Store.Get(ctx, "alice", "rp")
	wantErr(t, "Get after Delete", err, ldapstore.ErrNotFound)
	wantErr(t, "second Delete", b.Store.Delete(ctx, "alice", "rp"), ldapstore.ErrNotFound)
	getAuthz(t, b.Store, "alice", "kept")
	getAuthz(t, b.Store, "bob", "rp")
	again := createAuthz(t, b.Store, FullAuthorization("alice", "rp"))
	sameAuthz(t, "re-created", again, FullAuthorization("alice", "rp"), false)
}
