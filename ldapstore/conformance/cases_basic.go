package conformance

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// contractAttributes are the attribute descriptions FullClient is stored
// in: every name of the client schema, and language-tagged variants.
var contractAttributes = []string{
	"oauthClientID", "oauthClientIDIssueTime", "oauthClientSecret", "oauthClientSecretExp",
	"oauthClientRegistrationAccessToken", "oauthClientRegistrationURI", "oauthRedirectURI",
	"oauthClientName", "oauthClientName;lang-de", "oauthClientName;lang-fr-CA", "oauthClientName;lang-ja",
	"oauthClientURI", "oauthClientURI;lang-de", "oauthLogoURI", "oauthLogoURI;lang-en-GB",
	"oauthTermsOfServiceURI;lang-de", "oauthPolicyURI",
	"oauthTokenEndpointAuthMethod", "oauthTokenEndpointJWSAlg", "oauthScopeValue", "oauthGrantType",
	"oauthResponseType", "oauthJWKSetURI", "oauthJWKSet", "oauthSoftwareID", "oauthSoftwareVersion",
	"oauthClientData", "oauthRequirePAR", "oauthClientCertBoundAccessTokens",
	"oidcAppType", "oidcSectorIdentifierURI", "oidcSubjectType",
	"oidcRequestJWSAlg", "oidcRequestJWEAlg", "oidcRequestJWEEnc", "oidcRequestURI",
	"oidcIDTokenJWSAlg", "oidcIDTokenJWEAlg", "oidcIDTokenJWEEnc",
	"oidcUserInfoJWSAlg", "oidcUserInfoJWEAlg", "oidcUserInfoJWEEnc",
	"oidcDefaultMaxAge", "oidcRequireAuthTime", "oidcDefaultACR", "oidcInitiateLoginURI",
	"oidcPostLogoutRedirectURI", "oidcFrontChannelLogoutURI", "oidcFrontChannelLogoutSessionRequired",
	"oidcBackChannelLogoutURI", "oidcBackChannelLogoutSessionRequired", "mail",
	"oauthTLSClientAuthSubjectDN", "oauthTLSClientAuthSANDNS", "oauthTLSClientAuthSANURI",
	"oauthTLSClientAuthSANIP", "oauthTLSClientAuthSANEmail",
	"oauthAuthorizationResponseJWSAlg", "oauthAuthorizationResponseJWEAlg", "oauthAuthorizationResponseJWEEnc",
	"gatehouseVersion", "gatehousePreviousClientSecret", "gatehousePreviousClientSecretExp",
	"gatehouseRegistrationTokenHash",
}

var contractClasses = []string{"oauthClientIdentity", "oauthClientMetadata", "oidcRelyingParty", "gatehouseClient"}

func testFullRoundTrip(t *testing.T, b Backend) {
	want := FullClient("full")
	for _, v := range []reflect.Value{reflect.ValueOf(want), reflect.ValueOf(want.Metadata)} {
		for i := range v.NumField() {
			if name := v.Type().Field(i).Name; name != "Version" && v.Field(i).IsZero() {
				t.Fatalf("FullClient leaves %s unset", name)
			}
		}
	}
	created := mustCreate(t, b.Store, want)
	if created.Version == "" {
		t.Error("Create returned no Version")
	}
	sameClient(t, "Create", created, want, false)
	sameClient(t, "Get", mustGet(t, b.Store, "full"), created, true)
	listed, errs := collect(t, b.Store)
	if len(errs) > 0 || len(listed) != 1 {
		t.Fatalf("List = %d clients, errors %v", len(listed), errs)
	}
	sameClient(t, "List", listed["full"], created, true)

	e := rawEntry(t, b, "full")
	for _, desc := range contractAttributes {
		if !holds(t, b, e, desc) {
			t.Errorf("entry has no attribute %s", desc)
		}
	}
	for _, class := range contractClasses {
		if !hasValue(e, "objectClass", class) {
			t.Errorf("entry lacks objectClass %s", class)
		}
	}
}

func testMinimalClient(t *testing.T, b Backend) {
	created := mustCreate(t, b.Store, MinimalClient("minimal"))
	sameClient(t, "Create", created, MinimalClient("minimal"), false)
	sameClient(t, "Get", mustGet(t, b.Store, "minimal"), created, true)
	for _, a := range ownAttributesOf(rawEntry(t, b, "minimal")) {
		switch strings.ToLower(a.Name) {
		case "objectclass", "oauthclientid", "gatehouseversion":
		default:
			t.Errorf("a client with only an ID has attribute %s: %q", a.Name, a.Values)
		}
	}
}

