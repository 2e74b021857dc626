package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/schema"
)

// Store is a client store as the suite sees it.
type Store interface {
	Create(ctx context.Context, c oauth.Client) (oauth.Client, error)
	Get(ctx context.Context, id string) (oauth.Client, error)
	Update(ctx context.Context, id string, fn func(oauth.Client) (oauth.Client, error)) (oauth.Client, error)
	Delete(ctx context.Context, id string) error
	List(ctx context.Context) iter.Seq2[oauth.Client, error]
}

// Directory is what the suite needs of a connection to the store's
// directory: adding entries as another server or an administrator would,
// and reading them raw. *ldap.Conn, bound with write access, is one; it
// must allow concurrent use, as *ldap.Conn does.
type Directory interface {
	Add(*ldap.AddRequest) error
	Search(*ldap.SearchRequest) (*ldap.SearchResult, error)
}

// Backend is one test's store and the directory behind it.
type Backend struct {
	// Store is empty, and no other test uses its base DN.
	Store Store
	// BaseDN is where Store keeps its entries:
	// oauthClientID=<id>,BaseDN.
	BaseDN string
	// Dir reaches the same directory, bypassing Store.
	Dir Directory
	// ActiveDirectory says that the store writes the Active Directory
	// form, which has no attribute options and a single-valued mail:
	// language-tagged values and contacts as client_name#de and contacts
	// members of oauthClientData, not as oauthClientName;lang-de and mail.
	ActiveDirectory bool
}

// DN names the entry of a client.
func (b Backend) DN(id string) string {
	return "oauthClientID=" + escapeRDNValue(id) + "," + b.BaseDN
}

// escapeRDNValue escapes an RDN value as RFC 4514 §2.4 asks, and '=' too,
// which it allows but AD requires.
func escapeRDNValue(v string) string {
	return strings.ReplaceAll(ldap.EscapeDN(v), "=", `\=`)
}

// RunClientStoreTests runs the suite. newBackend is called once per test,
// from parallel tests, and must give each an empty store of its own: a
// fresh subtree of a shared directory is enough.
func RunClientStoreTests(t *testing.T, newBackend func(t *testing.T) Backend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b Backend)
	}{
		{"FullClientRoundTrip", testFullRoundTrip},
		{"MinimalClient", testMinimalClient},
		{"NilAndEmptyKeptApart", testNilAndEmpty},
		{"ReturnedClientsAreCopies", testReturnedCopies},
		{"UntouchedFieldsSurviveUpdate", testUntouchedFieldsSurvive},
		{"ClearingFieldsRemovesThem", testClearingFields},
		{"RemovingLanguageTagRemovesAttribute", testRemoveLanguageTag},
		{"VersionChangesOnEveryWrite", testVersionChanges},
		{"NotFound", testNotFound},
		{"AlreadyExists", testAlreadyExists},
		{"UpdateFunctionErrorWritesNothing", testUpdateFnError},
		{"UpdateCannotChangeID", testUpdateCannotChangeID},
		{"Delete", testDelete},
		{"StaleUpdateConflicts", testStaleUpdateConflicts},
		{"ConcurrentUpdatesWithRetry", testConcurrentWithRetry},
		{"ConcurrentUpdatesWithoutRetry", testConcurrentWithoutRetry},
		{"PagingPastOneThousand", testPaging},
		{"SpecialCharacters", testSpecialCharacters},
		{"EntryWrittenByAnotherServer", testForeignEntry},
		{"MalformedEntries", testMalformedEntries},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newBackend(t))
		})
	}
}

// mustCreate creates c or ends the test.
func mustCreate(t *testing.T, s Store, c oauth.Client) oauth.Client {
	t.Helper()
	got, err := s.Create(t.Context(), c)
	if err != nil {
		t.Fatalf("Create(%q): %v", c.ID, err)
	}
	return got
}

func mustGet(t *testing.T, s Store, id string) oauth.Client {
	t.Helper()
	got, err := s.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get(%q): %v", id, err)
	}
	return got
}

func mustUpdate(t *testing.T, s Store, id string, fn func(*oauth.Client)) oauth.Client {
	t.Helper()
	got, err := s.Update(t.Context(), id, func(c oauth.Client) (oauth.Client, error) {
		fn(&c)
		return c, nil
	})
	if err != nil {
		t.Fatalf("Update(%q): %v", id, err)
	}
	return got
}

// collect runs List to the end.
func collect(t *testing.T, s Store) (clients map[string]oauth.Client, errs []error) {
	t.Helper()
	clients = make(map[string]oauth.Client)
	for c, err := range s.List(t.Context()) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := clients[c.ID]; dup {
			t.Errorf("List yielded %q twice", c.ID)
		}
		clients[c.ID] = c
	}
	return clients, errs
}

// sameClient reports every field in which got differs from want, Version
// aside unless withVersion.
func sameClient(t *testing.T, what string, got, want oauth.Client, withVersion bool) {
	t.Helper()
	if !withVersion {
		got.Version, want.Version = "", ""
	}
	for _, d := range differences(reflect.ValueOf(absentAsNil(got)), reflect.ValueOf(absentAsNil(want)), "") {
		t.Errorf("%s: %s", what, d)
	}
}

