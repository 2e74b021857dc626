package embedded

import (
	"errors"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func mustDN(t *testing.T, s string) dn {
	t.Helper()
	d, err := parseDN(s)
	if err != nil {
		t.Fatalf("parseDN(%q): %v", s, err)
	}
	return d
}

func TestDNKeys(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"case of types and values", "cn=Alice,dc=Example,dc=org", "CN=alice,DC=EXAMPLE,DC=ORG", true},
		{"escaped and hex-escaped comma", `cn=a\2Cb,dc=x`, `cn=A\,B,dc=x`, true},
		{"escaped and hex-escaped plus", `cn=a\2bb,dc=x`, `cn=a\+b,dc=x`, true},
		{"multi-valued RDN in any order", "authzSubject=x+authzClientID=y,ou=a", "AUTHZCLIENTID=Y+authzSubject=X,ou=a", true},
		{"non-ASCII case", "cn=Müller,dc=x", "cn=MÜLLER,dc=x", true},
		{"spaces after separators", "cn=a, dc=x", "cn=a,dc=x", true},
		{"spaces around the equals sign", "cn = a,dc=x", "cn=a,dc=x", true},
		{"different values", "cn=a,dc=x", "cn=a,dc=y", false},
		{"escaped plus is no second AVA", `cn=a\+b=c,dc=x`, "cn=a+b=c,dc=x", false},
		{"escaped comma is no second RDN", `cn=a\,dc=x`, "cn=a,dc=x", false},
		{"different depth", "cn=a,dc=x", "cn=a,dc=x,dc=y", false},
		{"subset of AVAs", "cn=a+sn=b,dc=x", "cn=a,dc=x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := mustDN(t, tc.a), mustDN(t, tc.b)
			if (a.key == b.key) != tc.same {
				t.Errorf("keys %q and %q: same = %v, want %v", a.key, b.key, a.key == b.key, tc.same)
			}
		})
	}
}

func TestDNHierarchy(t *testing.T) {
	leaf := mustDN(t, "uid=alice,ou=People,dc=example,dc=org")
	parent := mustDN(t, "ou=people,dc=example,dc=org")
	top := mustDN(t, "dc=example,dc=org")
	if leaf.parentKey() != parent.key || parentOf(leaf.key) != parent.key {
		t.Errorf("parent of %q is %q, want %q", leaf.key, leaf.parentKey(), parent.key)
	}
	if got := leaf.ancestorKeys(); len(got) != 3 || got[0] != parent.key || got[1] != top.key {
		t.Errorf("ancestors %q", got)
	}
	for _, tc := range []struct {
		key, base string
		want      bool
	}{
		{leaf.key, top.key, true},
		{leaf.key, leaf.key, true},
		{top.key, leaf.key, false},
		{mustDN(t, "dc=example2,dc=org").key, top.key, false},
		{leaf.key, "", true},
	} {
		if got := inSubtree(tc.key, tc.base); got != tc.want {
			t.Errorf("inSubtree(%q, %q) = %v", tc.key, tc.base, got)
		}
	}
	if !mustDN(t, "").isRoot() {
		t.Error("empty DN is not the root")
	}
}

func TestParseDNRejects(t *testing.T) {
	for _, s := range []string{"cn", "=x", "cn=a,,dc=x", "not a dn", "c n=x"} {
		_, err := parseDN(s)
		var re *resultError
		if !errors.As(err, &re) || re.code != ldap.LDAPResultInvalidDNSyntax {
			t.Errorf("parseDN(%q) = %v, want invalidDNSyntax", s, err)
		}
	}
}