// testNilAndEmpty checks the promise of oauth.Metadata: a nil list is an
// absent member, an empty one a present "[]", both ways round.
func testNilAndEmpty(t *testing.T, b Backend) {
	zero := 0
	want := oauth.Client{ID: "lists", Metadata: oauth.Metadata{
		RedirectURIs:     []string{},
		ResponseTypes:    []string{"code"},
		Scope:            []string{},
		Contacts:         []string{},
		RequestURIs:      []string{},
		DefaultMaxAge:    &zero,
		DefaultACRValues: nil,
		GrantTypes:       nil,
	}}
	sameClient(t, "Create", mustCreate(t, b.Store, want), want, false)
	sameClient(t, "Get", mustGet(t, b.Store, "lists"), want, false)

	want.Metadata.RedirectURIs, want.Metadata.GrantTypes = nil, []string{}
	want.Metadata.Scope, want.Metadata.DefaultACRValues = []string{"openid"}, []string{}
	want.Metadata.Contacts = nil
	updated := mustUpdate(t, b.Store, "lists", func(c *oauth.Client) { *c = want })
	sameClient(t, "Update", updated, want, false)
	sameClient(t, "Get after update", mustGet(t, b.Store, "lists"), want, false)
}

func testReturnedCopies(t *testing.T, b Backend) {
	scribble := func(c oauth.Client) {
		c.Metadata.RedirectURIs[0] = "https://evil.example/"
		c.Metadata.ClientName["de"] = "Böse"
		c.Metadata.JWKS[0] = ' '
		*c.Metadata.DefaultMaxAge = -1
		c.Metadata.Extra["custom_data"][0] = ' '
		c.Metadata.Extra["added"] = json.RawMessage(`1`)
	}
	want := FullClient("copies")
	scribble(mustCreate(t, b.Store, want))
	scribble(mustGet(t, b.Store, "copies"))
	scribble(mustGet(t, b.Store, "copies")) // a second read may come from a cache
	scribble(mustUpdate(t, b.Store, "copies", func(c *oauth.Client) { c.Metadata.SoftwareVersion = "3" }))
	want.Metadata.SoftwareVersion = "3"
	sameClient(t, "Get", mustGet(t, b.Store, "copies"), want, false)
}

func testUntouchedFieldsSurvive(t *testing.T, b Backend) {
	want := FullClient("survivor")
	mustCreate(t, b.Store, want)
	steps := []func(c *oauth.Client){
		func(c *oauth.Client) { c.Metadata.ClientName[""] = "Renamed RP" },
		func(c *oauth.Client) {
			c.Metadata.RedirectURIs = append(c.Metadata.RedirectURIs, "https://rp.example/new")
		},
		func(c *oauth.Client) { c.Metadata.Extra["x_flag"] = json.RawMessage(`false`) },
		func(c *oauth.Client) { c.Secret, c.PreviousSecret = "new-secret", c.Secret },
	}
	for i, step := range steps {
		step(&want)
		got := mustUpdate(t, b.Store, "survivor", step)
		sameClient(t, "Update step "+string(rune('1'+i)), got, want, false)
		sameClient(t, "Get after step "+string(rune('1'+i)), mustGet(t, b.Store, "survivor"), want, false)
	}
}

func testClearingFields(t *testing.T, b Backend) {
	mustCreate(t, b.Store, FullClient("cleared"))
	got := mustUpdate(t, b.Store, "cleared", func(c *oauth.Client) { *c = MinimalClient(c.ID) })
	sameClient(t, "Update", got, MinimalClient("cleared"), false)
	sameClient(t, "Get", mustGet(t, b.Store, "cleared"), MinimalClient("cleared"), false)
	for _, a := range ownAttributesOf(rawEntry(t, b, "cleared")) {
		switch strings.ToLower(a.Name) {
		case "objectclass", "oauthclientid", "gatehouseversion":
		default:
			t.Errorf("cleared client still has %s: %q", a.Name, a.Values)
		}
	}
}

