package schemaapply_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/schemaapply"
	"github.com/gatehouse-idp/gatehouse/schema"
)

// added115 are the attributes that schema 1.15 added to oauthClientMetadata.
var added115 = []string{
	"oauthTLSClientAuthSubjectDN", "oauthTLSClientAuthSANDNS", "oauthTLSClientAuthSANURI",
	"oauthTLSClientAuthSANIP", "oauthTLSClientAuthSANEmail", "oauthAuthorizationResponseJWSAlg",
	"oauthAuthorizationResponseJWEAlg", "oauthAuthorizationResponseJWEEnc",
}

// foreignArc stands in for another vendor's OIDs (RFC 5612's example
// enterprise number), so the tests show that apply goes by name.
const foreignArc = "1.3.6.1.4.1.32473.7"

func TestApplyToBareServer(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true})
	conn := s.ConfigConn(t)

	changes := apply(t, conn)
	var got []string
	for _, c := range changes {
		if c.Action != schemaapply.ActionAddEntry {
			t.Errorf("unexpected change: %s", c)
		}
		got = append(got, c.Name)
	}
	if want := []string{"oauth-client", "oauth-authz", "gatehouse"}; !slices.Equal(got, want) {
		t.Errorf("added %v, want %v", got, want)
	}
	if !strings.Contains(changes[0].String(), "added schema entry cn=oauth-client,cn=schema,cn=config (54 attribute types, 3 object classes)") {
		t.Errorf("change line %q", changes[0])
	}

	assertCurrent(t, conn)
	addClient(t, s, "fresh", []string{"oidcRelyingParty", "gatehouseClient"}, map[string][]string{
		"oauthTLSClientAuthSANDNS": {"client.example.org"},
		"gatehouseVersion":         {"1"},
	})
}

// TestApplyUpgrade starts from another vendor's older schema (no 1.15
// attributes on oauthClientMetadata, no oidcAuthz, nothing of Gatehouse's
// own) plus a third-party class derived from oidcRelyingParty, upgrades it,
// and checks that the result works at once and after a restart.
func TestApplyUpgrade(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true, Schemas: []string{
		writeSet(t, dir, olderClientSet()),
		writeSet(t, dir, olderAuthzSet()),
		writeFile(t, dir, "acme.ldif", acmeSchema),
	}})
	conn := s.ConfigConn(t)

	plan, err := schemaapply.NewPlan(conn, schema.Sets())
	if err != nil {
		t.Fatal(err)
	}
	var planned []string
	for _, c := range plan.Changes() {
		planned = append(planned, c.Planned())
	}
	changes := apply(t, conn)
	var lines []string
	for _, c := range changes {
		lines = append(lines, c.String())
	}
	if len(planned) != len(lines) || !strings.HasPrefix(planned[0], "would add attribute type") {
		t.Errorf("plan said\n%s", strings.Join(planned, "\n"))
	}

	want := []string{}
	for _, name := range added115 {
		want = append(want, "added attribute type "+name+" to cn={4}oauth-client,cn=schema,cn=config")
	}
	want = append(want,
		"extended object class oauthClientMetadata in cn={4}oauth-client,cn=schema,cn=config with MAY "+strings.Join(added115, ", "),
		"reloaded object class oidcRelyingParty in cn={4}oauth-client,cn=schema,cn=config so that it inherits the extension",
		"added attribute type oidcClaimName to cn={5}oauth-authz,cn=schema,cn=config",
		"added attribute type oidcSavedClaimName to cn={5}oauth-authz,cn=schema,cn=config",
		"added attribute type oidcSessionID to cn={5}oauth-authz,cn=schema,cn=config",
		"added object class oidcAuthz to cn={5}oauth-authz,cn=schema,cn=config",
		"reloaded object class acmeClient in cn={6}acme,cn=schema,cn=config so that it inherits the extension",
		"added schema entry cn=gatehouse,cn=schema,cn=config (17 attribute types, 4 object classes)",
	)
	if !slices.Equal(lines, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	// The vendor's definition keeps its OID; only MAY grew.
	metadata := classDefinition(t, conn, "oauthClientMetadata")
	if !strings.HasPrefix(metadata, "( "+foreignArc+".2.1.2 ") || !strings.Contains(metadata, "oauthTLSClientAuthSANEmail") {
		t.Errorf("oauthClientMetadata is now %s", metadata)
	}
	assertCurrent(t, conn)
	use115(t, s, "upgraded")

	if err := s.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	assertCurrent(t, s.ConfigConn(t))
	use115(t, s, "restarted")
}

