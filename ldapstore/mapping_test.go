package ldapstore

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

const testDN = "oauthClientID=c1,ou=clients,dc=example,dc=org"

// fullClient sets every field; TestFullClientIsFull keeps it so.
func fullClient() oauth.Client {
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	age := 900
	return oauth.Client{
		ID:                      "c1",
		IDIssuedAt:              at,
		Secret:                  "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA",
		SecretExpiresAt:         at.Add(time.Hour),
		PreviousSecret:          "$2b$10$previous",
		PreviousSecretExpiresAt: at.Add(time.Minute),
		RegistrationTokenHash:   "sha256:abc",
		LegacyRegistrationToken: "legacy",
		RegistrationURI:         "https://op.example/clients/c1",
		Metadata: oauth.Metadata{
			RedirectURIs:                []string{"https://rp.example/cb", "https://rp.example/cb2"},
			TokenEndpointAuthMethod:     "private_key_jwt",
			TokenEndpointAuthSigningAlg: "PS256",
			GrantTypes:                  []string{"authorization_code"},
			ResponseTypes:               []string{"code"},
			ClientName:                  oauth.LangString{"": "Example", "de": "Beispiel", "en-GB": "Example Ltd"},
			ClientURI:                   oauth.LangString{"": "https://rp.example/"},
			LogoURI:                     oauth.LangString{"fr": "https://rp.example/logo-fr.png"},
			TOSURI:                      oauth.LangString{"": "https://rp.example/tos"},
			PolicyURI:                   oauth.LangString{"": "https://rp.example/policy"},
			Scope:                       []string{"openid", "email"},
			Contacts:                    []string{"ops@rp.example"},
			JWKSURI:                     "https://rp.example/jwks",
			JWKS:                        json.RawMessage(`{"keys": []}`),
			SoftwareID:                  "sw",
			SoftwareVersion:             "1",

			ApplicationType:              "native",
			SectorIdentifierURI:          "https://rp.example/sector",
			SubjectType:                  "public",
			IDTokenSignedResponseAlg:     "ES256",
			IDTokenEncryptedResponseAlg:  "RSA-OAEP-256",
			IDTokenEncryptedResponseEnc:  "A256GCM",
			UserinfoSignedResponseAlg:    "RS256",
			UserinfoEncryptedResponseAlg: "ECDH-ES",
			UserinfoEncryptedResponseEnc: "A128GCM",
			RequestObjectSigningAlg:      "PS256",
			RequestObjectEncryptionAlg:   "RSA-OAEP",
			RequestObjectEncryptionEnc:   "A192GCM",
			DefaultMaxAge:                &age,
			RequireAuthTime:              true,
			DefaultACRValues:             []string{"phr"},
			InitiateLoginURI:             "https://rp.example/login",
			RequestURIs:                  []string{"https://rp.example/req"},

			PostLogoutRedirectURIs:            []string{"https://rp.example/bye"},
			FrontchannelLogoutURI:             "https://rp.example/fc",
			FrontchannelLogoutSessionRequired: true,
			BackchannelLogoutURI:              "https://rp.example/bc",
			BackchannelLogoutSessionRequired:  true,

			TLSClientAuthSubjectDN:                "cn=rp",
			TLSClientAuthSANDNS:                   "rp.example",
			TLSClientAuthSANURI:                   "https://rp.example",
			TLSClientAuthSANIP:                    "192.0.2.1",
			TLSClientAuthSANEmail:                 "rp@rp.example",
			TLSClientCertificateBoundAccessTokens: true,

			AuthorizationSignedResponseAlg:    "ES256",
			AuthorizationEncryptedResponseAlg: "ECDH-ES",
			AuthorizationEncryptedResponseEnc: "A128GCM",

			RequirePushedAuthorizationRequests: true,

			Extra: map[string]json.RawMessage{"custom": json.RawMessage(`{"nested": [1, {"a": null}]}`)},
		},
	}
}

func TestFullClientIsFull(t *testing.T) {
	c := fullClient()
	for _, v := range []reflect.Value{reflect.ValueOf(c), reflect.ValueOf(c.Metadata)} {
		for i := range v.NumField() {
			if name := v.Type().Field(i).Name; name != "Version" && v.Field(i).IsZero() {
				t.Errorf("fullClient leaves %s unset", name)
			}
		}
	}
}

// attrsByDesc turns encoded attributes into a map for assertions.
func attrsByDesc(t *testing.T, c oauth.Client) map[string][]string {
	t.Helper()
	attrs, err := encodeClient(c, dialect{})
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]string)
	for _, a := range attrs {
		if _, dup := out[a.desc]; dup {
			t.Errorf("%s written twice", a.desc)
		}
		out[a.desc] = a.values
	}
	return out
}

