package schemaapply_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/schemaapply"
	"github.com/gatehouse-idp/gatehouse/schema"
)

// An install from before the authenticators (Gatehouse's own set with
// four attribute types and two classes) is upgraded in place: apply adds
// the twelve authenticator attributes and their class to cn=gatehouse.
func TestApplyAddsAuthenticators(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sets := schema.Sets()
	older := schema.Sets()[2] // fresh values: DeleteFunc works in place
	older.Attributes = slices.DeleteFunc(older.Attributes, func(a schema.AttributeType) bool {
		return strings.HasPrefix(a.Name(), "gatehouseAuthn")
	})
	older.Classes = older.Classes[:2]
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true, Schemas: []string{
		writeSet(t, dir, sets[0]), writeSet(t, dir, sets[1]), writeSet(t, dir, older),
	}})
	conn := s.ConfigConn(t)
	changes := apply(t, conn)
	var lines []string
	for _, c := range changes {
		lines = append(lines, c.String())
	}
	if len(lines) != 14 || !strings.HasPrefix(lines[0], "added attribute type gatehouseAuthnID to cn={6}gatehouse") ||
		!strings.HasPrefix(lines[12], "added object class gatehouseAuthenticator to cn={6}gatehouse") ||
		!strings.HasPrefix(lines[13], "added object class gatehouseKeyStore to cn={6}gatehouse") {
		t.Errorf("changes:\n%s", strings.Join(lines, "\n"))
	}
	plan, err := schemaapply.NewPlan(conn, sets)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("a second apply would still change %v", plan.Changes())
	}
}
