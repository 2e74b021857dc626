package ldapstore_test

import (
	"errors"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// TestUsersLookupByUsername finds people by login name as a sign-in
// would, special characters escaped once, and finds nobody for probes
// that would match others if the name were not escaped, for an ambiguous
// name, nor for an empty one.
func TestUsersLookupByUsername(t *testing.T) {
	t.Parallel()
	d := openLDAPWithPeople(t, ldaptest.Options{})
	p := populate(t, d)
	u := p.users(t, p.config())
	for _, name := range []string{"carol", "müller", "a*b", "x)(uid=*", `\`, "mueller@example.org"} {
		t.Run("found "+name, func(t *testing.T) {
			password := passwords[name]
			if name == "mueller@example.org" {
				password = passwords["müller"]
			}
			want := wantOutcome(t, u, name, password, oauth.LoginOK)
			got, err := u.LookupByUsername(t.Context(), name)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != want.Subject || got.DN != want.DN {
				t.Errorf("LookupByUsername(%q) = %s %s, want %s %s", name, got.Subject, got.DN, want.Subject, want.DN)
			}
		})
	}
	for _, probe := range []string{"", "*", "a*", "*)(uid=*", "carol)(|(uid=*", `\2a`, "shared@example.org", "nobody", "carol\x00", "\xff"} {
		t.Run("not found "+probe, func(t *testing.T) {
			got, err := u.LookupByUsername(t.Context(), probe)
			if !errors.Is(err, ldapstore.ErrNotFound) {
				t.Errorf("LookupByUsername(%q) = %+v, %v; want ErrNotFound", probe, got, err)
			}
		})
	}
}
