package conformance

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// specialIDs need escaping in a DN (RFC 4514 §2.4), in a filter (RFC 4515
// §3), or both, or are not ASCII.
var specialIDs = []string{
	`a,b+c"d\e<f>g;h=i`,
	`x)(oauthClientID=*`,
	`a*b`,
	`(paren)`,
	`back\slash\`,
	`müller`,
	`日本語-クライアント`,
	` leading space`,
	`trailing space `,
	`#hash`,
	`semi;colon`,
}

func testSpecialCharacters(t *testing.T, b Backend) {
	ctx := t.Context()
	name := `Müller & Söhne, "Quoted" <b>*(x)\y; z=1 #1`
	uri := `https://rp.example/cb?q=a,b+c;d="e"*(f)\g<h>#i`
	want := make(map[string]oauth.Client)
	for _, id := range specialIDs {
		c := MinimalClient(id)
		c.Metadata.ClientName = oauth.LangString{"": name, "de": id}
		c.Metadata.RedirectURIs = []string{uri}
		c.Metadata.Extra = map[string]json.RawMessage{"id": mustJSON(t, id)}
		created := mustCreate(t, b.Store, c)
		sameClient(t, "Create "+id, created, c, false)
		sameClient(t, "Get "+id, mustGet(t, b.Store, id), c, false)
		c = mustUpdate(t, b.Store, id, func(c *oauth.Client) { c.Metadata.ClientName["fr"] = id + " (fr)" })
		want[id] = c
		rawEntry(t, b, id) // the entry is where the contract says
	}
	for _, probe := range []string{"*", "a*", `x)(oauthClientID=*`[:2], "müller*", "(paren"} {
		if _, err := b.Store.Get(ctx, probe); !errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound: an ID is not a pattern", probe, err)
		}
	}
	listed, errs := collect(t, b.Store)
	if len(errs) > 0 || len(listed) != len(specialIDs) {
		t.Fatalf("List = %d clients, errors %v", len(listed), errs)
	}
	for id, c := range want {
		sameClient(t, "List "+id, listed[id], c, true)
	}
	for _, id := range specialIDs {
		if err := b.Store.Delete(ctx, id); err != nil {
			t.Errorf("Delete(%q): %v", id, err)
		}
		if _, err := b.Store.Get(ctx, id); !errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("Get(%q) after Delete = %v", id, err)
		}
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// foreignEntry is a client as a server with only the 1.15 classes wrote
// it: the most specific class alone, no gatehouseClient, no version.
// Times are written with a fraction, the one form Samba AD takes; the
// German name is an attribute option, or where the directory has none
// (b.ActiveDirectory) a member of oauthClientData.
func foreignEntry(b Backend) [][2]string {
	data, german := `{"custom": {"a": [1, 2]}}`, [][2]string{{"oauthClientName;lang-de", "Fremde RP"}}
	if b.ActiveDirectory {
		data, german = `{"custom": {"a": [1, 2]}, "client_name#de": "Fremde RP"}`, nil
	}
	return append([][2]string{
		{"objectClass", "oidcRelyingParty"},
		{"oauthClientID", "foreign"},
		{"oauthClientIDIssueTime", "20190102030405.0Z"},
		{"oauthClientSecret", "plain-secret-from-before"},
		{"oauthClientSecretExp", "20300101000000.0Z"},
		{"oauthClientRegistrationAccessToken", "token-kept-as-given"},
		{"oauthRedirectURI", "https://foreign.example/cb"},
		{"oauthRedirectURI", "https://foreign.example/cb2"},
		{"oauthClientName", "Foreign RP"},
		{"oauthScopeValue", "openid"},
		{"oauthScopeValue", "email"},
		{"oauthGrantType", "authorization_code"},
		{"oauthResponseType", "code"},
		{"oauthTokenEndpointAuthMethod", "client_secret_basic"},
		{"oidcRequireAuthTime", "FALSE"},
		{"oidcDefaultMaxAge", "600"},
		{"oidcIDTokenJWSAlg", "RS256"},
		{"oauthClientData", data},
		{"mail", "admin@foreign.example"},
	}, german...)
}

func foreignClient() oauth.Client {
	maxAge := 600
	return oauth.Client{
		ID:                      "foreign",
		IDIssuedAt:              time.Date(2019, 1, 2, 3, 4, 5, 0, time.UTC),
		Secret:                  "plain-secret-from-before",
		SecretExpiresAt:         time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		LegacyRegistrationToken: "token-kept-as-given",
		Metadata: oauth.Metadata{
			RedirectURIs:             []string{"https://foreign.example/cb", "https://foreign.example/cb2"},
			ClientName:               oauth.LangString{"": "Foreign RP", "de": "Fremde RP"},
			Scope:                    []string{"openid", "email"},
			GrantTypes:               []string{"authorization_code"},
			ResponseTypes:            []string{"code"},
			TokenEndpointAuthMethod:  "client_secret_basic",
			DefaultMaxAge:            &maxAge,
			IDTokenSignedResponseAlg: "RS256",
			Contacts:                 []string{"admin@foreign.example"},
			Extra:                    map[string]json.RawMessage{"custom": json.RawMessage(`{"a": [1, 2]}`)},
		},
	}
}