// absentAsNil replaces the empty maps that oauth.Metadata defines to mean
// the same as nil by nil, so that comparing clients compares meaning.
func absentAsNil(c oauth.Client) oauth.Client {
	c = c.Clone()
	m := &c.Metadata
	for _, p := range []*oauth.LangString{&m.ClientName, &m.ClientURI, &m.LogoURI, &m.TOSURI, &m.PolicyURI} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	if len(m.Extra) == 0 {
		m.Extra = nil
	}
	if len(m.JWKS) == 0 {
		m.JWKS = nil
	}
	return c
}

// differences names the fields in which two values differ, descending into
// nested structs so that a message points at the field, not at the whole.
func differences(got, want reflect.Value, path string) []string {
	if got.Kind() == reflect.Struct && got.Type().String() != "time.Time" {
		var out []string
		for i := range got.NumField() {
			name := got.Type().Field(i).Name
			out = append(out, differences(got.Field(i), want.Field(i), strings.TrimPrefix(path+"."+name, "."))...)
		}
		return out
	}
	if reflect.DeepEqual(got.Interface(), want.Interface()) {
		return nil
	}
	return []string{fmt.Sprintf("%s = %s, want %s", path, show(got), show(want))}
}

func show(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case json.RawMessage:
		if x == nil {
			return "nil"
		}
		return "`" + string(x) + "`"
	case map[string]json.RawMessage:
		if x == nil {
			return "nil"
		}
		parts := make([]string, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, fmt.Sprintf("%q: `%s`", k, x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *int:
		if x == nil {
			return "nil"
		}
		return fmt.Sprintf("&%d", *x)
	case time.Time:
		return x.String()
	}
	return fmt.Sprintf("%#v", v.Interface())
}

// wantErr fails the test unless err wraps target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

// rawEntry reads an entry's attributes as the directory holds them.
func rawEntry(t *testing.T, b Backend, id string) *ldap.Entry {
	t.Helper()
	res, err := b.Dir.Search(ldap.NewSearchRequest(b.DN(id), ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", []string{"*"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read entry of %q: %v", id, err)
	}
	return res.Entries[0]
}

// holds reports whether an entry holds what desc names, as
// "oauthClientName;lang-de": that attribute, or in the Active Directory
// form, for a language-tagged value or mail, the member of
// oauthClientData that keeps it there ("client_name#de", "contacts").
func holds(t *testing.T, b Backend, e *ldap.Entry, desc string) bool {
	t.Helper()
	member, ok := dataMember(desc)
	if !b.ActiveDirectory || !ok {
		return hasAttr(e, desc)
	}
	var data map[string]json.RawMessage
	if raw := e.GetEqualFoldAttributeValue("oauthClientData"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &data); err != nil {
			t.Fatalf("oauthClientData of %s: %v", e.DN, err)
		}
	}
	_, ok = data[member]
	return ok
}

// dataMember is the member of oauthClientData that keeps desc in the
// Active Directory form; ok is false for an attribute kept as it is.
func dataMember(desc string) (member string, ok bool) {
	if strings.EqualFold(desc, "mail") {
		return "contacts", true
	}
	attr, tag, tagged := strings.Cut(desc, ";lang-")
	if !tagged {
		return "", false
	}
	return langMembers[attr] + "#" + tag, true
}

// langMembers are the registration members (RFC 7591 §2) of the
// language-tagged attributes.
var langMembers = map[string]string{
	"oauthClientName": "client_name", "oauthClientURI": "client_uri", "oauthLogoURI": "logo_uri",
	"oauthTermsOfServiceURI": "tos_uri", "oauthPolicyURI": "policy_uri",
}

// ownAttributes are the names of the attributes a store may write, in
// lower case: those of Gatehouse's schema, objectClass, and mail. What a
// directory adds to every entry on its own (AD: instanceType,
// whenCreated, objectGUID, name, the cn it names an entry by, ...) is
// not the store's doing.
var ownAttributes = func() map[string]bool {
	own := map[string]bool{"objectclass": true, "mail": true}
	for _, set := range schema.Sets() {
		for _, a := range set.Attributes {
			for _, name := range a.Names {
				own[strings.ToLower(name)] = true
			}
		}
	}
	return own
}()

// ownAttributesOf is the part of an entry's attributes the store wrote.
func ownAttributesOf(e *ldap.Entry) []*ldap.EntryAttribute {
	var out []*ldap.EntryAttribute
	for _, a := range e.Attributes {
		base, _, _ := strings.Cut(a.Name, ";")
		if ownAttributes[strings.ToLower(base)] {
			out = append(out, a)
		}
	}
	return out
}

// hasAttr reports whether an entry holds an attribute described exactly
// (ignoring case) by desc, options included.
func hasAttr(e *ldap.Entry, desc string) bool {
	for _, a := range e.Attributes {
		if strings.EqualFold(a.Name, desc) && len(a.Values) > 0 {
			return true
		}
	}
	return false
}

func hasValue(e *ldap.Entry, attr, value string) bool {
	for _, v := range e.GetEqualFoldAttributeValues(attr) {
		if strings.EqualFold(v, value) {
			return true
		}
	}
	return false
}

// addRaw adds an entry given as attribute name and values pairs, in order.
func addRaw(b Backend, dn string, attrs [][2]string) error {
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
	return b.Dir.Add(req)
}
