package schema_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/schema"
)

// These tests load the shipped schema into a real OpenLDAP and check that it
// takes the entries Gatehouse writes and refuses what it must refuse.

// TestLdapaddShippedFiles loads each OpenLDAP file the way the README tells
// operators to: ldapadd -Y EXTERNAL over the ldapi socket.
func TestLdapaddShippedFiles(t *testing.T) {
	t.Parallel()
	ldapadd := requireTool(t, "ldapadd")
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true})
	files, err := schema.Files(schema.ServerOpenLDAP, schema.KindAll)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range files {
		path := filepath.Join(dir, filepath.Base(f.Path))
		if err := os.WriteFile(path, f.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(ldapadd, "-Q", "-Y", "EXTERNAL", "-H", s.LDAPI, "-f", path).CombinedOutput()
		if err != nil {
			t.Fatalf("ldapadd %s: %v\n%s", f.Path, err, out)
		}
	}
	res := search(t, s.ConfigConn(t), "cn=schema,cn=config", ldap.ScopeSingleLevel, "(objectClass=olcSchemaConfig)", "cn")
	var names []string
	for _, e := range res {
		names = append(names, e.GetAttributeValue("cn"))
	}
	for _, want := range []string{"{4}oauth-client", "{5}oauth-authz", "{6}gatehouse"} {
		if !slices.Contains(names, want) {
			t.Errorf("schema entries %v lack %s", names, want)
		}
	}
	add(t, s.Conn(t), client("loaded", nil))
}

// sample returns values that a syntax accepts; two for a multi-valued type.
func sample(a schema.AttributeType) []string {
	var v []string
	switch a.Syntax {
	case schema.SyntaxBoolean:
		return []string{"TRUE"}
	case schema.SyntaxInteger:
		return []string{"3600"}
	case schema.SyntaxGeneralizedTime:
		return []string{"20250102030405Z"}
	case schema.SyntaxIA5String:
		v = []string{"https://client.example.org/" + a.Name(), "https://client.example.org/" + a.Name() + "/2"}
	default:
		v = []string{"value of " + a.Name(), "second value of " + a.Name()}
	}
	if a.SingleValue {
		return v[:1]
	}
	return v
}

// allAttributes returns a value for every attribute the classes require
// or allow, themselves or through their superclasses.
func allAttributes(t *testing.T, classes ...string) map[string][]string {
	t.Helper()
	attrs := map[string]schema.AttributeType{}
	defs := map[string]schema.ObjectClass{}
	for _, s := range schema.Sets() {
		for _, a := range s.Attributes {
			attrs[a.Name()] = a
		}
		for _, c := range s.Classes {
			defs[c.Name()] = c
		}
	}
	out := map[string][]string{}
	for len(classes) > 0 {
		c, ok := defs[classes[0]]
		classes = classes[1:]
		if !ok {
			continue // top
		}
		classes = append(classes, c.Sup...)
		for _, m := range append(append([]string(nil), c.Must...), c.May...) {
			a, ok := attrs[m]
			switch {
			case ok:
				out[m] = sample(a)
			case m == "mail": // the standard attribute, for contacts
				out[m] = []string{"ops@example.org", "security@example.org"}
			default:
				t.Fatalf("%s: no sample for %s", c.Name(), m)
			}
		}
	}
	return out
}

