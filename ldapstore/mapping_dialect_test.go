package ldapstore

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

var adDialect = dialectOf(DirectoryAD)

func TestParseDirectoryKind(t *testing.T) {
	tests := []struct {
		in   string
		want DirectoryKind
		ok   bool
	}{
		{in: "", want: DirectoryAuto, ok: true},
		{in: "auto", want: DirectoryAuto, ok: true},
		{in: "ldap", want: DirectoryLDAP, ok: true},
		{in: "activedirectory", want: DirectoryAD, ok: true},
		{in: "ad"},
		{in: "LDAP"},
	}
	for _, tc := range tests {
		got, err := ParseDirectoryKind(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseDirectoryKind(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestDialectOf(t *testing.T) {
	if d := dialectOf(DirectoryLDAP); d != (dialect{}) {
		t.Errorf("LDAP dialect %+v, want the RFC 4512 forms throughout", d)
	}
	if want := (dialect{tagsInData: true, contactsInData: true, namedByCN: true, auxClassApart: true}); adDialect != want {
		t.Errorf("AD dialect %+v, want %+v", adDialect, want)
	}
}

func TestFormatGeneralizedTime(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*3600)
	got := formatGeneralizedTime(time.Date(2025, 6, 1, 15, 30, 0, 999_000_000, berlin))
	if got != "20250601133000.0Z" {
		t.Errorf("formatGeneralizedTime = %q, want UTC, whole seconds, fraction .0 (the one form Samba takes)", got)
	}
}

// Both readers take every form RFC 4517 §3.3.13 allows with seconds, so
// entries of other servers and of earlier Gatehouse versions read alike.
func TestGeneralizedTimeForms(t *testing.T) {
	want := time.Date(2019, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, v := range []string{"20190102030405Z", "20190102030405.0Z", "20190102040405+0100", "20190102040405.0+0100"} {
		got, err := parseGeneralizedTime([]string{v})
		if err != nil || !got.Equal(want) {
			t.Errorf("parseGeneralizedTime(%q) = %v, %v; want %v", v, got, err, want)
		}
		c, err := decodeClient(readEntry(entry("oauthClientID", "c1", "oauthClientIDIssueTime", v)))
		if err != nil || !c.IDIssuedAt.Equal(want) {
			t.Errorf("oauthClientIDIssueTime %q read as %v, %v; want %v", v, c.IDIssuedAt, err, want)
		}
	}
}

func TestEscapeRDNValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a=b`, `a\=b`},
		{`x)(oauthClientID=*`, `x)(oauthClientID\=*`},
		{`a,b+c"d\e<f>g;h=i`, `a\,b\+c\"d\\e\<f\>g\;h\=i`},
		{` #lead`, `\ #lead`},
		{`#hash=`, `\#hash\=`},
		{`müller`, `müller`},
	}
	for _, tc := range tests {
		got := escapeRDNValue(tc.in)
		if got != tc.want {
			t.Errorf("escapeRDNValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
		dn, err := ldap.ParseDN("oauthClientID=" + got + ",dc=example")
		if err != nil || dn.RDNs[0].Attributes[0].Value != tc.in {
			t.Errorf("%q does not parse back to %q: %v", got, tc.in, err)
		}
	}
}

func TestEncodeClientADForm(t *testing.T) {
	c := fullClient()
	c.Metadata.Contacts = []string{"ops@rp.example", "security@rp.example"}
	attrs, err := encodeClient(c, adDialect)
	if err != nil {
		t.Fatal(err)
	}
	var data string
	for _, a := range attrs {
		if strings.Contains(a.desc, ";") || strings.EqualFold(a.desc, "mail") {
			t.Errorf("the AD form has attribute %s", a.desc)
		}
		if a.desc == attrClientData {
			data = a.values[0]
		}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data), &members); err != nil {
		t.Fatalf("oauthClientData %q: %v", data, err)
	}
	wantMembers := map[string]string{
		"client_name#de":    `"Beispiel"`,
		"client_name#en-GB": `"Example Ltd"`,
		"logo_uri#fr":       `"https://rp.example/logo-fr.png"`,
		"contacts":          `["ops@rp.example","security@rp.example"]`,
		"custom":            `{"nested": [1, {"a": null}]}`,
	}
	for name, want := range wantMembers {
		if got := string(members[name]); got != want {
			t.Errorf("oauthClientData member %s = %s, want %s", name, got, want)
		}
	}
	if _, ok := members["client_name"]; ok {
		t.Error("the untagged name went into oauthClientData, not oauthClientName")
	}

	got, err := decodeClient(stateOf(testDN, attrs, "v"))
	c.Version = "v"
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("the AD form does not read back:\n got %+v (%v)\nwant %+v", got, err, c)
	}
}

// Entries in either form read the same, whatever the directory: a store
// on AD may meet entries written elsewhere, and the other way round.
func TestDecodeReadsBothForms(t *testing.T) {
	want := oauth.Client{ID: "c1", Metadata: oauth.Metadata{
		ClientName: oauth.LangString{"": "Example", "de": "Beispiel"},
		Contacts:   []string{"a@rp.example", "b@rp.example"},
	}}
	forms := map[string]*ldap.Entry{
		"options": entry("oauthClientID", "c1", "oauthClientName", "Example", "oauthClientName;lang-de", "Beispiel",
			"mail", "a@rp.example", "mail", "b@rp.example"),
		"data": entry("oauthClientID", "c1", "oauthClientName", "Example",
			"oauthClientData", `{"client_name#de": "Beispiel", "contacts": ["a@rp.example", "b@rp.example"]}`),
	}
	for name, e := range forms {
		got, err := decodeClient(readEntry(e))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s form read as %+v (%v), want %+v", name, got, err, want)
		}
	}
}

// Rewriting an entry of the other form moves the values: on AD from
// options (were there any) into oauthClientData, elsewhere back out.
func TestUpdateMovesValuesBetweenForms(t *testing.T) {
	c := oauth.Client{ID: "c1", Metadata: oauth.Metadata{ClientName: oauth.LangString{"de": "Beispiel"}}}
	ldapForm, adForm := mustEncodeAs(t, c, dialect{}), mustEncodeAs(t, c, adDialect)
	toAD := changesOf(diff(stateOf(testDN, ldapForm, "v").attrs, adForm))
	wantToAD := []change{
		{ldap.ReplaceAttribute, attrClientData, []string{`{"client_name#de":"Beispiel"}`}},
		{ldap.DeleteAttribute, "oauthClientName;lang-de", nil},
	}
	if !reflect.DeepEqual(toAD, wantToAD) {
		t.Errorf("to the AD form: %v, want %v", toAD, wantToAD)
	}
	back := changesOf(diff(stateOf(testDN, adForm, "v").attrs, ldapForm))
	wantBack := []change{
		{ldap.ReplaceAttribute, "oauthClientName;lang-de", []string{"Beispiel"}},
		{ldap.DeleteAttribute, attrClientData, nil},
	}
	if !reflect.DeepEqual(back, wantBack) {
		t.Errorf("from the AD form: %v, want %v", back, wantBack)
	}
}

func mustEncodeAs(t *testing.T, c oauth.Client, d dialect) []attrValue {
	t.Helper()
	attrs, err := encodeClient(c, d)
	if err != nil {
		t.Fatal(err)
	}
	return attrs
}

// The AD form refuses what the attribute form refuses.
func TestEncodeClientADFormRefuses(t *testing.T) {
	for name, c := range map[string]oauth.Client{
		"bad tag":       {ID: "c1", Metadata: oauth.Metadata{ClientName: oauth.LangString{"de_DE": "x"}}},
		"tag twice":     {ID: "c1", Metadata: oauth.Metadata{ClientName: oauth.LangString{"de": "x", "DE": "y"}}},
		"contact twice": {ID: "c1", Metadata: oauth.Metadata{Contacts: []string{"a@x", "a@x"}}},
		"empty contact": {ID: "c1", Metadata: oauth.Metadata{Contacts: []string{""}}},
	} {
		if _, err := encodeClient(c, adDialect); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

func TestSwapWrite(t *testing.T) {
	foreign := entryState{dn: testDN, classes: []string{"oidcRelyingParty"}}
	changes := []ldap.Change{{Operation: ldap.ReplaceAttribute,
		Modification: ldap.PartialAttribute{Type: "oauthSoftwareID", Vals: []string{"x"}}}}
	tests := []struct {
		name   string
		before entryState
		d      dialect
		want   [][]change
	}{
		{name: "LDAP, entry of another server: one Modify", before: foreign, want: [][]change{{
			{ldap.AddAttribute, attrObjectClass, []string{"gatehouseClient"}},
			{ldap.AddAttribute, attrVersion, []string{"v2"}},
			{ldap.ReplaceAttribute, "oauthSoftwareID", []string{"x"}},
		}}},
		{name: "AD, entry of another server: the class apart", before: foreign, d: adDialect, want: [][]change{
			{{ldap.AddAttribute, attrObjectClass, []string{"gatehouseClient"}}},
			{{ldap.AddAttribute, attrVersion, []string{"v2"}}, {ldap.ReplaceAttribute, "oauthSoftwareID", []string{"x"}}},
		}},
		{name: "AD, versioned entry: one Modify", d: adDialect,
			before: entryState{dn: testDN, versions: []string{"v1"}, classes: []string{"gatehouseClient"}},
			want: [][]change{{
				{ldap.DeleteAttribute, attrVersion, []string{"v1"}},
				{ldap.AddAttribute, attrVersion, []string{"v2"}},
				{ldap.ReplaceAttribute, "oauthSoftwareID", []string{"x"}},
			}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newSwapWrite(tc.before, "v2", classGatehouseClient, changes, tc.d)
			var got [][]change
			for _, req := range w.reqs {
				got = append(got, changesOf(req.Changes))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("requests %v, want %v", got, tc.want)
			}
			// A refusal is judged against the entry as the refused
			// request found it: the second finds the class added.
			for i := range w.reqs {
				w.failed = i
				wantClass := i == 1 || tc.before.hasClass(classGatehouseClient)
				if got := w.compared().hasClass(classGatehouseClient); got != wantClass {
					t.Errorf("request %d is judged against an entry with the class: %v, want %v", i, got, wantClass)
				}
			}
			if foreign.hasClass(classGatehouseClient) {
				t.Error("newSwapWrite changed the state it was given")
			}
		})
	}
}

func TestAuthzCN(t *testing.T) {
	// printf 'alice\0rp' | openssl dgst -sha256 -binary | basenc --base64url | tr -d =
	const aliceRP = "gCpwENJU7ySDx5gusy9zyUlvTWE0sfoCD8TUxQijDKQ"
	if got := authzCN("alice", "rp"); got != aliceRP {
		t.Errorf("authzCN(alice, rp) = %q, want %q", got, aliceRP)
	}
	seen := map[string][2]string{}
	for _, key := range [][2]string{{"alice", "rp"}, {"alicer", "p"}, {"alic", "erp"}, {"rp", "alice"}, {"ALICE", "rp"}} {
		cn := authzCN(key[0], key[1])
		if prev, dup := seen[strings.ToLower(cn)]; dup {
			t.Errorf("%q and %q share cn %s", prev, key, cn)
		}
		seen[strings.ToLower(cn)] = key
		if len(cn) != 43 || escapeRDNValue(cn) != cn {
			t.Errorf("cn %q: want 43 characters that need no escaping", cn)
		}
	}
}
