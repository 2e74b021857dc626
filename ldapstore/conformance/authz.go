package conformance

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// AuthorizationStore is a store of long-lived authorizations as the suite
// sees it.
type AuthorizationStore interface {
	Get(ctx context.Context, subject, clientID string) (oauth.Authorization, error)
	Create(ctx context.Context, a oauth.Authorization) (oauth.Authorization, error)
	Update(ctx context.Context, subject, clientID string,
		fn func(oauth.Authorization) (oauth.Authorization, error)) (oauth.Authorization, error)
	Delete(ctx context.Context, subject, clientID string) error
	ListBySubject(ctx context.Context, subject string) ([]oauth.Authorization, error)
}

// AuthorizationBackend is one test's authorization store and the directory
// behind it.
type AuthorizationBackend struct {
	// Store is empty, and no other test uses its base DN.
	Store AuthorizationStore
	// BaseDN is where Store keeps its entries:
	// authzSubject=<subject>+authzClientID=<client ID>,BaseDN.
	BaseDN string
	// Dir reaches the same directory, bypassing Store.
	Dir Directory
	// ActiveDirectory says that the store names entries
	// cn=<base64url(SHA-256(subject NUL client ID))>,BaseDN, as it must
	// where the directory has no multi-valued RDNs (Active Directory).
	ActiveDirectory bool
}

// DN names the entry of an authorization.
func (b AuthorizationBackend) DN(subject, clientID string) string {
	if b.ActiveDirectory {
		return "cn=" + authzCN(subject, clientID) + "," + b.BaseDN
	}
	return "authzSubject=" + escapeRDNValue(subject) + "+authzClientID=" + escapeRDNValue(clientID) + "," + b.BaseDN
}

// RunAuthorizationStoreTests runs the suite. newBackend is called once per
// test, from parallel tests, and must give each an empty store of its own.
func RunAuthorizationStoreTests(t *testing.T, newBackend func(t *testing.T) AuthorizationBackend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b AuthorizationBackend)
	}{
		{"FullRoundTrip", testAuthzRoundTrip},
		{"MinimalAuthorization", testAuthzMinimal},
		{"EmptyAndNil", testAuthzEmptyAndNil},
		{"ReturnedValuesAreCopies", testAuthzCopies},
		{"UntouchedFieldsSurviveUpdate", testAuthzUntouchedSurvive},
		{"UpdatedAtStamped", testAuthzUpdatedAt},
		{"ClearingFieldsRemovesThem", testAuthzClearing},
		{"VersionChangesOnEveryWrite", testAuthzVersion},
		{"NotFound", testAuthzNotFound},
		{"AlreadyExists", testAuthzAlreadyExists},
		{"UpdateFunctionErrorWritesNothing", testAuthzUpdateFnError},
		{"UpdateCannotChangeKey", testAuthzUpdateKey},
		{"RefusesUnstorableValues", testAuthzUnstorable},
		{"Delete", testAuthzDelete},
		{"StaleUpdateConflicts", testAuthzStaleUpdate},
		{"ConcurrentUpdatesWithRetry", testAuthzConcurrentWithRetry},
		{"ConcurrentUpdatesWithoutRetry", testAuthzConcurrentWithoutRetry},
		{"SpecialCharacters", testAuthzSpecialCharacters},
		{"EntryWrittenByAnotherServer", testAuthzForeignEntry},
		{"MalformedEntries", testAuthzMalformed},
		{"ListBySubject", testAuthzListBySubject},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newBackend(t))
		})
	}
}

func createAuthz(t *testing.T, s AuthorizationStore, a oauth.Authorization) oauth.Authorization {
	t.Helper()
	got, err := s.Create(t.Context(), a)
	if err != nil {
		t.Fatalf("Create(%q, %q): %v", a.Subject, a.ClientID, err)
	}
	return got
}

func getAuthz(t *testing.T, s AuthorizationStore, subject, clientID string) oauth.Authorization {
	t.Helper()
	got, err := s.Get(t.Context(), subject, clientID)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", subject, clientID, err)
	}
	return got
}

func updateAuthz(t *testing.T, s AuthorizationStore, subject, clientID string, fn func(*oauth.Authorization)) oauth.Authorization {
	t.Helper()
	got, err := s.Update(t.Context(), subject, clientID, func(a oauth.Authorization) (oauth.Authorization, error) {
		fn(&a)
		return a, nil
	})
	if err != nil {
		t.Fatalf("Update(%q, %q): %v", subject, clientID, err)
	}
	return got
}

func listAuthz(t *testing.T, s AuthorizationStore, subject string) []oauth.Authorization {
	t.Helper()
	got, err := s.ListBySubject(t.Context(), subject)
	if err != nil {
		t.Fatalf("ListBySubject(%q): %v", subject, err)
	}
	return got
}

// sameAuthz reports every field in which got differs from want, Version
// aside unless withVersion. Times are compared as instants.
func sameAuthz(t *testing.T, what string, got, want oauth.Authorization, withVersion bool) {
	t.Helper()
	if !withVersion {
		got.Version, want.Version = "", ""
	}
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if gt, ok := g.(time.Time); ok {
			if !gt.Equal(w.(time.Time)) {
				t.Errorf("%s: %s = %v, want %v", what, name, gt, w)
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s = %#v, want %#v", what, name, g, w)
		}
	}
}

// rawAuthz reads an authorization's entry as the directory holds it.
func rawAuthz(t *testing.T, b AuthorizationBackend, subject, clientID string) *ldap.Entry {
	t.Helper()
	res, err := b.Dir.Search(ldap.NewSearchRequest(b.DN(subject, clientID), ldap.ScopeBaseObject,
		ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"*"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read entry of %q for %q: %v", subject, clientID, err)
	}
	return res.Entries[0]
}

// onlyAttributes fails the test if the entry holds attributes outside
// allowed, of those a store may write (see ownAttributes).
func onlyAttributes(t *testing.T, what string, e *ldap.Entry, allowed ...string) {
	t.Helper()
	for _, a := range ownAttributesOf(e) {
		if !containsFold(allowed, a.Name) {
			t.Errorf("%s: entry has %s: %q", what, a.Name, a.Values)
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// authzCN is the cn of an authorization in the Active Directory form.
func authzCN(subject, clientID string) string {
	sum := sha256.Sum256([]byte(subject + "\x00" + clientID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// addRawAuthz adds an authorization entry as another server would write
// it, with the cn that names it in the Active Directory form (which AD
// would add itself, and other directories want given).
func addRawAuthz(b AuthorizationBackend, subject, clientID string, attrs [][2]string) error {
	if b.ActiveDirectory {
		attrs = append(slices.Clip(attrs), [2]string{"cn", authzCN(subject, clientID)})
	}
	return addRaw(Backend{Dir: b.Dir}, b.DN(subject, clientID), attrs)
}

func keysOf(list []oauth.Authorization) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = fmt.Sprintf("%s|%s", a.Subject, a.ClientID)
	}
	return out
}