func TestEntries(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{})
	conn := s.Conn(t)

	t.Run("client with every attribute", func(t *testing.T) {
		attrs := allAttributes(t, "oidcRelyingParty", "gatehouseClient")
		if len(attrs) != 54+1+4 {
			t.Fatalf("%d attributes, want 59", len(attrs))
		}
		attrs["oauthClientID"] = []string{"every"}
		for _, name := range []string{"oauthClientName", "oauthClientURI", "oauthLogoURI", "oauthTermsOfServiceURI", "oauthPolicyURI"} {
			attrs[name+";lang-de"] = []string{attrs[name][0] + "/de"}
			attrs[name+";lang-pt-BR"] = []string{attrs[name][0] + "/pt-BR"}
		}
		req := client("every", attrs, "oidcRelyingParty", "gatehouseClient")
		add(t, conn, req)

		got := search(t, conn, req.DN, ldap.ScopeBaseObject, "(objectClass=*)", "*")[0]
		for name, want := range attrs {
			if values := got.GetEqualFoldAttributeValues(name); !slices.Equal(values, want) {
				t.Errorf("%s = %q, want %q", name, values, want)
			}
		}
	})

	t.Run("minimal client", func(t *testing.T) {
		add(t, conn, client("minimal", nil))
	})

	t.Run("authorization with every attribute", func(t *testing.T) {
		attrs := allAttributes(t, "oidcAuthz", "gatehouseAuthz")
		if len(attrs) != 17+1 {
			t.Fatalf("%d attributes, want 18", len(attrs))
		}
		attrs["authzSubject"] = []string{"alice"}
		attrs["authzClientID"] = []string{"every"}
		dn := "authzSubject=alice+authzClientID=every,ou=authorizations," + s.BaseDN
		req := ldap.NewAddRequest(dn, nil)
		req.Attribute("objectClass", []string{"oidcAuthz", "gatehouseAuthz"})
		for name, values := range attrs {
			req.Attribute(name, values)
		}
		add(t, conn, req)
		found := search(t, conn, "ou=authorizations,"+s.BaseDN, ldap.ScopeSingleLevel, "(&(authzSubject=alice)(authzClientID=every))", "authzScopeValue")
		if len(found) != 1 || len(found[0].GetAttributeValues("authzScopeValue")) != 2 {
			t.Errorf("found %v", found)
		}
	})

	t.Run("minimal authorization", func(t *testing.T) {
		req := ldap.NewAddRequest("authzSubject=bob+authzClientID=minimal,ou=authorizations,"+s.BaseDN, nil)
		req.Attribute("objectClass", []string{"oauth2Authz"})
		req.Attribute("authzSubject", []string{"bob"})
		req.Attribute("authzClientID", []string{"minimal"})
		add(t, conn, req)
	})
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{})
	conn := s.Conn(t)
	tests := []struct {
		name    string
		id      string
		classes []string
		attrs   map[string][]string
		code    uint16
	}{
		{name: "second client ID", id: "a", attrs: map[string][]string{"oauthClientID": {"a", "b"}},
			code: ldap.LDAPResultConstraintViolation},
		{name: "second secret", attrs: map[string][]string{"oauthClientSecret": {"x", "y"}},
			code: ldap.LDAPResultConstraintViolation},
		{name: "second value of a tagged name", attrs: map[string][]string{"oauthClientName;lang-de": {"Eins", "Zwei"}},
			code: ldap.LDAPResultConstraintViolation},
		{name: "empty string", attrs: map[string][]string{"oauthClientSecret": {""}},
			code: ldap.LDAPResultInvalidAttributeSyntax},
		{name: "unknown attribute", attrs: map[string][]string{"oauthClientColour": {"teal"}},
			code: ldap.LDAPResultUndefinedAttributeType},
		{name: "attribute of another class", attrs: map[string][]string{"authzSubject": {"alice"}},
			code: ldap.LDAPResultObjectClassViolation},
		{name: "OpenID attribute on an OAuth client", classes: []string{"oauthClientMetadata"},
			attrs: map[string][]string{"oidcSubjectType": {"public"}}, code: ldap.LDAPResultObjectClassViolation},
		{name: "auxiliary class alone", classes: []string{"gatehouseClient"},
			code: ldap.LDAPResultObjectClassViolation},
		{name: "boolean", attrs: map[string][]string{"oauthRequirePAR": {"yes"}}, code: ldap.LDAPResultInvalidAttributeSyntax},
		{name: "integer", attrs: map[string][]string{"oidcDefaultMaxAge": {"an hour"}}, code: ldap.LDAPResultInvalidAttributeSyntax},
		{name: "time", attrs: map[string][]string{"oauthClientSecretExp": {"2025-01-02"}}, code: ldap.LDAPResultInvalidAttributeSyntax},
		{name: "non-ASCII URI", attrs: map[string][]string{"oauthRedirectURI": {"https://bücher.example/cb"}},
			code: ldap.LDAPResultInvalidAttributeSyntax},
		{name: "duplicate redirect URI", attrs: map[string][]string{"oauthRedirectURI": {"https://a.example/cb", "https://a.example/cb"}},
			code: ldap.LDAPResultAttributeOrValueExists},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.id
			if id == "" {
				id = "refused-" + string(rune('a'+i))
			}
			err := conn.Add(client(id, tc.attrs, tc.classes...))
			if !ldap.IsErrorWithCode(err, tc.code) {
				t.Errorf("add: %v, want result code %d", err, tc.code)
			}
		})
	}

	t.Run("second client ID by modify", func(t *testing.T) {
		req := client("modified", nil)
		add(t, conn, req)
		mod := ldap.NewModifyRequest(req.DN, nil)
		mod.Add("oauthClientID", []string{"another"})
		if err := conn.Modify(mod); !ldap.IsErrorWithCode(err, ldap.LDAPResultConstraintViolation) {
			t.Errorf("modify: %v, want a constraint violation", err)
		}
	})
}