func testRemoveLanguageTag(t *testing.T, b Backend) {
	want := FullClient("tags")
	mustCreate(t, b.Store, want)
	remove := func(c *oauth.Client) {
		delete(c.Metadata.ClientName, "de")
		delete(c.Metadata.LogoURI, "en-GB")
		delete(c.Metadata.PolicyURI, "")
	}
	remove(&want)
	sameClient(t, "Update", mustUpdate(t, b.Store, "tags", remove), want, false)
	sameClient(t, "Get", mustGet(t, b.Store, "tags"), want, false)
	e := rawEntry(t, b, "tags")
	for _, gone := range []string{"oauthClientName;lang-de", "oauthLogoURI;lang-en-GB", "oauthPolicyURI"} {
		if holds(t, b, e, gone) {
			t.Errorf("entry still has %s", gone)
		}
	}
	for _, kept := range []string{"oauthClientName", "oauthClientName;lang-fr-CA", "oauthLogoURI"} {
		if !holds(t, b, e, kept) {
			t.Errorf("entry lost %s", kept)
		}
	}
}

func testVersionChanges(t *testing.T, b Backend) {
	v1 := mustCreate(t, b.Store, MinimalClient("versioned")).Version
	if got := mustGet(t, b.Store, "versioned").Version; got != v1 || v1 == "" {
		t.Fatalf("Get version %q, Create version %q", got, v1)
	}
	v2 := mustUpdate(t, b.Store, "versioned", func(c *oauth.Client) { c.Metadata.SoftwareID = "x" }).Version
	if v2 == v1 || v2 == "" {
		t.Errorf("version after update %q, before %q", v2, v1)
	}
	if got := mustGet(t, b.Store, "versioned").Version; got != v2 {
		t.Errorf("Get version %q, Update version %q", got, v2)
	}
}

func testNotFound(t *testing.T, b Backend) {
	ctx := t.Context()
	mustCreate(t, b.Store, MinimalClient("present"))
	for _, id := range []string{"absent", "", "PRESENT-not", "present "} {
		_, err := b.Store.Get(ctx, id)
		wantErr(t, "Get("+id+")", err, ldapstore.ErrNotFound)
		called := false
		_, err = b.Store.Update(ctx, id, func(c oauth.Client) (oauth.Client, error) { called = true; return c, nil })
		wantErr(t, "Update("+id+")", err, ldapstore.ErrNotFound)
		if called {
			t.Errorf("Update(%q) called its function", id)
		}
		wantErr(t, "Delete("+id+")", b.Store.Delete(ctx, id), ldapstore.ErrNotFound)
	}
}

func testAlreadyExists(t *testing.T, b Backend) {
	first := mustCreate(t, b.Store, FullClient("twice"))
	_, err := b.Store.Create(t.Context(), MinimalClient("twice"))
	wantErr(t, "second Create", err, ldapstore.ErrAlreadyExists)
	sameClient(t, "Get", mustGet(t, b.Store, "twice"), first, true)
}

func testUpdateFnError(t *testing.T, b Backend) {
	before := mustCreate(t, b.Store, FullClient("refused"))
	boom := errors.New("boom")
	_, err := b.Store.Update(t.Context(), "refused", func(c oauth.Client) (oauth.Client, error) {
		c.Metadata.ClientName[""] = "never written"
		return c, boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update error = %v, want the function's", err)
	}
	sameClient(t, "Get", mustGet(t, b.Store, "refused"), before, true)
}

func testUpdateCannotChangeID(t *testing.T, b Backend) {
	before := mustCreate(t, b.Store, MinimalClient("named"))
	_, err := b.Store.Update(t.Context(), "named", func(c oauth.Client) (oauth.Client, error) {
		c.ID = "renamed"
		return c, nil
	})
	if err == nil {
		t.Error("Update changed the ID")
	}
	sameClient(t, "Get", mustGet(t, b.Store, "named"), before, true)
	_, err = b.Store.Get(t.Context(), "renamed")
	wantErr(t, "Get(renamed)", err, ldapstore.ErrNotFound)
}

func testDelete(t *testing.T, b Backend) {
	ctx := t.Context()
	mustCreate(t, b.Store, FullClient("doomed"))
	mustCreate(t, b.Store, MinimalClient("kept"))
	mustGet(t, b.Store, "doomed") // a cache, if any, now holds it
	if err := b.Store.Delete(ctx, "doomed"); err != nil {
		t.Fatal(err)
	}
	_, err := b.Store.Get(ctx, "doomed")
	wantErr(t, "Get after Delete", err, ldapstore.ErrNotFound)
	wantErr(t, "second Delete", b.Store.Delete(ctx, "doomed"), ldapstore.ErrNotFound)
	listed, errs := collect(t, b.Store)
	if len(errs) > 0 || len(listed) != 1 || listed["kept"].ID != "kept" {
		t.Errorf("List after Delete = %v, errors %v", listed, errs)
	}
	again := mustCreate(t, b.Store, MinimalClient("doomed"))
	sameClient(t, "re-created", again, MinimalClient("doomed"), false)
}
