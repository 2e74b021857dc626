package embedded

import "testing"

func mustEntry(t *testing.T, dnText string, groups ...valueGroup) *entry {
	t.Helper()
	e, err := buildEntry(mustDN(t, dnText), groups)
	if err != nil {
		t.Fatalf("buildEntry(%s): %v", dnText, err)
	}
	return e
}

func noneHidden(attrDesc) bool { return false }

func TestFilterEvaluation(t *testing.T) {
	e := mustEntry(t, "cn=Jürgen Müller,ou=people,dc=example,dc=org",
		valueGroup{"objectClass", []string{"person", "inetOrgPerson"}},
		valueGroup{"cn", []string{"Jürgen Müller", "JM"}},
		valueGroup{"sn", []string{"Müller"}},
		valueGroup{"description", []string{`a*b(c)\d`}},
		valueGroup{"employeeNumber", []string{"42"}},
		valueGroup{"oauthClientName;lang-de", []string{"Laden"}},
		valueGroup{"oauthRedirectURI", []string{"https://x/CB"}},
		valueGroup{"userPassword", []string{"secret"}},
	)
	tests := []struct {
		filter string
		want   tri
	}{
		{"(objectClass=*)", isTrue},
		{"(objectclass=INETORGPERSON)", isTrue},
		{"(cn=jm)", isTrue},
		{`(sn=m\c3\bcller)`, isTrue},
		{`(sn=M\c3\9cLLER)`, isTrue},
		{`(description=a\2ab\28c\29\5cd)`, isTrue},
		{`(description=a*\5cd)`, isTrue},
		{"(description=a*)", isTrue},
		{"(description=*z*)", isFalse},
		{"(cn=J*M*r)", isTrue},
		{"(cn=*ller)", isTrue},
		{"(cn=Jü*Mü*gen)", isFalse},
		{"(employeeNumber>=5)", isTrue},
		{"(employeeNumber<=5)", isFalse},
		{"(employeeNumber>=042)", isTrue},
		{"(sn~=MULLER)", isFalse},
		{"(mail=*)", isFalse},
		{"(!(mail=*))", isTrue},
		{"(oauthClientName=laden)", isTrue},
		{"(oauthClientName;lang-fr=laden)", isFalse},
		{"(oauthRedirectURI=https://x/cb)", isFalse},
		{"(oauthRedirectURI=https://x/CB)", isTrue},
		{"(cn:1.2.3:=x)", isUndefined},
		{"(!(cn:1.2.3:=x))", isUndefined},
		{"(&(cn:1.2.3:=x)(sn=nobody))", isFalse},
		{"(&(cn:1.2.3:=x)(sn=müller))", isUndefined},
		{"(|(cn:1.2.3:=x)(sn=müller))", isTrue},
		{"(|(cn:1.2.3:=x)(sn=nobody))", isUndefined},
		{"(cn:caseIgnoreMatch:=jürgen müller)", isTrue},
		{"(cn:caseExactMatch:=jürgen müller)", isFalse},
		{"(cn:2.5.13.5:=Jürgen Müller)", isTrue},
		{"(ou:dn:=people)", isTrue},
		{"(ou:=people)", isFalse},
		{"(&)", isTrue},
		{"(|)", isFalse},
		{"(userPassword=secret)", isTrue},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			f, err := compileFilter(tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.eval(e, noneHidden); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestFilterHiddenAttributes(t *testing.T) {
	e := mustEntry(t, "cn=a,dc=x", valueGroup{"objectClass", []string{"person"}}, valueGroup{"cn", []string{"a"}}, valueGroup{"userPassword", []string{"secret"}})
	hidden := hiddenFrom(identity{})
	for _, filter := range []string{"(userPassword=secret)", "(userPassword=*)", "(!(userPassword=x))", "(userPassword>=a)", "(userPassword=s*)"} {
		f, err := compileFilter(filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.eval(e, hidden); got != isUndefined {
			t.Errorf("%s = %d for an anonymous client, want undefined", filter, got)
		}
	}
}

func TestCompileFilterRejects(t *testing.T) {
	for _, filter := range []string{"", "cn=a", "(cn=a", "(cn=a))", "(&(cn=a)"} {
		if _, err := compileFilter(filter); err == nil {
			t.Errorf("compileFilter(%q) succeeded", filter)
		}
	}
}

func TestMatchingRules(t *testing.T) {
	for _, tc := range []struct {
		attr  string
		exact bool
	}{
		{"userpassword", true}, {"oauthclientsecret", true}, {"oauthredirecturi", true},
		{"oauthclientdata", true}, {"oidcpostlogoutredirecturi", true}, {"authzrefreshtoken", true},
		{"oauthjwkset", true}, {"cn", false}, {"objectclass", false}, {"oauthclientid", true}, {"gatehouseversion", true}, {"oauthclientname", false}, {"mail", false},
	} {
		if got := caseExact(tc.attr); got != tc.exact {
			t.Errorf("caseExact(%s) = %v", tc.attr, got)
		}
	}
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"9", "10", -1}, {"-5", "3", -1}, {"100", "100", 0}, {"b", "a", 1}, {"20240101000000Z", "20231231235959Z", 1},
	} {
		if got := compareOrdered(tc.a, tc.b); got != tc.want {
			t.Errorf("compareOrdered(%q, %q) = %d", tc.a, tc.b, got)
		}
	}
	if fold("ÄÖÜ Straße K") != fold("äöü straße k") {
		t.Error("fold does not ignore case")
	}
}
