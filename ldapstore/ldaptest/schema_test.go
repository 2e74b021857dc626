package ldaptest

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func TestShippedSchemaByDefault(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Schemas: []string{schemaLDIF}})
	want := []string{"{0}core", "{1}cosine", "{2}nis", "{3}inetorgperson",
		"{4}oauth-client", "{5}oauth-authz", "{6}gatehouse", "{7}ldaptest"}
	if got := schemaNames(t, s); !slices.Equal(got, want) {
		t.Errorf("schemas %v, want %v", got, want)
	}
	conn := s.Conn(t)
	if err := conn.Add(minimalClient(s, "default")); err != nil {
		t.Errorf("add a client: %v", err)
	}
}

func TestBareSchema(t *testing.T) {
	t.Parallel()
	s := New(t, Options{BareSchema: true})
	want := []string{"{0}core", "{1}cosine", "{2}nis", "{3}inetorgperson"}
	if got := schemaNames(t, s); !slices.Equal(got, want) {
		t.Errorf("schemas %v, want %v", got, want)
	}
	if err := s.Conn(t).Add(minimalClient(s, "bare")); err == nil {
		t.Error("a server without Gatehouse's schema took a client entry")
	}
}

func TestRestart(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	conn := s.Conn(t)
	dn := "uid=gina," + Subtree(t, conn, "ou=people,"+s.BaseDN)
	addPerson(t, conn, dn, "gina-Secret-1")

	if err := s.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	assertBind(t, s, dn, "gina-Secret-1", true)
	if len(schemaNames(t, s)) != 7 {
		t.Errorf("schemas after restart: %v", schemaNames(t, s))
	}
}

func schemaNames(t *testing.T, s *Slapd) []string {
	t.Helper()
	var names []string
	for _, e := range search(t, s.ConfigConn(t), "cn=schema,cn=config", ldap.ScopeSingleLevel, "(objectClass=olcSchemaConfig)", "cn") {
		names = append(names, e.GetAttributeValue("cn"))
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(order(a), order(b)) })
	return names
}

// order pads the {n} prefix so that names sort by it.
func order(cn string) string {
	n, _, _ := strings.Cut(strings.TrimPrefix(cn, "{"), "}")
	return strings.Repeat("0", 4-len(n)) + n
}

func minimalClient(s *Slapd, id string) *ldap.AddRequest {
	req := ldap.NewAddRequest("oauthClientID="+id+",ou=clients,"+s.BaseDN, nil)
	req.Attribute("objectClass", []string{"oidcRelyingParty"})
	req.Attribute("oauthClientID", []string{id})
	return req
}