func TestPlanChangesNothing(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true})
	conn := s.ConfigConn(t)
	for range 2 {
		plan, err := schemaapply.NewPlan(conn, schema.Sets())
		if err != nil {
			t.Fatal(err)
		}
		if n := len(plan.Changes()); n != 3 || plan.Empty() {
			t.Fatalf("%d planned changes, want 3", n)
		}
		if got := plan.Changes()[2].Planned(); got != "would add schema entry cn=gatehouse,cn=schema,cn=config (17 attribute types, 4 object classes)" {
			t.Errorf("planned %q", got)
		}
	}
}

// TestApplyToServerWithSchema runs against a server that has the schema
// already, and ppolicy's definitions compiled in, which the reader must
// parse like all of slapd's own.
func TestApplyToServerWithSchema(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{PPolicy: true})
	assertCurrent(t, s.ConfigConn(t))
}

func TestApplyWithoutConfigAccess(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true})
	_, err := schemaapply.Apply(s.Conn(t), schema.Sets()) // the database admin, not cn=config's
	if err == nil || !strings.Contains(err.Error(), "cn=config") {
		t.Errorf("apply as the database admin: %v", err)
	}
}

func TestApplyRefusesTakenOID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clash := schema.Set{Name: "clash", Attributes: []schema.AttributeType{{
		OID: schema.Arc + ".1.3.1", Names: []string{"someoneElsesAttribute"},
		Equality: "caseExactMatch", Syntax: schema.SyntaxDirectoryString,
	}}}
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true, Schemas: []string{writeSet(t, dir, clash)}})
	_, err := schemaapply.Apply(s.ConfigConn(t), schema.Sets())
	if err == nil || !strings.Contains(err.Error(), "someoneElsesAttribute") {
		t.Errorf("apply over a taken OID: %v", err)
	}
}

func TestDial(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true})
	tests := []struct {
		name    string
		target  schemaapply.Target
		wantErr string
	}{
		{name: "ldapi with SASL EXTERNAL", target: schemaapply.Target{URL: s.LDAPI}},
		{name: "simple bind", target: schemaapply.Target{URL: s.URL, BindDN: s.ConfigDN, BindPassword: s.ConfigPassword}},
		{name: "no identity over TCP", target: schemaapply.Target{URL: s.URL}, wantErr: "bind DN is needed"},
		{name: "wrong password", target: schemaapply.Target{URL: s.URL, BindDN: s.ConfigDN, BindPassword: "wrong"}, wantErr: "Invalid Credentials"},
		{name: "empty password", target: schemaapply.Target{URL: s.URL, BindDN: s.ConfigDN}, wantErr: "no password"},
		{name: "bad scheme", target: schemaapply.Target{URL: "http://127.0.0.1"}, wantErr: "scheme"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := schemaapply.Dial(tc.target)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want one with %q", err, tc.wantErr)
				}
				if conn != nil {
					_ = conn.Close()
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = conn.Close() }()
			if _, err := schemaapply.NewPlan(conn, schema.Sets()); err != nil {
				t.Errorf("read cn=config: %v", err)
			}
		})
	}
}

func apply(t *testing.T, conn *ldap.Conn) []schemaapply.Change {
	t.Helper()
	changes, err := schemaapply.Apply(conn, schema.Sets())
	if err != nil {
		t.Fatalf("apply: %v (after %v)", err, changes)
	}
	return changes
}

func assertCurrent(t *testing.T, conn *ldap.Conn) {
	t.Helper()
	plan, err := schemaapply.NewPlan(conn, schema.Sets())
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("schema not current; still to do: %v", plan.Changes())
	}
	changes, err := schemaapply.Apply(conn, schema.Sets())
	if err != nil || len(changes) != 0 {
		t.Errorf("second apply: %v, %v", changes, err)
	}
}

