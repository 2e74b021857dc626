package conformance

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// specialKeys need escaping in a DN (RFC 4514 §2.4; '+' separates the
// values of the multi-valued RDN), in a filter (RFC 4515 §3), or both, or
// are not ASCII. None equals another under a matching rule that ignores
// case and insignificant spaces, so they stay apart in every directory.
var specialKeys = []string{
	`,+"\<>;=*()`,
	`a+b`,
	`x)(authzSubject=*`,
	`a*b`,
	`back\slash\`,
	`müller`,
	`日本語-クライアント`,
	` leading space`,
	`trailing space `,
	`#hash`,
	`inner  spaces`,
	`uuid-5f0c8a56-3d6e-4c52-9a0e-2b7d1e4f6a01`,
}

func testAuthzSpecialCharacters(t *testing.T, b AuthorizationBackend) {
	ctx := t.Context()
	var keys [][2]string
	for _, v := range specialKeys {
		keys = append(keys, [2]string{v, "plain-client"}, [2]string{"plain-subject", v}, [2]string{v, v})
	}
	want := make(map[[2]string]oauth.Authorization)
	for _, key := range keys {
		a := FullAuthorization(key[0], key[1])
		a.Data["key"] = []any{key[0], key[1]}
		sameAuthz(t, "Create", createAuthz(t, b.Store, a), a, false)
		sameAuthz(t, "Get", getAuthz(t, b.Store, key[0], key[1]), a, false)
		want[key] = updateAuthz(t, b.Store, key[0], key[1], func(a *oauth.Authorization) {
			a.Claims = append(a.Claims, key[1])
		})
		rawAuthz(t, b, key[0], key[1]) // the entry is where the contract says
	}
	for _, probe := range [][2]string{
		{"*", "plain-client"}, {"plain-subject", "*"}, {"a*", "plain-client"}, {"müller*", "plain-client"},
		{"x)(authzSubject=", "plain-client"}, {"a", "plain-client"}, {"#hash", "x"},
	} {
		if _, err := b.Store.Get(ctx, probe[0], probe[1]); !errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("Get(%q, %q) = %v, want ErrNotFound: a key is not a pattern", probe[0], probe[1], err)
		}
	}
	for _, subject := range append(specialKeys, "plain-subject") {
		var wantKeys []string
		for key, a := range want {
			if key[0] == subject {
				wantKeys = append(wantKeys, subject+"|"+a.ClientID)
			}
		}
		slices.Sort(wantKeys)
		listed := listAuthz(t, b.Store, subject)
		if got := keysOf(listed); !slices.Equal(got, wantKeys) {
			t.Errorf("ListBySubject(%q) = %q, want %q", subject, got, wantKeys)
		}
		for _, a := range listed {
			sameAuthz(t, "ListBySubject", a, want[[2]string{a.Subject, a.ClientID}], true)
		}
	}
	for _, key := range keys {
		if err := b.Store.Delete(ctx, key[0], key[1]); err != nil {
			t.Errorf("Delete(%q, %q): %v", key[0], key[1], err)
		}
		if _, err := b.Store.Get(ctx, key[0], key[1]); !errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("Get(%q, %q) after Delete = %v", key[0], key[1], err)
		}
	}
}

// foreignAuthz is an authorization as a server with only the 1.15 classes
// wrote it: the most specific class alone, no gatehouseAuthz, no version,
// and attributes Gatehouse does not use (yet). Times have a fraction, the
// one form Samba AD takes.
func foreignAuthz(subject, clientID string) [][2]string {
	return [][2]string{
		{"objectClass", "oidcAuthz"},
		{"authzSubject", subject},
		{"authzClientID", clientID},
		{"authzScopeValue", "openid"},
		{"authzScopeValue", "email"},
		{"authzSavedScopeValue", "openid"},
		{"oidcClaimName", "email"},
		{"oidcSavedClaimName", "email"},
		{"authzIssueDate", "20190102030405.0Z"},
		{"authzUpdateDate", "20190203040506.0Z"},
		{"authzIssuer", "https://c2id.example"},
		{"authzAudience", "https://api.example"},
		{"authzRefreshToken", "rt-key-1"},
		{"authzRefreshTokenIssueDate", "20190203040506.0Z"},
		{"authzRefreshTokenLifetime", "0"},
		{"authzLastAccessDate", "20190304050607.0Z"},
		{"oidcSessionID", "sid-1"},
		{"authzData", `{"c2id": {"x": [1, 2]}}`},
	}
}

var foreignOnly = []string{"authzSavedScopeValue", "oidcSavedClaimName", "authzAudience",
	"authzLastAccessDate", "oidcSessionID"}