// TestMatching pins the matching rules the stores' filters rely on.
func TestMatching(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{})
	conn := s.Conn(t)
	add(t, conn, client("Match-1", map[string][]string{
		"oauthRedirectURI":         {"https://rp.example/Callback"},
		"oauthTLSClientAuthSANDNS": {"rp.example.org"},
		"oauthClientName":          {"Rely Party"},
		"oauthClientName;lang-de":  {"Vertrauende Partei"},
		"oauthClientSecretExp":     {"20300101000000Z"},
		"oidcDefaultMaxAge":        {"600"},
		"oauthScopeValue":          {"openid", "Email"},
		"oauthRequirePAR":          {"TRUE"},
	}))
	tests := []struct {
		filter string
		match  bool
	}{
		{filter: "(oauthClientID=Match-1)", match: true},
		{filter: "(oauthClientID=match-1)", match: false},
		{filter: "(oauthClientID=Match*)", match: true},
		{filter: "(oauthClientID=match*)", match: false},
		{filter: "(oauthRedirectURI=https://rp.example/Callback)", match: true},
		{filter: "(oauthRedirectURI=https://rp.example/callback)", match: false},
		{filter: "(oauthTLSClientAuthSANDNS=RP.Example.ORG)", match: true},
		{filter: "(oauthClientName=rely party)", match: true},
		{filter: "(oauthClientName;lang-de=*partei)", match: true},
		{filter: "(oauthScopeValue=email)", match: false},
		{filter: "(oauthClientSecretExp>=20250101000000Z)", match: true},
		{filter: "(oidcDefaultMaxAge>=1000)", match: false},
		{filter: "(oauthRequirePAR=TRUE)", match: true},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			got := search(t, conn, "ou=clients,"+s.BaseDN, ldap.ScopeSingleLevel, tc.filter, "1.1")
			if (len(got) == 1) != tc.match {
				t.Errorf("%d entries match, want match %v", len(got), tc.match)
			}
		})
	}
}

// TestSubjectDNKeptAsGiven checks that oauthTLSClientAuthSubjectDN keeps a
// certificate subject exactly as registered, including attribute types that
// OpenLDAP's DN syntax would refuse or rewrite: the provider, not the
// directory, compares subjects by meaning.
func TestSubjectDNKeptAsGiven(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{})
	conn := s.Conn(t)
	tests := []struct{ name, value string }{
		{name: "spaces and case", value: "CN=client.example.com, O=Example Inc., C=US"},
		{name: "escaped plus", value: `CN=a\+b,O=x`},
		{name: "emailAddress", value: "emailAddress=ops@example.org,CN=x"},
		{name: "UTF-8", value: "CN=Müller,O=x"},
		{name: "organizationIdentifier", value: "2.5.4.97=#0c0f565344444529303030303030303030,CN=x"},
		{name: "EV jurisdiction", value: "1.3.6.1.4.1.311.60.2.1.3=#13025553,CN=x"},
		{name: "E= short name", value: "E=ops@example.org,CN=x"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := client("dn-"+string(rune('a'+i)), map[string][]string{"oauthTLSClientAuthSubjectDN": {tc.value}})
			if err := conn.Add(req); err != nil {
				t.Fatal(err)
			}
			got := search(t, conn, req.DN, ldap.ScopeBaseObject, "(objectClass=*)", "oauthTLSClientAuthSubjectDN")
			if v := got[0].GetAttributeValue("oauthTLSClientAuthSubjectDN"); v != tc.value {
				t.Errorf("stored %q, want %q as given", v, tc.value)
			}
		})
	}
}