func TestEncodeClient(t *testing.T) {
	got := attrsByDesc(t, fullClient())
	want := map[string][]string{
		"oauthClientID":                      {"c1"},
		"oauthClientIDIssueTime":             {"20250304050607.0Z"},
		"oauthClientSecretExp":               {"20250304060607.0Z"},
		"gatehousePreviousClientSecretExp":   {"20250304050707.0Z"},
		"oauthClientRegistrationAccessToken": {"legacy"},
		"gatehouseRegistrationTokenHash":     {"sha256:abc"},
		"oauthRedirectURI":                   {"https://rp.example/cb", "https://rp.example/cb2"},
		"oauthClientName":                    {"Example"},
		"oauthClientName;lang-de":            {"Beispiel"},
		"oauthClientName;lang-en-GB":         {"Example Ltd"},
		"oauthLogoURI;lang-fr":               {"https://rp.example/logo-fr.png"},
		"oauthScopeValue":                    {"openid", "email"},
		"oauthJWKSet":                        {`{"keys": []}`},
		"oauthRequirePAR":                    {"TRUE"},
		"oauthClientCertBoundAccessTokens":   {"TRUE"},
		"oidcDefaultMaxAge":                  {"900"},
		"oidcRequireAuthTime":                {"TRUE"},
		"mail":                               {"ops@rp.example"},
		"oauthClientData":                    {`{"custom":{"nested": [1, {"a": null}]}}`},
	}
	for desc, values := range want {
		if !slices.Equal(got[desc], values) {
			t.Errorf("%s = %q, want %q", desc, got[desc], values)
		}
	}
	if _, ok := got["oauthLogoURI"]; ok {
		t.Error("oauthLogoURI written without an untagged value")
	}
	for _, f := range clientFields {
		if _, ok := got[f.attr]; !ok && f.lang == nil {
			t.Errorf("full client has no %s", f.attr)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	want := fullClient()
	attrs, err := encodeClient(want, dialect{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeClient(stateOf(testDN, attrs, "v1"))
	if err != nil {
		t.Fatal(err)
	}
	want.Version = "v1"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the client\n got %+v\nwant %+v", got, want)
	}
}

// Each field, set alone, must reach an attribute of its own and come back:
// a field the table forgot would be dropped without a word.
func TestEveryFieldHasAnAttribute(t *testing.T) {
	full := fullClient()
	check := func(name string, one oauth.Client) {
		t.Helper()
		attrs, err := encodeClient(one, dialect{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var own []string
		for _, a := range attrs {
			if a.desc != attrClientID && a.desc != attrClientData {
				own = append(own, a.desc)
			}
		}
		if len(own) == 0 {
			t.Errorf("%s has no attribute", name)
		}
		back, err := decodeClient(stateOf(testDN, attrs, "v"))
		back.Version = ""
		if err != nil || !reflect.DeepEqual(back, one) {
			t.Errorf("%s does not come back: %+v (%v)", name, back, err)
		}
	}
	cv, fv := reflect.ValueOf(full), reflect.ValueOf(full.Metadata)
	for i := range cv.NumField() {
		if name := cv.Type().Field(i).Name; name != "ID" && name != "Metadata" && name != "Version" {
			one := oauth.Client{ID: "c1"}
			reflect.ValueOf(&one).Elem().Field(i).Set(cv.Field(i))
			check(name, one)
		}
	}
	for i := range fv.NumField() {
		if name := fv.Type().Field(i).Name; name != "Extra" {
			one := oauth.Client{ID: "c1"}
			reflect.ValueOf(&one.Metadata).Elem().Field(i).Set(fv.Field(i))
			check(name, one)
		}
	}
}

func TestEmptyListsAreKeptInClientData(t *testing.T) {
	c := oauth.Client{ID: "c1", Metadata: oauth.Metadata{
		RedirectURIs: []string{}, Scope: []string{}, GrantTypes: nil, Contacts: []string{},
	}}
	got := attrsByDesc(t, c)
	want := `{"redirect_uris":[],"scope":"","contacts":[]}`
	if !slices.Equal(got[attrClientData], []string{want}) {
		t.Errorf("oauthClientData = %q, want %s", got[attrClientData], want)
	}
	if len(got) != 2 {
		t.Errorf("attributes %v, want oauthClientID and oauthClientData only", got)
	}
}

// entry builds an *ldap.Entry from name and value pairs.
func entry(pairs ...string) *ldap.Entry {
	values := make(map[string][]string)
	var order []string
	for i := 0; i < len(pairs); i += 2 {
		if _, ok := values[pairs[i]]; !ok {
			order = append(order, pairs[i])
		}
		values[pairs[i]] = append(values[pairs[i]], pairs[i+1])
	}
	e := &ldap.Entry{DN: testDN}
	for _, name := range order {
		e.Attributes = append(e.Attributes, &ldap.EntryAttribute{Name: name, Values: values[name]})
	}
	return e
}

func TestDecodeAcceptsWhatOthersWrite(t *testing.T) {
	tests := []struct {
		name  string
		entry *ldap.Entry
		check func(c oauth.Client) bool
	}{
		{
			name:  "attribute names in any case",
			entry: entry("OAUTHCLIENTID", "c1", "oauthclientname", "n"),
			check: func(c oauth.Client) bool { return c.ID == "c1" && c.Metadata.ClientName[""] == "n" },
		},
		{
			name:  "time with a fraction",
			entry: entry("oauthClientID", "c1", "oauthClientIDIssueTime", "20240102030405.123Z"),
			check: func(c oauth.Client) bool {
				return c.IDIssuedAt.Equal(time.Date(2024, 1, 2, 3, 4, 5, 123e6, time.UTC)) && c.IDIssuedAt.Location() == time.UTC
			},
		},
		{
			name:  "time with an offset",
			entry: entry("oauthClientID", "c1", "oauthClientSecretExp", "20240102050405+0200"),
			check: func(c oauth.Client) bool {
				return c.SecretExpiresAt.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) && c.SecretExpiresAt.Location() == time.UTC
			},
		},
		{
			name:  "explicit FALSE",
			entry: entry("oauthClientID", "c1", "oidcRequireAuthTime", "FALSE"),
			check: func(c oauth.Client) bool { return !c.Metadata.RequireAuthTime },
		},
		{
			name:  "language option in any case",
			entry: entry("oauthClientID", "c1", "oauthClientName;LANG-EN-us", "n"),
			check: func(c oauth.Client) bool {
				return c.Metadata.ClientName["en-US"] == "n" && len(c.Metadata.ClientName) == 1
			},
		},
		{
			name:  "other attributes and options are not ours",
			entry: entry("oauthClientID", "c1", "cn", "x", "oauthClientName;x-other", "y", "oauthSoftwareID;lang-de", "z", "gatehouseVersion;x", "w"),
			check: func(c oauth.Client) bool {
				return c.Metadata.ClientName == nil && c.Metadata.SoftwareID == "" && c.Version == ""
			},
		},
		{
			name:  "known members in oauthClientData",
			entry: entry("oauthClientID", "c1", "oauthClientData", `{"grant_types":["implicit"],"client_name#de":"d","x":1}`),
			check: func(c oauth.Client) bool {
				return slices.Equal(c.Metadata.GrantTypes, []string{"implicit"}) && c.Metadata.ClientName["de"] == "d" &&
					string(c.Metadata.Extra["x"]) == "1"
			},
		},
		{
			name:  "an attribute wins over oauthClientData",
			entry: entry("oauthClientID", "c1", "oauthClientData", `{"grant_types":["implicit"]}`, "oauthGrantType", "authorization_code"),
			check: func(c oauth.Client) bool { return slices.Equal(c.Metadata.GrantTypes, []string{"authorization_code"}) },
		},
		{
			name:  "version",
			entry: entry("oauthClientID", "c1", "gatehouseVersion", "v9"),
			check: func(c oauth.Client) bool { return c.Version == "v9" },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := decodeClient(readEntry(tc.entry))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Errorf("decoded %+v", c)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name  string
		entry *ldap.Entry
		attr  string
	}{
		{name: "bad JSON in client data", entry: entry("oauthClientID", "c1", "oauthClientData", `{"a":`), attr: "oauthClientData"},
		{name: "client data not an object", entry: entry("oauthClientID", "c1", "oauthClientData", `[1]`), attr: "oauthClientData"},
		{name: "client data member of wrong type", entry: entry("oauthClientID", "c1", "oauthClientData", `{"scope":1}`), attr: "oauthClientData"},
		{name: "bad JSON in key set", entry: entry("oauthClientID", "c1", "oauthJWKSet", `{"keys":`), attr: "oauthJWKSet"},
		{name: "key set not an object", entry: entry("oauthClientID", "c1", "oauthJWKSet", `"x"`), attr: "oauthJWKSet"},
		{name: "unknown boolean", entry: entry("oauthClientID", "c1", "oauthRequirePAR", "yes"), attr: "oauthRequirePAR"},
		{name: "lower-case boolean", entry: entry("oauthClientID", "c1", "oidcRequireAuthTime", "true"), attr: "oidcRequireAuthTime"},
		{name: "bad time", entry: entry("oauthClientID", "c1", "oauthClientSecretExp", "2024-01-02"), attr: "oauthClientSecretExp"},
		{name: "bad integer", entry: entry("oauthClientID", "c1", "oidcDefaultMaxAge", "1h"), attr: "oidcDefaultMaxAge"},
		{name: "two values where one belongs", entry: entry("oauthClientID", "c1", "oauthSoftwareID", "a", "oauthSoftwareID", "b"), attr: "oauthSoftwareID"},
		{name: "invalid language tag", entry: entry("oauthClientID", "c1", "oauthPolicyURI;lang-abcdefghi", "x"), attr: "oauthPolicyURI;lang-abcdefghi"},
		{name: "no client ID", entry: entry("oauthClientName", "n"), attr: "oauthClientID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeClient(readEntry(tc.entry))
			var me *MalformedEntryError
			if !errors.As(err, &me) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("error = %v, want a MalformedEntryError", err)
			}
			if me.DN != testDN || me.Attribute != tc.attr {
				t.Errorf("error names %s / %s, want %s / %s", me.DN, me.Attribute, testDN, tc.attr)
			}
			if msg := err.Error(); !strings.Contains(msg, testDN) || !strings.Contains(msg, tc.attr) {
				t.Errorf("message %q does not name the entry and the attribute", msg)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *oauth.Client)
	}{
		{name: "empty list value", edit: func(c *oauth.Client) { c.Metadata.Contacts = []string{"a@x", ""} }},
		{name: "repeated list value", edit: func(c *oauth.Client) { c.Metadata.RedirectURIs = []string{"https://x", "https://x"} }},
		{name: "invalid language tag", edit: func(c *oauth.Client) { c.Metadata.TOSURI = oauth.LangString{"en_GB": "x"} }},
		{name: "same tag in two cases", edit: func(c *oauth.Client) { c.Metadata.ClientName = oauth.LangString{"en-gb": "x", "en-GB": "y"} }},
		{name: "key set not an object", edit: func(c *oauth.Client) { c.Metadata.JWKS = json.RawMessage(`[]`) }},
		{name: "Extra member with a known name", edit: func(c *oauth.Client) {
			c.Metadata.Extra = map[string]json.RawMessage{"scope": json.RawMessage(`"x"`)}
		}},
		{name: "Extra with invalid JSON", edit: func(c *oauth.Client) { c.Metadata.Extra = map[string]json.RawMessage{"x": json.RawMessage(`{`)} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := oauth.Client{ID: "c1"}
			tc.edit(&c)
			if _, err := encodeClient(c, dialect{}); err == nil {
				t.Error("encoded without complaint")
			}
		})
	}
}

func TestDecodeSkipsEmptyLanguageValues(t *testing.T) {
	c := oauth.Client{ID: "c1", Metadata: oauth.Metadata{ClientName: oauth.LangString{"": "", "de": "d"}}}
	got := attrsByDesc(t, c)
	if _, ok := got["oauthClientName"]; ok {
		t.Error("an empty untagged name was written")
	}
}

type change struct {
	op     uint
	attr   string
	values []string
}

func changesOf(cs []ldap.Change) []change {
	out := make([]change, len(cs))
	for i, c := range cs {
		out[i] = change{c.Operation, c.Modification.Type, c.Modification.Vals}
	}
	return out
}

func TestDiff(t *testing.T) {
	have := readEntry(entry(
		"objectClass", "oidcRelyingParty",
		"oauthClientID", "c1",
		"oauthClientName", "Old",
		"oauthClientName;LANG-DE", "Alt",
		"oauthClientName;lang-fr", "Vieux",
		"oauthRedirectURI", "https://a", "oauthRedirectURI", "https://b",
		"oauthScopeValue", "openid",
		"oidcRequireAuthTime", "FALSE",
		"description", "not ours",
	)).attrs
	next := oauth.Client{ID: "c1", Metadata: oauth.Metadata{
		ClientName:   oauth.LangString{"": "Old", "fr": "Nouveau"},
		RedirectURIs: []string{"https://b", "https://a"}, // order matters
		Scope:        []string{"openid"},
		Contacts:     []string{"x@y"},
	}}
	want, err := encodeClient(next, dialect{})
	if err != nil {
		t.Fatal(err)
	}
	got := changesOf(diff(have, want))
	expected := []change{
		{ldap.ReplaceAttribute, "oauthRedirectURI", []string{"https://b", "https://a"}},
		{ldap.ReplaceAttribute, "oauthClientName;lang-fr", []string{"Nouveau"}},
		{ldap.ReplaceAttribute, "mail", []string{"x@y"}},
		{ldap.DeleteAttribute, "oauthClientName;LANG-DE", nil},
		{ldap.DeleteAttribute, "oidcRequireAuthTime", nil},
	}
	if !reflect.DeepEqual(got, expected) {
		t.Errorf("diff =\n%v\nwant\n%v", got, expected)
	}
	if d := diff(have, mustEncode(t, decodeOrFail(t, have))); len(d) != 1 || d[0].Operation != ldap.DeleteAttribute {
		// Reading and writing back changes only what has no form of its
		// own: the explicit FALSE, which is the same as absent.
		t.Errorf("diff of an unchanged client = %v", changesOf(d))
	}
}

func decodeOrFail(t *testing.T, attrs map[string]attrValue) oauth.Client {
	t.Helper()
	c, err := decodeClient(entryState{dn: testDN, attrs: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustEncode(t *testing.T, c oauth.Client) []attrValue {
	t.Helper()
	attrs, err := encodeClient(c, dialect{})
	if err != nil {
		t.Fatal(err)
	}
	return attrs
}

func TestSwap(t *testing.T) {
	tests := []struct {
		name   string
		before entryState
		want   []change
	}{
		{
			name:   "versioned entry",
			before: entryState{versions: []string{"v1"}, classes: []string{"oauthClientIdentity", "gatehouseClient"}},
			want: []change{
				{ldap.DeleteAttribute, attrVersion, []string{"v1"}},
				{ldap.AddAttribute, attrVersion, []string{"v2"}},
			},
		},
		{
			name:   "entry of another server",
			before: entryState{classes: []string{"oidcRelyingParty"}},
			want: []change{
				{ldap.AddAttribute, attrObjectClass, []string{"gatehouseClient"}},
				{ldap.AddAttribute, attrVersion, []string{"v2"}},
			},
		},
		{
			name:   "class without a version",
			before: entryState{classes: []string{"oidcRelyingParty", "GATEHOUSECLIENT"}},
			want:   []change{{ldap.AddAttribute, attrVersion, []string{"v2"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := changesOf(swap(tc.before, "v2", classGatehouseClient)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("swap = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	ldapErr := func(code uint16) error { return ldap.NewError(code, errors.New("diagnostic")) }
	tests := []struct {
		name string
		err  error
		op   operation
		want error // nil: no sentinel
	}{
		{name: "no such object on read", err: ldapErr(ldap.LDAPResultNoSuchObject), op: opRead, want: ErrNotFound},
		{name: "no such object on delete", err: ldapErr(ldap.LDAPResultNoSuchObject), op: opDelete, want: ErrNotFound},
		{name: "no such object on swap", err: ldapErr(ldap.LDAPResultNoSuchObject), op: opSwap, want: ErrNotFound},
		{name: "no parent on add", err: ldapErr(ldap.LDAPResultNoSuchObject), op: opAdd, want: nil},
		{name: "exists on add", err: ldapErr(ldap.LDAPResultEntryAlreadyExists), op: opAdd, want: ErrAlreadyExists},
		{name: "old version gone", err: ldapErr(ldap.LDAPResultNoSuchAttribute), op: opSwap, want: ErrConflict},
		{name: "class added meanwhile", err: ldapErr(ldap.LDAPResultAttributeOrValueExists), op: opSwap, want: ErrConflict},
		{name: "no such attribute elsewhere", err: ldapErr(ldap.LDAPResultNoSuchAttribute), op: opRead, want: nil},
		{name: "other codes", err: ldapErr(ldap.LDAPResultInsufficientAccessRights), op: opSwap, want: nil},
		{name: "outage", err: unavailable(ldapErr(ldap.LDAPResultNoSuchObject)), op: opRead, want: ErrUnavailable},
	}
	sentinels := []error{ErrNotFound, ErrAlreadyExists, ErrConflict, ErrUnavailable}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(tc.err, tc.op)
			if !errors.Is(got, tc.err) {
				t.Errorf("%v lost the directory's error", got)
			}
			for _, s := range sentinels {
				if errors.Is(got, s) != (s == tc.want) {
					t.Errorf("errors.Is(%v, %v) = %v", got, s, !(s == tc.want))
				}
			}
		})
	}
	if classify(nil, opRead) != nil {
		t.Error("classify(nil) is not nil")
	}
}