func testAuthzForeignEntry(t *testing.T, b AuthorizationBackend) {
	if err := addRawAuthz(b, "alice", "c2id-rp", foreignAuthz("alice", "c2id-rp")); err != nil {
		t.Fatalf("add the foreign entry: %v", err)
	}
	want := oauth.Authorization{
		Subject: "alice", ClientID: "c2id-rp",
		Scopes: []string{"openid", "email"}, Claims: []string{"email"},
		IssuedAt:  time.Date(2019, 1, 2, 3, 4, 5, 0, time.UTC),
		UpdatedAt: time.Date(2019, 2, 3, 4, 5, 6, 0, time.UTC),
		Issuer:    "https://c2id.example",
		Data:      map[string]any{"c2id": map[string]any{"x": []any{float64(1), float64(2)}}},
		// Another server's refresh token key reads as a hash that no
		// token of Gatehouse matches; its lifetime 0 survives updates.
		RefreshTokenHash:     "rt-key-1",
		RefreshTokenIssuedAt: time.Date(2019, 2, 3, 4, 5, 6, 0, time.UTC),
	}
	got := getAuthz(t, b.Store, "alice", "c2id-rp")
	sameAuthz(t, "Get", got, want, false)
	if got.Version != "" {
		t.Errorf("an authorization no Gatehouse wrote has Version %q", got.Version)
	}

	updated := updateAuthz(t, b.Store, "alice", "c2id-rp", func(a *oauth.Authorization) {
		a.Scopes = append(a.Scopes, "profile")
	})
	want.Scopes = append(want.Scopes, "profile")
	want.UpdatedAt = updated.UpdatedAt
	sameAuthz(t, "Update", updated, want, false)
	if updated.Version == "" {
		t.Error("Update left no Version")
	}
	sameAuthz(t, "Get after update", getAuthz(t, b.Store, "alice", "c2id-rp"), updated, true)
	e := rawAuthz(t, b, "alice", "c2id-rp")
	if !hasValue(e, "objectClass", "gatehouseAuthz") || !hasAttr(e, "gatehouseVersion") {
		t.Errorf("update did not add gatehouseAuthz and its version: %v", attributeNames(e))
	}
	for _, kept := range append(foreignOnly, "authzRefreshToken", "authzRefreshTokenIssueDate", "authzRefreshTokenLifetime") {
		if !hasAttr(e, kept) {
			t.Errorf("update lost %s", kept)
		}
	}
	listed := listAuthz(t, b.Store, "alice")
	if len(listed) != 1 {
		t.Errorf("ListBySubject = %q", keysOf(listed))
	}

	// The bare base class reads too.
	base := [][2]string{{"objectClass", "oauth2Authz"}, {"authzSubject", "alice"}, {"authzClientID", "oauth-rp"},
		{"authzScopeValue", "read"}}
	if err := addRawAuthz(b, "alice", "oauth-rp", base); err != nil {
		t.Fatal(err)
	}
	sameAuthz(t, "Get oauth2Authz", getAuthz(t, b.Store, "alice", "oauth-rp"),
		oauth.Authorization{Subject: "alice", ClientID: "oauth-rp", Scopes: []string{"read"}}, false)
	updateAuthz(t, b.Store, "alice", "oauth-rp", func(a *oauth.Authorization) { a.Scopes = append(a.Scopes, "write") })

	// Two updates racing on an entry with no version yet: the class add is
	// the compare-and-swap.
	if err := addRawAuthz(b, "alice", "c2id-race", foreignAuthz("alice", "c2id-race")); err != nil {
		t.Fatal(err)
	}
	staleAuthzUpdate(t, b.Store, "alice", "c2id-race")
}

