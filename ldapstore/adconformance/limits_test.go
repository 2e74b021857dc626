package adconformance_test

import (
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// TestSambaLimits shows the refusals of Samba AD that the stores work
// around on AD (see ldapstore.DirectoryAD), each beside the form that is
// taken instead, so that a Samba that lifts a limit makes this test fail
// and the workaround can be reconsidered. The conformance cases that
// meet them pass.
func TestSambaLimits(t *testing.T) {
	f := sharedForest(t)
	conn := f.dc.Conn(t)
	clients := ldaptest.Subtree(t, conn, f.clientsDN)
	authz := ldaptest.Subtree(t, conn, f.authzDN)
	tests := []struct {
		name  string
		dn    string
		attrs [][2]string
		code  uint16 // 0: accepted
	}{
		// No attribute options: language-tagged values go into
		// oauthClientData as client_name#de members.
		{name: "language tag", dn: "oauthClientID=tagged," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}, {"oauthClientName;lang-de", "Beispiel"}},
			code:  ldap.LDAPResultNoSuchAttribute},
		{name: "language tag in oauthClientData", dn: "oauthClientID=tagged-data," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}, {"oauthClientData", `{"client_name#de": "Beispiel"}`}}},
		// mail, AD's own, is single-valued: contacts go into
		// oauthClientData.
		{name: "two contacts in mail", dn: "oauthClientID=contacts," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}, {"mail", "a@rp.example"}, {"mail", "b@rp.example"}},
			code:  ldap.LDAPResultConstraintViolation},
		// No multi-valued RDNs: authorizations are named by a cn derived
		// from subject and client ID.
		{name: "multi-valued RDN", dn: "authzSubject=alice+authzClientID=rp," + authz,
			attrs: [][2]string{{"objectClass", "oidcAuthz"}},
			code:  ldap.LDAPResultInvalidDNSyntax},
		// Only YYYYMMDDHHMMSS.0Z: the stores write times so everywhere.
		{name: "GeneralizedTime without fraction", dn: "oauthClientID=time-z," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}, {"oauthClientIDIssueTime", "20260506070809Z"}},
			code:  ldap.LDAPResultInvalidAttributeSyntax},
		{name: "GeneralizedTime with .0Z", dn: "oauthClientID=time-0z," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}, {"oauthClientIDIssueTime", "20260506070809.0Z"}}},
		// '=' in an RDN value must be escaped, as the stores do everywhere.
		{name: "unescaped equals sign", dn: "oauthClientID=a=b," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}},
			code:  ldap.LDAPResultInvalidDNSyntax},
		{name: "escaped equals sign", dn: `oauthClientID=a\=b,` + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}}},
		{name: "authorization named by cn", dn: "cn=alice rp," + authz,
			attrs: [][2]string{{"objectClass", "oidcAuthz"}, {"objectClass", "gatehouseAuthz"},
				{"authzSubject", "alice"}, {"authzClientID", "rp"}, {"gatehouseVersion", "1"}}},
		{name: "authorization named by cn, given", dn: "cn=bob rp," + authz,
			attrs: [][2]string{{"objectClass", "oidcAuthz"}, {"cn", "bob rp"},
				{"authzSubject", "bob"}, {"authzClientID", "rp"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := ldap.NewAddRequest(tc.dn, nil)
			values := map[string][]string{}
			var order []string
			for _, a := range tc.attrs {
				if values[a[0]] == nil {
					order = append(order, a[0])
				}
				values[a[0]] = append(values[a[0]], a[1])
			}
			for _, name := range order {
				req.Attribute(name, values[name])
			}
			err := conn.Add(req)
			switch {
			case tc.code == 0 && err != nil:
				t.Errorf("refused: %v", err)
			case tc.code != 0 && !ldap.IsErrorWithCode(err, tc.code):
				t.Errorf("error %v, want result %d", err, tc.code)
			}
		})
	}
}

// TestSambaAuxiliaryClassApart shows that AD refuses an auxiliary class
// and one of its attributes added to an entry in one Modify, which is how
// the stores take over an entry another server wrote; on AD they add the
// class in a Modify of its own first (ldapstore swapWrite).
func TestSambaAuxiliaryClassApart(t *testing.T) {
	f := sharedForest(t)
	conn := f.dc.Conn(t)
	dn := "oauthClientID=foreign," + ldaptest.Subtree(t, conn, f.clientsDN)
	add := ldap.NewAddRequest(dn, nil)
	add.Attribute("objectClass", []string{"oidcRelyingParty"})
	if err := conn.Add(add); err != nil {
		t.Fatal(err)
	}
	together := ldap.NewModifyRequest(dn, nil)
	together.Add("objectClass", []string{"gatehouseClient"})
	together.Add("gatehouseVersion", []string{"v1"})
	if err := conn.Modify(together); !ldap.IsErrorWithCode(err, ldap.LDAPResultObjectClassViolation) {
		t.Errorf("class and attribute in one Modify: error %v, want result %d", err, ldap.LDAPResultObjectClassViolation)
	}
	class := ldap.NewModifyRequest(dn, nil)
	class.Add("objectClass", []string{"gatehouseClient"})
	version := ldap.NewModifyRequest(dn, nil)
	version.Add("gatehouseVersion", []string{"v1"})
	for _, req := range []*ldap.ModifyRequest{class, version} {
		if err := conn.Modify(req); err != nil {
			t.Errorf("in two: %v", err)
		}
	}
	// The class add is the compare-and-swap of a second update that read
	// the entry before the first took it over.
	if err := conn.Modify(class); !ldap.IsErrorAnyOf(err, ldap.LDAPResultAttributeOrValueExists) {
		t.Errorf("adding the class again: error %v, want result %d", err, ldap.LDAPResultAttributeOrValueExists)
	}
}
