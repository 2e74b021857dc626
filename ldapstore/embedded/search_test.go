package embedded_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

const (
	bobDN     = "uid=bob,ou=people,dc=example,dc=org"
	muellerDN = "uid=mueller,ou=people,dc=example,dc=org"
)

func TestSearchScopes(t *testing.T) {
	srv := startServer(t)
	conn := dial(t, srv)
	everything := []string{
		"cn=staff,ou=groups,dc=example,dc=org", suffix, clientDN,
		"ou=clients,dc=example,dc=org", "ou=groups,dc=example,dc=org", people,
		aliceDN, bobDN, muellerDN,
	}
	tests := []struct {
		name  string
		base  string
		scope int
		want  []string
	}{
		{"base", people, ldap.ScopeBaseObject, []string{people}},
		{"one level", people, ldap.ScopeSingleLevel, []string{aliceDN, bobDN, muellerDN}},
		{"subtree", people, ldap.ScopeWholeSubtree, []string{people, aliceDN, bobDN, muellerDN}},
		{"base spelled differently", "OU=People, DC=EXAMPLE,dc=org", ldap.ScopeSingleLevel, []string{aliceDN, bobDN, muellerDN}},
		{"leaf one level", aliceDN, ldap.ScopeSingleLevel, []string{}},
		{"root one level: naming contexts", "", ldap.ScopeSingleLevel, []string{suffix}},
		{"root subtree: everything", "", ldap.ScopeWholeSubtree, everything},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := searchDNs(t, conn, tc.base, tc.scope, "(objectClass=*)")
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSearchMissingBase(t *testing.T) {
	srv := startServer(t)
	conn := dial(t, srv)
	tests := []struct {
		name, base, matched string
	}{
		{"missing leaf", "uid=nobody,ou=people,dc=example,dc=org", people},
		{"missing subtree", "uid=x,ou=nothing,dc=example,dc=org", suffix},
		{"outside every naming context", "dc=other,dc=com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, scope := range []int{ldap.ScopeBaseObject, ldap.ScopeSingleLevel, ldap.ScopeWholeSubtree} {
				_, err := conn.Search(ldap.NewSearchRequest(tc.base, scope, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil))
				checkCode(t, err, ldap.LDAPResultNoSuchObject)
				var lerr *ldap.Error
				if errors.As(err, &lerr) && lerr.MatchedDN != tc.matched {
					t.Errorf("matchedDN = %q, want %q", lerr.MatchedDN, tc.matched)
				}
			}
		})
	}
}

func TestSearchFilters(t *testing.T) {
	srv := startServer(t)
	anon := dial(t, srv)
	root := admin(t, srv)
	tests := []struct {
		name   string
		conn   *ldap.Conn
		base   string
		filter string
		want   []string
	}{
		{"equality", anon, people, "(uid=alice)", []string{aliceDN}},
		{"equality ignores case", anon, people, "(CN=alice LIDDELL)", []string{aliceDN}},
		{"objectClass ignores case", anon, people, "(objectClass=INETORGPERSON)", []string{aliceDN, bobDN, muellerDN}},
		{"presence", anon, people, "(mail=*)", []string{aliceDN, bobDN}},
		{"substring initial", anon, people, "(cn=Ali*)", []string{aliceDN}},
		{"substring final", anon, people, "(mail=*@EXAMPLE.org)", []string{aliceDN, bobDN}},
		{"substring any", anon, people, "(cn=*ob*)", []string{bobDN}},
		{"substring all parts", anon, people, "(cn=a*ce*li*ell)", []string{aliceDN}},
		{"substring parts may not overlap", anon, people, "(uid=ali*ice)", []string{}},
		{"greater or equal is numeric for integers", anon, people, "(employeeNumber>=10)", []string{bobDN, muellerDN}},
		{"less or equal", anon, people, "(employeeNumber<=10)", []string{aliceDN, bobDN}},
		{"greater or equal on strings", anon, people, "(sn>=LIDDELL)", []string{aliceDN, muellerDN}},
		{"approximate as equality", anon, people, "(sn~=liddell)", []string{aliceDN}},
		{"and", anon, people, "(&(objectClass=inetOrgPerson)(mail=*))", []string{aliceDN, bobDN}},
		{"or", anon, people, "(|(uid=alice)(uid=bob)(uid=nobody))", []string{aliceDN, bobDN}},
		{"not", anon, people, "(!(uid=alice))", []string{people, bobDN, muellerDN}},
		{"nested", anon, people, "(&(objectClass=*)(!(|(uid=alice)(uid=bob))))", []string{people, muellerDN}},
		{"absent attribute is false", anon, people, "(!(description=zzz))", []string{people, aliceDN, bobDN, muellerDN}},
		{"non-ASCII escaped", anon, people, "(sn=" + ldap.EscapeFilter("müller") + ")", []string{muellerDN}},
		{"non-ASCII substring", anon, people, "(cn=*" + ldap.EscapeFilter("Mül") + "*)", []string{muellerDN}},
		{"special characters escaped", anon, people, "(description=" + ldap.EscapeFilter(`a*b(c)\d`) + ")", []string{muellerDN}},
		{"escaped star is no wildcard", anon, people, "(description=" + ldap.EscapeFilter("a*") + ")", []string{}},
		{"escaped prefix with wildcard", anon, people, "(description=" + ldap.EscapeFilter("a*b(") + "*)", []string{muellerDN}},
		{"injection attempt stays a value", anon, people, "(uid=" + ldap.EscapeFilter("x)(uid=*") + ")", []string{}},
		{"DN-valued attribute", anon, suffix, "(member=UID=ALICE,ou=people,dc=example,dc=org)", []string{"cn=staff,ou=groups,dc=example,dc=org"}},
		{"type covers its subtypes", anon, suffix, "(oauthClientName=laden)", []string{clientDN}},
		{"option must match", anon, suffix, "(oauthClientName;lang-de=Shop)", []string{}},
		{"option ignores case", anon, suffix, "(oauthClientName;LANG-DE=Laden)", []string{clientDN}},
		{"URI values are case-exact", anon, suffix, "(oauthRedirectURI=https://app.example/cb)", []string{}},
		{"URI exact value", anon, suffix, "(oauthRedirectURI=https://app.example/CB)", []string{clientDN}},
		{"extensible caseExactMatch", anon, people, "(cn:caseExactMatch:=alice liddell)", []string{}},
		{"extensible caseExactMatch hit", anon, people, "(cn:caseExactMatch:=Alice Liddell)", []string{aliceDN}},
		{"extensible unknown rule is undefined", anon, people, "(!(cn:1.2.3.4:=x))", []string{}},
		{"operational attribute", anon, people, "(&(uid=alice)(entryUUID=*))", []string{aliceDN}},
		{"hidden password: equality", anon, people, "(userPassword=alice-password)", []string{}},
		{"hidden password: presence", anon, people, "(userPassword=*)", []string{}},
		{"hidden password: negation is undefined", anon, people, "(!(userPassword=guess))", []string{}},
		{"admin sees passwords", root, people, "(userPassword=alice-password)", []string{aliceDN}},
		{"hidden client secret", anon, suffix, "(oauthClientSecret=*)", []string{}},
		{"admin sees client secrets", root, suffix, "(oauthClientSecret=*)", []string{clientDN}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := searchDNs(t, tc.conn, tc.base, ldap.ScopeWholeSubtree, tc.filter)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s\ngot  %q\nwant %q", tc.filter, got, tc.want)
			}
		})
	}
}

