package ldapstore_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// A person's own password change on Active Directory (Samba): unicodePwd
// deleted and added on the service account's connection over ldaps, for
// the accounts whose bind AD refuses until the password is changed. The
// DC is private (adtest.New): the test changes seeded accounts.
func TestUsersPasswordUnicodePwd(t *testing.T) {
	t.Parallel()
	dc := adtest.New(t)
	u := adPasswordUsers(t, dc, dc.LDAPSURL)

	for _, name := range []string{adtest.MustChange, adtest.Expired} {
		t.Run(name, func(t *testing.T) {
			old := adtest.Password(name)
			if _, outcome, _ := u.Login(context.Background(), name, old); outcome == oauth.LoginOK {
				t.Fatalf("%s signs in before the change", name)
			}
			next := "New-" + old
			wantChange(t, u, name, "wrong-"+old, next, oauth.PasswordWrongCurrent, "")
			wantChange(t, u, name, old, next, oauth.PasswordChanged, "")
			wantOutcome(t, u, name, next, oauth.LoginOK)
			if _, outcome, _ := u.Login(context.Background(), name, old); outcome == oauth.LoginOK {
				t.Errorf("%s still signs in with the old password", name)
			}
		})
	}

	t.Run("policy refusals", func(t *testing.T) {
		addStrictPSO(t, dc, adtest.Alice)
		old := adtest.Password(adtest.Alice)
		wantChange(t, u, adtest.Alice, old, "Sh0rt!", oauth.PasswordRefused, "too_short")
		wantChange(t, u, adtest.Alice, old, "only-lower-case-letters", oauth.PasswordRefused, "too_simple")
		wantOutcome(t, u, adtest.Alice, old, oauth.LoginOK)
	})

	t.Run("never over a connection in clear", func(t *testing.T) {
		plain := adPasswordUsers(t, dc, dc.URL)
		old := adtest.Password(adtest.Bob)
		change, _, err := plain.ChangePassword(context.Background(), adtest.Bob, old, "New-"+old)
		if err == nil || change == oauth.PasswordChanged {
			t.Fatalf("ChangePassword over ldap:// = %v, %v; want an error", change, err)
		}
		wantOutcome(t, plain, adtest.Bob, old, oauth.LoginOK)
	})
}

// adPasswordUsers is the users store on the DC's people, reached at url as the
// administrator, changing passwords by unicodePwd.
func adPasswordUsers(t *testing.T, dc *adtest.DC, url string) *ldapstore.Users {
	t.Helper()
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{url}, BindDN: dc.AdminDN,
		BindPassword: dc.AdminPassword, CAFile: dc.CAFile, Timeout: 10 * time.Second, Size: 2},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	u, err := ldapstore.NewUsers(pool, ldapstore.UsersConfig{
		BaseDN:           adtest.PeopleDN,
		Filter:           "(&(objectClass=user)(sAMAccountName={username}))",
		SubjectAttribute: "sAMAccountName",
		Claims:           map[string]string{"preferred_username": "sAMAccountName"},
		PasswordChange:   "unicodePwd",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u
}

// addStrictPSO gives one user a password policy with a minimum length of
// 12 and the complexity rule, which the domain's own policy lacks.
func addStrictPSO(t *testing.T, dc *adtest.DC, name string) {
	t.Helper()
	const day = -24 * 60 * 60 * 10_000_000 // AD's intervals: 100 ns, negative
	req := ldap.NewAddRequest("CN=strict-"+name+",CN=Password Settings Container,CN=System,"+adtest.BaseDN, nil)
	for _, a := range [][2]string{
		{"objectClass", "msDS-PasswordSettings"},
		{"msDS-PasswordSettingsPrecedence", "1"},
		{"msDS-PasswordReversibleEncryptionEnabled", "FALSE"},
		{"msDS-PasswordHistoryLength", "0"},
		{"msDS-PasswordComplexityEnabled", "TRUE"},
		{"msDS-MinimumPasswordLength", "12"},
		{"msDS-MinimumPasswordAge", "0"},
		{"msDS-MaximumPasswordAge", strconv.Itoa(30 * day)},
		{"msDS-LockoutThreshold", "0"},
		{"msDS-LockoutObservationWindow", strconv.Itoa(day / 48)},
		{"msDS-LockoutDuration", strconv.Itoa(day / 48)},
		{"msDS-PSOAppliesTo", dc.UserDN(name)},
	} {
		req.Attribute(a[0], []string{a[1]})
	}
	if err := dc.Conn(t).Add(req); err != nil {
		t.Fatalf("add password settings for %s: %v", name, err)
	}
}