// testAuthzMalformed: a value the store cannot read spoils its own
// authorization, named by DN and attribute, and no other.
func testAuthzMalformed(t *testing.T, b AuthorizationBackend) {
	ctx := t.Context()
	bad := []struct {
		clientID string
		attrs    [][2]string
		attr     string
	}{
		{"bad-data", [][2]string{{"authzData", `{"unterminated": `}}, "authzData"},
		{"bad-data-array", [][2]string{{"authzData", `[1, 2]`}}, "authzData"},
		{"bad-issue-date", [][2]string{{"authzIssueDate", "yesterday"}}, "authzIssueDate"},
		{"bad-update-date", [][2]string{{"authzUpdateDate", "2019-01-02"}}, "authzUpdateDate"},
		{"two-issuers", [][2]string{{"authzIssuer", "https://a.example"}, {"authzIssuer", "https://b.example"}}, "authzIssuer"},
		{"bad-rotated", [][2]string{{"authzData", `{"rotated_refresh": "abc"}`}}, "authzData"},
		{"negative-lifetime", [][2]string{{"authzRefreshToken", "h"}, {"authzRefreshTokenLifetime", "-5"}}, "authzRefreshTokenLifetime"},
	}
	createAuthz(t, b.Store, FullAuthorization("mal", "good-1"))
	createAuthz(t, b.Store, MinimalAuthorization("mal", "good-2"))
	stored := make(map[string]string) // DN as built → attribute
	for _, tc := range bad {
		attrs := append([][2]string{{"objectClass", "oidcAuthz"}, {"authzSubject", "mal"}, {"authzClientID", tc.clientID}}, tc.attrs...)
		err := addRawAuthz(b, "mal", tc.clientID, attrs)
		if ldap.IsErrorAnyOf(err, ldap.LDAPResultInvalidAttributeSyntax, ldap.LDAPResultConstraintViolation,
			ldap.LDAPResultObjectClassViolation) {
			t.Logf("%s: the directory refuses it itself: %v", tc.clientID, err)
			continue
		}
		if err != nil {
			t.Fatalf("add %s: %v", tc.clientID, err)
		}
		dn := b.DN("mal", tc.clientID)
		stored[dn] = tc.attr
		_, err = b.Store.Get(ctx, "mal", tc.clientID)
		checkMalformedAuthz(t, "Get("+tc.clientID+")", err, dn, tc.attr)
		_, err = b.Store.Update(ctx, "mal", tc.clientID, func(a oauth.Authorization) (oauth.Authorization, error) { return a, nil })
		checkMalformedAuthz(t, "Update("+tc.clientID+")", err, dn, tc.attr)
	}
	if len(stored) == 0 {
		t.Fatal("the directory refused every malformed value; nothing was tested")
	}

	listed, err := b.Store.ListBySubject(ctx, "mal")
	if got := keysOf(listed); !slices.Equal(got, []string{"mal|good-1", "mal|good-2"}) {
		t.Errorf("ListBySubject gave %q, want the two good ones", got)
	}
	if !errors.Is(err, ldapstore.ErrMalformed) {
		t.Errorf("ListBySubject error = %v, want ErrMalformed", err)
	}
	var reported []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		reported = joined.Unwrap()
	} else if err != nil {
		reported = []error{err}
	}
	if len(reported) != len(stored) {
		t.Errorf("ListBySubject reported %d errors for %d malformed entries: %v", len(reported), len(stored), err)
	}
	for _, err := range reported {
		var me *ldapstore.MalformedEntryError
		if !errors.As(err, &me) {
			t.Errorf("ListBySubject error %v is not a MalformedEntryError", err)
			continue
		}
		found := false
		for dn, attr := range stored {
			if sameDN(dn, me.DN) {
				found = true
				checkMalformedAuthz(t, "ListBySubject", err, dn, attr)
			}
		}
		if !found {
			t.Errorf("ListBySubject error names %s, which is not a malformed entry", me.DN)
		}
	}

	// A malformed authorization can still be revoked.
	if err := b.Store.Delete(ctx, "mal", "bad-data"); err != nil {
		t.Errorf("Delete(bad-data): %v", err)
	}
}

func testAuthzListBySubject(t *testing.T, b AuthorizationBackend) {
	for _, clientID := range []string{"rp-c", "rp-a", "rp-b"} {
		createAuthz(t, b.Store, FullAuthorization("alice", clientID))
	}
	createAuthz(t, b.Store, MinimalAuthorization("bob", "rp-a"))
	createAuthz(t, b.Store, MinimalAuthorization("alice-2", "rp-a"))

	listed := listAuthz(t, b.Store, "alice")
	if got := keysOf(listed); !slices.Equal(got, []string{"alice|rp-a", "alice|rp-b", "alice|rp-c"}) {
		t.Errorf("ListBySubject(alice) = %q, want her three, ordered by client ID", got)
	}
	for _, a := range listed {
		sameAuthz(t, "ListBySubject", a, getAuthz(t, b.Store, "alice", a.ClientID), true)
	}
	for _, subject := range []string{"nobody", "", "ALICE", "alice*", "*", "ali", " alice"} {
		if got := listAuthz(t, b.Store, subject); len(got) != 0 {
			t.Errorf("ListBySubject(%q) = %q, want none", subject, keysOf(got))
		}
	}
	if err := b.Store.Delete(t.Context(), "alice", "rp-b"); err != nil {
		t.Fatal(err)
	}
	if got := keysOf(listAuthz(t, b.Store, "alice")); !slices.Equal(got, []string{"alice|rp-a", "alice|rp-c"}) {
		t.Errorf("after revoking rp-b: %q", got)
	}
}

// checkMalformedAuthz is checkMalformed for DNs with a multi-valued RDN,
// whose values a directory may give back in another order.
func checkMalformedAuthz(t *testing.T, what string, err error, dn, attr string) {
	t.Helper()
	var me *ldapstore.MalformedEntryError
	if !errors.Is(err, ldapstore.ErrMalformed) || !errors.As(err, &me) {
		t.Errorf("%s: error = %v, want a MalformedEntryError", what, err)
		return
	}
	if !sameDN(me.DN, dn) || !strings.Contains(err.Error(), me.DN) {
		t.Errorf("%s: error %q does not name the entry %s", what, err, dn)
	}
	if !strings.EqualFold(me.Attribute, attr) || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(attr)) {
		t.Errorf("%s: error %q does not name the attribute %s", what, err, attr)
	}
}

// sameDN compares DNs as LDAP does, up to case: the values of a
// multi-valued RDN in any order, escapes decoded.
func sameDN(a, b string) bool {
	pa, err := ldap.ParseDN(a)
	if err != nil {
		return false
	}
	pb, err := ldap.ParseDN(b)
	return err == nil && pa.EqualFold(pb)
}

func attributeNames(e *ldap.Entry) []string {
	names := make([]string, len(e.Attributes))
	for i, a := range e.Attributes {
		names[i] = a.Name
	}
	return names
}
