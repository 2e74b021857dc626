package ldapstore

import (
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func testUsers(t testing.TB) *Users {
	t.Helper()
	pool, err := NewPool(PoolConfig{URLs: []string{"ldap://127.0.0.1:1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := NewUsers(pool, UsersConfig{
		BaseDN:           "ou=people,dc=example,dc=org",
		Filter:           "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))",
		SubjectAttribute: "entryUUID",
		Claims:           map[string]string{"email": "mail", "nickname": "displayName", "aliases": "cn", "photo": "jpegPhoto"},
		Groups: GroupsConfig{BaseDN: "ou=groups,dc=example,dc=org", Filter: "(|(member={dn})(uniqueMember={dn}))",
			NameAttribute: "cn", Claim: "groups"},
	})
	if err != nil {
		t.Fatal(err)
	}
	u.log = slog.New(slog.DiscardHandler)
	return u
}

// assertions walks a compiled filter and lists its equality assertions as
// attribute=value with the value unescaped, and every other kind of item
// by its kind.
func assertions(p *ber.Packet) []string {
	switch p.Tag {
	case ldap.FilterAnd, ldap.FilterOr, ldap.FilterNot:
		var out []string
		for _, c := range p.Children {
			out = append(out, assertions(c)...)
		}
		return out
	case ldap.FilterEqualityMatch:
		return []string{p.Children[0].Data.String() + "=" + p.Children[1].Data.String()}
	default:
		return []string{fmt.Sprintf("<%s>", ldap.FilterMap[uint64(p.Tag)])}
	}
}

// Whatever the login name, the filter keeps its shape and compares uid and
// mail with exactly the name: escaped once, never a pattern, never more
// filter.
func FuzzLoginFilter(f *testing.F) {
	for _, seed := range []string{"alice", "müller", "a*b", "x)(uid=*", `\`, `\2a`, "*", "(", "\x00", "{username}", "\xff"} {
		f.Add(seed)
	}
	u := testUsers(f)
	f.Fuzz(func(t *testing.T, username string) {
		filter := u.loginFilter(username)
		compiled, err := ldap.CompileFilter(filter)
		if err != nil {
			t.Fatalf("filter %q for %q does not compile: %v", filter, username, err)
		}
		want := []string{"objectClass=inetOrgPerson", "uid=" + username, "mail=" + username}
		if got := assertions(compiled); !reflect.DeepEqual(got, want) {
			t.Fatalf("filter for %q asserts %q, want %q", username, got, want)
		}
	})
}

// The group filter takes a DN, which holds the backslashes of its own
// escaping: they are escaped once more for the filter, and arrive intact.
func FuzzGroupFilter(f *testing.F) {
	for _, seed := range []string{`uid=alice,ou=people,dc=example,dc=org`, `uid=x)(uid=*,ou=p`, `cn=a\,b\+c,ou=p`, `uid=\5c,ou=p`} {
		f.Add(seed)
	}
	u := testUsers(f)
	f.Fuzz(func(t *testing.T, dn string) {
		filter := strings.ReplaceAll(u.cfg.Groups.Filter, dnPlaceholder, ldap.EscapeFilter(dn))
		compiled, err := ldap.CompileFilter(filter)
		if err != nil {
			t.Fatalf("filter %q for %q does not compile: %v", filter, dn, err)
		}
		want := []string{"member=" + dn, "uniqueMember=" + dn}
		if got := assertions(compiled); !reflect.DeepEqual(got, want) {
			t.Fatalf("filter for %q asserts %q, want %q", dn, got, want)
		}
	})
}

func TestClaimShapes(t *testing.T) {
	u := testUsers(t)
	e := ldap.NewEntry("uid=a,ou=people,dc=example,dc=org", map[string][]string{
		"MAIL":        {"first@example.org", "second@example.org"}, // attribute names in any case
		"displayName": {"Al"},
		"cn":          {"Al", "Alfred"},
		"jpegPhoto":   {"\xff\xd8\xff\xe0"},
	})
	want := map[string]any{
		"email":    "first@example.org",      // a standard string claim: one value
		"nickname": "Al",                     // one value: a string
		"aliases":  []string{"Al", "Alfred"}, // several: a list
		// photo: binary, not a JSON string: left out
	}
	if got := u.claims(e); !reflect.DeepEqual(got, want) {
		t.Errorf("claims = %#v, want %#v", got, want)
	}
}

// How the password policy control turns into an outcome, for binds that
// succeeded and binds refused for their credentials.
func TestPolicyOutcomes(t *testing.T) {
	u := testUsers(t)
	policy := func(errCode int8, grace int64) *ldap.ControlBeheraPasswordPolicy {
		c := ldap.NewControlBeheraPasswordPolicy()
		c.Error, c.Grace = errCode, grace
		return c
	}
	tests := []struct {
		name           string
		control        *ldap.ControlBeheraPasswordPolicy
		bound, refused oauth.LoginOutcome
	}{
		{name: "no control", control: nil, bound: oauth.LoginOK, refused: oauth.LoginInvalid},
		{name: "control without error", control: policy(-1, -1), bound: oauth.LoginOK, refused: oauth.LoginInvalid},
		{name: "grace login", control: policy(-1, 1), bound: oauth.LoginOK, refused: oauth.LoginInvalid},
		{name: "account locked", control: policy(ldap.BeheraAccountLocked, -1), bound: oauth.LoginOK, refused: oauth.LoginLocked},
		{name: "password expired", control: policy(ldap.BeheraPasswordExpired, -1), bound: oauth.LoginOK, refused: oauth.LoginExpired},
		{name: "change after reset", control: policy(ldap.BeheraChangeAfterReset, -1), bound: oauth.LoginMustChange, refused: oauth.LoginMustChange},
		{name: "other policy error", control: policy(ldap.BeheraPasswordTooShort, -1), bound: oauth.LoginOK, refused: oauth.LoginInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := u.boundOutcome("uid=a", tc.control); got != tc.bound {
				t.Errorf("after a successful bind: %v, want %v", got, tc.bound)
			}
			if got := u.refusedOutcome("uid=a", tc.control); got != tc.refused {
				t.Errorf("after a refused bind: %v, want %v", got, tc.refused)
			}
		})
	}
}
