package ldapstore_test

import (
	"errors"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// On a domain controller, disabling an account or letting it expire makes
// Lookup refuse the person (ErrInactive) — with the profile's filter,
// which leaves disabled accounts out, and with a filter that does not —
// and enabling it again finds them.
func TestADLookupRefusesClosedAccount(t *testing.T) {
	t.Parallel()
	d := adtest.Shared(t)
	dn := addADUser(t, d, "closing", "closing@mail.example", "Pw-closing-1")
	profile := adUsers(t, d, ldapstore.PoolConfig{}, adConfig(t, d), nil)
	cfg := adConfig(t, d)
	cfg.Filter = "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName={username})(userPrincipalName={username})))"
	loose := adUsers(t, d, ldapstore.PoolConfig{}, cfg, nil)
	sub := wantOutcome(t, profile, "closing", "Pw-closing-1", oauth.LoginOK).Subject

	set := func(attr, value string) {
		t.Helper()
		req := ldap.NewModifyRequest(dn, nil)
		req.Replace(attr, []string{value})
		if err := d.Conn(t).Modify(req); err != nil {
			t.Fatal(err)
		}
	}
	want := func(state string, active bool) {
		t.Helper()
		for name, u := range map[string]*ldapstore.Users{"profile": profile, "loose filter": loose} {
			got, err := u.Lookup(t.Context(), sub)
			switch {
			case active && (err != nil || got.Subject != sub):
				t.Errorf("%s, %s: Lookup = %+v, %v; want the person", state, name, got, err)
			case !active && !errors.Is(err, ldapstore.ErrInactive):
				t.Errorf("%s, %s: Lookup = %+v, %v; want ErrInactive", state, name, got, err)
			}
		}
	}
	want("enabled", true)
	set("userAccountControl", "514") // NORMAL_ACCOUNT | ACCOUNTDISABLE
	want("disabled", false)
	set("userAccountControl", "512")
	want("enabled again", true)
	set("accountExpires", "1") // 1601, long past
	want("expired", false)
	set("accountExpires", "0")
	want("never expires", true)
}