// attrNames lists an entry's attribute names in the order sent.
func attrNames(e *ldap.Entry) []string {
	out := make([]string, 0, len(e.Attributes))
	for _, a := range e.Attributes {
		out = append(out, a.Name)
	}
	return out
}

func TestSearchAttributeSelection(t *testing.T) {
	srv := startServer(t)
	root := admin(t, srv)
	anon := dial(t, srv)
	alice := bound(t, srv, aliceDN, "alice-password")
	user := []string{"objectClass", "uid", "cn", "sn", "mail", "employeeNumber", "userPassword"}
	operational := []string{"entryUUID", "createTimestamp", "modifyTimestamp"}
	tests := []struct {
		name  string
		conn  *ldap.Conn
		dn    string
		attrs []string
		want  []string
	}{
		{"empty list: user attributes", root, aliceDN, nil, user},
		{"star", root, aliceDN, []string{"*"}, user},
		{"plus", root, aliceDN, []string{"+"}, operational},
		{"star and plus", root, aliceDN, []string{"*", "+"}, append(slices.Clone(user), operational...)},
		{"1.1: none", root, aliceDN, []string{"1.1"}, []string{}},
		{"1.1 with a name", root, aliceDN, []string{"1.1", "cn"}, []string{"cn"}},
		{"names ignore case, spelling kept", root, aliceDN, []string{"MAIL", "cn"}, []string{"cn", "mail"}},
		{"operational by name", root, aliceDN, []string{"entryuuid"}, []string{"entryUUID"}},
		{"unknown name", root, aliceDN, []string{"telephoneNumber"}, []string{}},
		{"type selects its subtypes", root, clientDN, []string{"oauthClientName"}, []string{"oauthClientName", "oauthClientName;lang-de"}},
		{"subtype alone", root, clientDN, []string{"oauthClientName;lang-DE"}, []string{"oauthClientName;lang-de"}},
		{"anonymous never sees userPassword", anon, aliceDN, []string{"*"}, user[:len(user)-1]},
		{"anonymous asking by name", anon, aliceDN, []string{"userPassword", "uid"}, []string{"uid"}},
		{"a user does not see its own password", alice, aliceDN, nil, user[:len(user)-1]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := attrNames(lookup(t, tc.conn, tc.dn, tc.attrs...)); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSearchTypesOnly(t *testing.T) {
	srv := startServer(t)
	conn := dial(t, srv)
	res, err := conn.Search(ldap.NewSearchRequest(aliceDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, true, "(objectClass=*)", []string{"cn", "mail"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Entries[0].Attributes {
		if len(a.Values) != 0 {
			t.Errorf("%s has values %q in a types-only search", a.Name, a.Values)
		}
	}
	if got := attrNames(res.Entries[0]); !slices.Equal(got, []string{"cn", "mail"}) {
		t.Errorf("attributes %q", got)
	}
}

func TestSearchSizeLimit(t *testing.T) {
	srv := startServer(t)
	conn := dial(t, srv)
	tests := []struct {
		name    string
		limit   int
		want    int
		wantErr uint16
	}{
		{"below the result", 2, 2, ldap.LDAPResultSizeLimitExceeded},
		{"equal to the result", 3, 3, ldap.LDAPResultSuccess},
		{"no limit", 0, 3, ldap.LDAPResultSuccess},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := conn.Search(ldap.NewSearchRequest(people, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, tc.limit, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
			checkCode(t, err, tc.wantErr)
			if res == nil || len(res.Entries) != tc.want {
				t.Fatalf("got %v entries, want %d", res, tc.want)
			}
		})
	}
}