// client builds a client entry below ou=clients, of class oidcRelyingParty
// unless classes are given.
func client(id string, attrs map[string][]string, classes ...string) *ldap.AddRequest {
	if len(classes) == 0 {
		classes = []string{"oidcRelyingParty"}
	}
	req := ldap.NewAddRequest("oauthClientID="+ldap.EscapeDN(id)+",ou=clients,dc=example,dc=org", nil)
	req.Attribute("objectClass", classes)
	if _, ok := attrs["oauthClientID"]; !ok {
		req.Attribute("oauthClientID", []string{id})
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name == "objectClass" {
			continue
		}
		req.Attribute(name, attrs[name])
	}
	return req
}

func add(t *testing.T, conn *ldap.Conn, req *ldap.AddRequest) {
	t.Helper()
	if err := conn.Add(req); err != nil {
		t.Fatalf("add %s: %v", req.DN, err)
	}
}

func search(t *testing.T, conn *ldap.Conn, base string, scope int, filter string, attrs ...string) []*ldap.Entry {
	t.Helper()
	res, err := conn.Search(ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, filter, attrs, nil))
	if err != nil {
		t.Fatalf("search %s %s: %v", base, filter, err)
	}
	return res.Entries
}

func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	switch {
	case err == nil:
		return path
	case os.Getenv("CI") == "true":
		t.Fatalf("%s: %v", name, err)
	default:
		t.Skipf("%s not installed (Debian package ldap-utils): %v", name, err)
	}
	return ""
}

// TestLanguageTags records that OpenLDAP returns attribute options in
// lower case: a value written as oauthClientName;lang-pt-BR comes back as
// oauthClientName;lang-pt-br. Language tags are case-insensitive (BCP 47),
// so stores must compare them ignoring case.
func TestLanguageTags(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{})
	conn := s.Conn(t)
	req := client("tagged", map[string][]string{
		"oauthClientName":            {"Tagged"},
		"oauthClientName;lang-pt-BR": {"Etiquetado"},
		"oauthClientName;lang-de":    {"Markiert"},
	})
	add(t, conn, req)
	got := search(t, conn, req.DN, ldap.ScopeBaseObject, "(objectClass=*)", "oauthClientName")[0]
	var names []string
	for _, a := range got.Attributes {
		names = append(names, a.Name)
	}
	slices.Sort(names)
	if want := []string{"oauthClientName", "oauthClientName;lang-de", "oauthClientName;lang-pt-br"}; !slices.Equal(names, want) {
		t.Errorf("attribute descriptions %q, want %q", names, want)
	}
}

// TestVersionSwap checks what the stores' optimistic updates rely on: a
// modification that deletes the gatehouseVersion value it read and adds a
// new one fails once someone else has replaced that value.
func TestVersionSwap(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{})
	conn := s.Conn(t)
	req := client("swapped", map[string][]string{"gatehouseVersion": {"v1"}}, "oidcRelyingParty", "gatehouseClient")
	add(t, conn, req)
	swap := func(from, to string) error {
		mod := ldap.NewModifyRequest(req.DN, nil)
		mod.Delete("gatehouseVersion", []string{from})
		mod.Add("gatehouseVersion", []string{to})
		mod.Replace("oauthClientName", []string{"by " + to})
		return conn.Modify(mod)
	}
	if err := swap("v1", "v2"); err != nil {
		t.Fatalf("first update: %v", err)
	}
	if err := swap("v1", "v3"); !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchAttribute) {
		t.Errorf("update from a stale version: %v, want no such attribute", err)
	}
	got := search(t, conn, req.DN, ldap.ScopeBaseObject, "(objectClass=*)", "oauthClientName", "gatehouseVersion")[0]
	if got.GetAttributeValue("gatehouseVersion") != "v2" || got.GetAttributeValue("oauthClientName") != "by v2" {
		t.Errorf("entry after the stale update: %v", got.Attributes)
	}
}
