package ldaptest

import (
	"regexp"
	"slices"
	"testing"
)

func TestLDIFDNs(t *testing.T) {
	tests := []struct {
		name string
		ldif string
		want []string
	}{
		{
			name: "plain records",
			ldif: "dn: dc=example,dc=org\nobjectClass: top\n\ndn: ou=people,dc=example,dc=org\nou: people\n",
			want: []string{"dc=example,dc=org", "ou=people,dc=example,dc=org"},
		},
		{
			name: "folded dn",
			ldif: "dn: uid=a-very-long-name,ou=pe\n ople,dc=example,dc=org\nuid: x\n",
			want: []string{"uid=a-very-long-name,ou=people,dc=example,dc=org"},
		},
		{
			name: "base64 dn",
			ldif: "dn:: dWlkPW3DvGxsZXIsZGM9ZXhhbXBsZSxkYz1vcmc=\nuid: m\n",
			want: []string{"uid=müller,dc=example,dc=org"},
		},
		{
			name: "comments, folded comments, CRLF and version",
			ldif: "version: 1\r\n# dn: cn=not,dc=this\r\n# and\r\n dn: cn=nor,dc=this\r\ndn: cn=x,dc=org\r\n",
			want: []string{"cn=x,dc=org"},
		},
		{
			name: "attribute names that start with dn",
			ldif: "dn: cn=x,dc=org\ndnQualifier: dn: no\n",
			want: []string{"cn=x,dc=org"},
		},
		{
			name: "upper case attribute name",
			ldif: "DN: cn=x,dc=org\n",
			want: []string{"cn=x,dc=org"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ldifDNs([]byte(tc.ldif))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLDIFDNsBadBase64(t *testing.T) {
	if _, err := ldifDNs([]byte("dn:: !!!\n")); err == nil {
		t.Error("no error for an undecodable dn")
	}
}

func TestWithoutVersionLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "first line", in: "version: 1\ndn: x\n", want: "# version: 1\ndn: x\n"},
		{name: "after comments", in: "# c\n\nversion: 1\n\ndn: x\n", want: "# c\n\n# version: 1\n\ndn: x\n"},
		{name: "absent", in: "dn: x\nversion: 1\n", want: "dn: x\nversion: 1\n"},
		{name: "empty", in: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(withoutVersionLine([]byte(tc.in))); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDNSetHas(t *testing.T) {
	var set dnSet
	if err := set.add("DC=Example, dc=ORG", "ou=people,dc=example,dc=org"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dn   string
		want bool
	}{
		{dn: "dc=example,dc=org", want: true},
		{dn: "ou=People,dc=example,dc=org", want: true},
		{dn: "ou=groups,dc=example,dc=org", want: false},
	}
	for _, tc := range tests {
		if got := set.has(tc.dn); got != tc.want {
			t.Errorf("has(%q) = %v, want %v", tc.dn, got, tc.want)
		}
	}
}

func TestSubtreeName(t *testing.T) {
	valid := regexp.MustCompile(`^[A-Za-z0-9-]+-[a-z0-9]{10}$`)
	for _, name := range []string{"TestX", "TestX/sub_case,with=odd+chars#", "TestMüller", string(make([]byte, 300))} {
		got := subtreeName(name)
		if !valid.MatchString(got) || len(got) > maxSubtreeLabel+11 {
			t.Errorf("subtreeName(%q) = %q", name, got)
		}
	}
	if first, second := subtreeName("TestX"), subtreeName("TestX"); first == second {
		t.Error("two subtree names for one test are equal")
	}
}

func TestLDAPIURL(t *testing.T) {
	if got, want := ldapiURL("/tmp/ldaptest-1/ldapi"), "ldapi://%2Ftmp%2Fldaptest-1%2Fldapi"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
