package ldapstore_test

import (
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// logonHoursNever is a logonHours value that allows no hour of the week:
// 21 bytes, one bit per hour.
var logonHoursNever = string(make([]byte, 21))

// Each refusal reason of AD, from the data sub-code of its bind result,
// becomes the outcome OpenLDAP's ppolicy gives for the same state. The
// reasons show only with the right password; a wrong one is 52e whatever
// the state, so the state is never told to someone who guesses.
func TestADBindOutcomes(t *testing.T) {
	t.Parallel()
	d := adtest.Shared(t)
	addADUser(t, d, "no-hours", "no-hours@mail.example", "Pw-no-hours-1", [2]string{"logonHours", logonHoursNever})
	addADUser(t, d, "elsewhere", "elsewhere@mail.example", "Pw-elsewhere-1", [2]string{"userWorkstations", "NOWHERE"})
	addADUser(t, d, "wrong-pw", "wrong-pw@mail.example", "Pw-wrong-pw-1")

	// The profile's filter leaves disabled accounts out; without that
	// clause the bind reports them.
	cfg := adConfig(t, d)
	cfg.Filter = "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName={username})(userPrincipalName={username})))"
	logs := &logBuffer{}
	u := adUsers(t, d, ldapstore.PoolConfig{}, cfg, logs)
	profile := adUsers(t, d, ldapstore.PoolConfig{}, adConfig(t, d), nil)

	tests := []struct {
		name, username, password string
		users                    *ldapstore.Users
		want                     oauth.LoginOutcome
	}{
		{"right password", adtest.Bob, adtest.Password(adtest.Bob), u, oauth.LoginOK},
		{"wrong password (52e)", "wrong-pw", "Pw-wrong", u, oauth.LoginInvalid},
		{"locked (775)", adtest.Locked, adtest.Password(adtest.Locked), u, oauth.LoginLocked},
		{"locked, wrong password (775)", adtest.Locked, "Pw-wrong", u, oauth.LoginLocked},
		{"disabled (533)", adtest.Disabled, adtest.Password(adtest.Disabled), u, oauth.LoginDisabled},
		{"disabled, wrong password (52e)", adtest.Disabled, "Pw-wrong", u, oauth.LoginInvalid},
		{"disabled, left out by the profile's filter", adtest.Disabled, adtest.Password(adtest.Disabled), profile, oauth.LoginInvalid},
		{"must change (773)", adtest.MustChange, adtest.Password(adtest.MustChange), u, oauth.LoginMustChange},
		{"password expired (532)", adtest.Expired, adtest.Password(adtest.Expired), u, oauth.LoginExpired},
		{"password expired, wrong password (52e)", adtest.Expired, "Pw-wrong", u, oauth.LoginInvalid},
		{"account expired (701)", adtest.AccountExpired, adtest.Password(adtest.AccountExpired), u, oauth.LoginAccountExpired},
		{"account expired, through the profile", adtest.AccountExpired, adtest.Password(adtest.AccountExpired), profile, oauth.LoginAccountExpired},
		{"outside logon hours (530)", "no-hours", "Pw-no-hours-1", u, oauth.LoginNotPermitted},
		{"not from this workstation (531)", "elsewhere", "Pw-elsewhere-1", u, oauth.LoginNotPermitted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantOutcome(t, tc.users, tc.username, tc.password, tc.want)
		})
	}
	if !strings.Contains(logs.String(), "data=775") {
		t.Errorf("the log does not name AD's reason:\n%s", logs)
	}
}
