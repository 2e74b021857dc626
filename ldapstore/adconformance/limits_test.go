package adconformance_test

import (
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// TestSambaLimits shows the refusals behind the skipped cases, so that a
// Samba that lifts one of them makes this test fail and the skip can go.
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
		{name: "language tag", dn: "oauthClientID=tagged," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}, {"oauthClientName;lang-de", "Beispiel"}},
			code:  ldap.LDAPResultNoSuchAttribute},
		{name: "multi-valued RDN", dn: "authzSubject=alice+authzClientID=rp," + authz,
			attrs: [][2]string{{"objectClass", "oidcAuthz"}},
			code:  ldap.LDAPResultInvalidDNSyntax},
		{name: "GeneralizedTime without fraction", dn: "oauthClientID=time-z," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}, {"oauthClientIDIssueTime", "20260506070809Z"}},
			code:  ldap.LDAPResultInvalidAttributeSyntax},
		{name: "GeneralizedTime with .0Z", dn: "oauthClientID=time-0z," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}, {"oauthClientIDIssueTime", "20260506070809.0Z"}}},
		{name: "unescaped equals sign", dn: "oauthClientID=a=b," + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}},
			code:  ldap.LDAPResultInvalidDNSyntax},
		{name: "escaped equals sign", dn: `oauthClientID=a\=b,` + clients,
			attrs: [][2]string{{"objectClass", "oidcRelyingParty"}}},
		{name: "authorization named by cn", dn: "cn=alice rp," + authz,
			attrs: [][2]string{{"objectClass", "oidcAuthz"}, {"objectClass", "gatehouseAuthz"},
				{"authzSubject", "alice"}, {"authzClientID", "rp"}, {"gatehouseVersion", "1"}}},
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
