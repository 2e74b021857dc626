package schemaapply_test

import (
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/schemaapply"
	"github.com/gatehouse-idp/gatehouse/schema"
)

// TestApplyADInSteps applies Gatehouse's own set alone first, then
// everything: the second plan adds only what the first left out, a third
// finds nothing to do, and the result takes a client entry at once.
func TestApplyADInSteps(t *testing.T) {
	t.Parallel()
	dc := adtest.New(t)
	conn := dc.Conn(t)
	schemaDN := "CN=Schema,CN=Configuration," + dc.BaseDN
	sets := schema.Sets()
	own := sets[2]
	if own.Name != "gatehouse" {
		t.Fatalf("set order changed: %s", own.Name)
	}

	done, err := schemaapply.ApplyAD(conn, []schema.Set{own})
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 21 || done[0].String() != "added attribute type gatehouseVersion to "+schemaDN {
		t.Fatalf("first apply: %v", done)
	}

	plan, err := schemaapply.NewADPlan(conn, sets)
	if err != nil {
		t.Fatal(err)
	}
	planned := plan.Changes()
	if len(planned) != 54+17+3+2 {
		t.Errorf("planned %d changes, want the 76 not yet there", len(planned))
	}
	for _, c := range planned {
		if strings.Contains(c.Name, "gatehouse") {
			t.Errorf("planned again: %s", c.Planned())
		}
	}
	if want := "would add object class oidcAuthz to " + schemaDN; planned[len(planned)-1].Planned() != want {
		t.Errorf("last planned change %q, want %q", planned[len(planned)-1].Planned(), want)
	}
	done, err = plan.Apply(conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != len(planned) {
		t.Errorf("applied %d of %d changes", len(done), len(planned))
	}

	plan, err = schemaapply.NewADPlan(conn, sets)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("third plan not empty: %v", plan.Changes())
	}
	checkADObject(t, conn, schemaDN, "oauthClientID", map[string]string{
		"attributeID": schema.ADOID(sets[0].Attributes[0].OID), "attributeSyntax": "2.5.5.12", "searchFlags": "1",
	})
	addADClient(t, dc, conn)
}

func checkADObject(t *testing.T, conn *ldap.Conn, schemaDN, name string, want map[string]string) {
	t.Helper()
	var attrs []string
	for a := range want {
		attrs = append(attrs, a)
	}
	res, err := conn.Search(ldap.NewSearchRequest("CN="+name+","+schemaDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", attrs, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read %s: %v", name, err)
	}
	for a, v := range want {
		if got := res.Entries[0].GetAttributeValue(a); got != v {
			t.Errorf("%s: %s = %q, want %q", name, a, got, v)
		}
	}
}

// addADClient adds a client entry as Gatehouse writes one, with
// attributes of every set's classes, below a new organizational unit.
func addADClient(t *testing.T, dc *adtest.DC, conn *ldap.Conn) {
	t.Helper()
	ou := ldap.NewAddRequest("OU=clients,"+dc.BaseDN, nil)
	ou.Attribute("objectClass", []string{"organizationalUnit"})
	if err := conn.Add(ou); err != nil {
		t.Fatal(err)
	}
	req := ldap.NewAddRequest("oauthClientID=s6BhdRkqt3,OU=clients,"+dc.BaseDN, nil)
	req.Attribute("objectClass", []string{"oidcRelyingParty", "gatehouseClient"})
	req.Attribute("oauthRedirectURI", []string{"https://client.example.org/cb", "https://client.example.org/cb2"})
	req.Attribute("oauthClientIDIssueTime", []string{"20260506070809.0Z"}) // Samba takes no other form
	req.Attribute("oauthRequirePAR", []string{"TRUE"})
	req.Attribute("oidcDefaultMaxAge", []string{"3600"})
	req.Attribute("mail", []string{"ops@example.org"})
	req.Attribute("gatehouseVersion", []string{"v1"})
	if err := conn.Add(req); err != nil {
		t.Fatalf("add a client entry: %v", err)
	}
}

// TestApplyADRefusesTakenOID: an OID of ours already used under another
// name stops the plan before anything is written.
func TestApplyADRefusesTakenOID(t *testing.T) {
	t.Parallel()
	dc := adtest.New(t)
	conn := dc.Conn(t)
	schemaDN := "CN=Schema,CN=Configuration," + dc.BaseDN
	taken := schema.ADOID(schema.Sets()[1].Attributes[0].OID) // authzSubject's
	req := ldap.NewAddRequest("CN=acmeSubject,"+schemaDN, nil)
	req.Attribute("objectClass", []string{"attributeSchema"})
	req.Attribute("lDAPDisplayName", []string{"acmeSubject"})
	req.Attribute("attributeID", []string{taken})
	req.Attribute("attributeSyntax", []string{"2.5.5.12"})
	req.Attribute("oMSyntax", []string{"64"})
	req.Attribute("isSingleValued", []string{"TRUE"})
	if err := conn.Add(req); err != nil {
		t.Fatal(err)
	}
	_, err := schemaapply.ApplyAD(conn, schema.Sets())
	if err == nil || !strings.Contains(err.Error(), "authzSubject: OID "+taken+" is already used by acmeSubject") {
		t.Fatalf("error %v", err)
	}
	res, err := conn.Search(ldap.NewSearchRequest(schemaDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases,
		0, 0, false, "(lDAPDisplayName=oauthClientID)", []string{"cn"}, nil))
	if err != nil || len(res.Entries) != 0 {
		t.Errorf("something was written: %v, %d entries", err, len(res.Entries))
	}
}

func TestApplyADRefusesOpenLDAP(t *testing.T) {
	t.Parallel()
	dc := adtest.New(t)
	_, err := schemaapply.NewPlan(dc.Conn(t), schema.Sets())
	if err == nil || !strings.Contains(err.Error(), "not OpenLDAP") {
		t.Errorf("OpenLDAP plan on AD: %v", err)
	}
}