// use115 adds clients that use the 1.15 attributes: one of class
// oidcRelyingParty, which inherits them, and one of the third-party class
// below it.
func use115(t *testing.T, s *ldaptest.Slapd, id string) {
	t.Helper()
	attrs := map[string][]string{
		"oauthTLSClientAuthSubjectDN":      {"CN=client,O=Example"},
		"oauthTLSClientAuthSANDNS":         {"client.example.org"},
		"oauthTLSClientAuthSANURI":         {"https://client.example.org/"},
		"oauthTLSClientAuthSANIP":          {"192.0.2.7"},
		"oauthTLSClientAuthSANEmail":       {"ops@example.org"},
		"oauthAuthorizationResponseJWSAlg": {"PS256"},
		"oauthAuthorizationResponseJWEAlg": {"RSA-OAEP-256"},
		"oauthAuthorizationResponseJWEEnc": {"A256GCM"},
		"gatehouseVersion":                 {"v1"},
	}
	addClient(t, s, id, []string{"oidcRelyingParty", "gatehouseClient"}, attrs)
	attrs["acmeTenant"] = []string{"blue"}
	addClient(t, s, id+"-acme", []string{"acmeClient", "gatehouseClient"}, attrs)

	authz := ldap.NewAddRequest("authzSubject=alice+authzClientID="+id+",ou=authorizations,"+s.BaseDN, nil)
	authz.Attribute("objectClass", []string{"oidcAuthz", "gatehouseAuthz"})
	authz.Attribute("authzSubject", []string{"alice"})
	authz.Attribute("authzClientID", []string{id})
	authz.Attribute("oidcClaimName", []string{"email", "name"})
	authz.Attribute("gatehouseVersion", []string{"v1"})
	if err := s.Conn(t).Add(authz); err != nil {
		t.Errorf("add %s: %v", authz.DN, err)
	}
}

func addClient(t *testing.T, s *ldaptest.Slapd, id string, classes []string, attrs map[string][]string) {
	t.Helper()
	req := ldap.NewAddRequest("oauthClientID="+id+",ou=clients,"+s.BaseDN, nil)
	req.Attribute("objectClass", classes)
	req.Attribute("oauthClientID", []string{id})
	for name, values := range attrs {
		req.Attribute(name, values)
	}
	if err := s.Conn(t).Add(req); err != nil {
		t.Errorf("add client %s: %v", id, err)
	}
}

// classDefinition reads a class from the subschema subentry, where slapd
// shows the definitions in force.
func classDefinition(t *testing.T, conn *ldap.Conn, name string) string {
	t.Helper()
	res, err := conn.Search(ldap.NewSearchRequest("cn=Subschema", ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=subschema)", []string{"objectClasses"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Entries[0].GetAttributeValues("objectClasses") {
		if c, err := schema.ParseObjectClass(v); err == nil && c.Name() == name {
			return v
		}
	}
	t.Fatalf("no object class %s", name)
	return ""
}

// olderClientSet is the client schema as another vendor shipped it before
// 1.15: without the mutual-TLS and JARM attributes, under its own OIDs.
func olderClientSet() schema.Set {
	s := foreign(schema.Sets()[0])
	s.Attributes = slices.DeleteFunc(s.Attributes, func(a schema.AttributeType) bool {
		return slices.Contains(added115, a.Name())
	})
	for i := range s.Classes {
		s.Classes[i].May = slices.DeleteFunc(s.Classes[i].May, func(m string) bool {
			return slices.Contains(added115, m)
		})
	}
	return s
}

// olderAuthzSet has only the OAuth part of the authorization schema.
func olderAuthzSet() schema.Set {
	s := foreign(schema.Sets()[1])
	s.Attributes = slices.DeleteFunc(s.Attributes, func(a schema.AttributeType) bool {
		return strings.HasPrefix(a.Name(), "oidc")
	})
	s.Classes = s.Classes[:1]
	return s
}

func foreign(s schema.Set) schema.Set {
	for i := range s.Attributes {
		s.Attributes[i].OID = strings.Replace(s.Attributes[i].OID, schema.Arc, foreignArc, 1)
	}
	for i := range s.Classes {
		s.Classes[i].OID = strings.Replace(s.Classes[i].OID, schema.Arc, foreignArc, 1)
	}
	return s
}

// acmeSchema is a third party's extension of the client classes.
const acmeSchema = `dn: cn=acme,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: acme
olcAttributeTypes: ( 1.3.6.1.4.1.32473.8.1 NAME 'acmeTenant'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.32473.8.2 NAME 'acmeClient'
  SUP oidcRelyingParty STRUCTURAL MAY acmeTenant )
`

func writeSet(t *testing.T, dir string, s schema.Set) string {
	t.Helper()
	data, err := schema.Render(schema.ServerOpenLDAP, s)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, s.Name+".ldif", string(data))
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