func testForeignEntry(t *testing.T, b Backend) {
	if err := addRaw(b, b.DN("foreign"), foreignEntry(b)); err != nil {
		t.Fatalf("add the foreign entry: %v", err)
	}
	want := foreignClient()
	got := mustGet(t, b.Store, "foreign")
	sameClient(t, "Get", got, want, false)
	if got.Version != "" {
		t.Errorf("a client no Gatehouse wrote has Version %q", got.Version)
	}

	want.Metadata.ClientName["fr"] = "RP étrangère"
	updated := mustUpdate(t, b.Store, "foreign", func(c *oauth.Client) { c.Metadata.ClientName["fr"] = "RP étrangère" })
	sameClient(t, "Update", updated, want, false)
	if updated.Version == "" {
		t.Error("Update left no Version")
	}
	sameClient(t, "Get after update", mustGet(t, b.Store, "foreign"), updated, true)
	e := rawEntry(t, b, "foreign")
	if !hasValue(e, "objectClass", "gatehouseClient") || !hasAttr(e, "gatehouseVersion") {
		t.Errorf("update did not add gatehouseClient and its version: %v", e.Attributes)
	}
	for _, kept := range []string{"oauthClientRegistrationAccessToken", "oauthClientName;lang-de", "oauthClientData"} {
		if !holds(t, b, e, kept) {
			t.Errorf("update lost %s", kept)
		}
	}

	// Two updates racing on an entry with no version yet: the class add
	// is the compare-and-swap.
	if err := addRaw(b, b.DN("foreign-race"), renamed(foreignEntry(b), "foreign-race")); err != nil {
		t.Fatal(err)
	}
	staleUpdate(t, b.Store, "foreign-race")
}

// renamed changes the oauthClientID of a raw entry.
func renamed(attrs [][2]string, id string) [][2]string {
	out := make([][2]string, len(attrs))
	for i, a := range attrs {
		if a[0] == "oauthClientID" {
			a[1] = id
		}
		out[i] = a
	}
	return out
}

// testMalformedEntries: a value the store cannot read spoils its own
// client, named by DN and attribute, and no other.
func testMalformedEntries(t *testing.T, b Backend) {
	ctx := t.Context()
	bad := []struct{ id, attr, value string }{
		{"bad-data", "oauthClientData", `{"unterminated": `},
		{"bad-data-array", "oauthClientData", `[1, 2]`},
		{"bad-data-member", "oauthClientData", `{"redirect_uris": "not a list"}`},
		{"bad-jwks", "oauthJWKSet", `not json`},
		{"bad-bool", "oidcRequireAuthTime", "maybe"},
		{"bad-time", "oauthClientIDIssueTime", "yesterday"},
		{"bad-int", "oidcDefaultMaxAge", "soon"},
		{"bad-lang", "oauthClientName;lang-abcdefghijk", "a subtag longer than eight letters"},
		{"bad-data-lang", "oauthClientData", `{"client_name#abcdefghijk": "a subtag longer than eight letters"}`},
	}
	mustCreate(t, b.Store, FullClient("good-1"))
	mustCreate(t, b.Store, MinimalClient("good-2"))
	stored := make(map[string]string) // DN → attribute
	for _, tc := range bad {
		err := addRaw(b, b.DN(tc.id), [][2]string{
			{"objectClass", "oidcRelyingParty"}, {"oauthClientID", tc.id}, {tc.attr, tc.value},
		})
		// AD knows no attribute options: it says noSuchAttribute to ;lang-.
		if ldap.IsErrorAnyOf(err, ldap.LDAPResultInvalidAttributeSyntax, ldap.LDAPResultUndefinedAttributeType,
			ldap.LDAPResultNoSuchAttribute) {
			t.Logf("%s: the directory refuses %s: %q itself", tc.id, tc.attr, tc.value)
			continue
		}
		if err != nil {
			t.Fatalf("add %s: %v", tc.id, err)
		}
		stored[strings.ToLower(b.DN(tc.id))] = tc.attr
		_, err = b.Store.Get(ctx, tc.id)
		checkMalformed(t, "Get("+tc.id+")", err, b.DN(tc.id), tc.attr)
		_, err = b.Store.Update(ctx, tc.id, func(c oauth.Client) (oauth.Client, error) { return c, nil })
		checkMalformed(t, "Update("+tc.id+")", err, b.DN(tc.id), tc.attr)
	}
	if len(stored) == 0 {
		t.Fatal("the directory refused every malformed value; nothing was tested")
	}

	listed, errs := collect(t, b.Store)
	if len(listed) != 2 || listed["good-1"].ID == "" || listed["good-2"].ID == "" {
		t.Errorf("List gave %d good clients, want good-1 and good-2", len(listed))
	}
	if len(errs) != len(stored) {
		t.Errorf("List reported %d errors for %d malformed entries: %v", len(errs), len(stored), errs)
	}
	for _, err := range errs {
		var me *ldapstore.MalformedEntryError
		if !errors.As(err, &me) {
			t.Errorf("List error %v is not a MalformedEntryError", err)
			continue
		}
		attr, ok := stored[strings.ToLower(me.DN)]
		if !ok {
			t.Errorf("List error names %s, which is not a malformed entry", me.DN)
			continue
		}
		checkMalformed(t, "List", err, me.DN, attr)
	}

	// A malformed client can still be removed.
	for _, tc := range bad[:1] {
		if err := b.Store.Delete(ctx, tc.id); err != nil {
			t.Errorf("Delete(%s): %v", tc.id, err)
		}
	}
}

func checkMalformed(t *testing.T, what string, err error, dn, attr string) {
	t.Helper()
	var me *ldapstore.MalformedEntryError
	if !errors.Is(err, ldapstore.ErrMalformed) || !errors.As(err, &me) {
		t.Errorf("%s: error = %v, want a MalformedEntryError", what, err)
		return
	}
	msg := strings.ToLower(err.Error())
	if !strings.EqualFold(me.DN, dn) || !strings.Contains(msg, strings.ToLower(dn)) {
		t.Errorf("%s: error %q does not name the entry %s", what, err, dn)
	}
	if !strings.EqualFold(me.Attribute, attr) || !strings.Contains(msg, strings.ToLower(attr)) {
		t.Errorf("%s: error %q does not name the attribute %s", what, err, attr)
	}
}
