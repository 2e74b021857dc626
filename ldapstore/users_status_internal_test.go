package ldapstore

import (
	"strconv"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Active Directory's and OpenLDAP's account attributes, as
// AccountStatus reads them.
func TestAccountStatusOf(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ft := func(t time.Time) string { return strconv.FormatInt(t.UnixNano()/100+fileTimeEpochOffset, 10) }
	tests := []struct {
		name  string
		attrs map[string][]string
		want  oauth.LoginOutcome
	}{
		{name: "nothing", want: oauth.LoginOK},
		{name: "normal account", attrs: map[string][]string{"userAccountControl": {"512"}, "lockoutTime": {"0"},
			"accountExpires": {"9223372036854775807"}}, want: oauth.LoginOK},
		{name: "disabled", attrs: map[string][]string{"userAccountControl": {"514"}}, want: oauth.LoginDisabled},
		{name: "disabled wins over locked", attrs: map[string][]string{"userAccountControl": {"514"}, "lockoutTime": {"1"}},
			want: oauth.LoginDisabled},
		{name: "locked out", attrs: map[string][]string{"userAccountControl": {"512"}, "lockoutTime": {ft(now.Add(-time.Minute))}},
			want: oauth.LoginLocked},
		{name: "computed says the lockout ended", attrs: map[string][]string{"lockoutTime": {ft(now.Add(-time.Hour))},
			"msDS-User-Account-Control-Computed": {"0"}}, want: oauth.LoginOK},
		{name: "computed lockout", attrs: map[string][]string{"msDS-User-Account-Control-Computed": {"16"}}, want: oauth.LoginLocked},
		{name: "account expired", attrs: map[string][]string{"accountExpires": {ft(now.Add(-time.Hour))}}, want: oauth.LoginAccountExpired},
		{name: "account expires later", attrs: map[string][]string{"accountExpires": {ft(now.Add(time.Hour))}}, want: oauth.LoginOK},
		{name: "account never expires (0)", attrs: map[string][]string{"accountExpires": {"0"}}, want: oauth.LoginOK},
		{name: "garbage is ignored", attrs: map[string][]string{"userAccountControl": {"x"}, "lockoutTime": {"-"}}, want: oauth.LoginOK},
		{name: "ppolicy locked", attrs: map[string][]string{"pwdAccountLockedTime": {"20261207110000Z"}}, want: oauth.LoginLocked},
		{name: "ppolicy locked by an administrator", attrs: map[string][]string{"pwdAccountLockedTime": {"000001010000Z"}},
			want: oauth.LoginLocked},
		{name: "temporary lockout running", attrs: map[string][]string{"pwdAccountTmpLockoutEnd": {"20261207121000Z"}},
			want: oauth.LoginLocked},
		{name: "temporary lockout over", attrs: map[string][]string{"pwdAccountTmpLockoutEnd": {"20261207115000Z"}},
			want: oauth.LoginOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := accountStatusOf(ldap.NewEntry("cn=x", tc.attrs), nil, now); got != tc.want {
				t.Errorf("accountStatusOf = %v, want %v", got, tc.want)
			}
		})
	}
}

// The states that end a person's tokens at their next refresh or UserInfo
// call: what an administrator set, never a lock by failed passwords.
func TestInactiveOf(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ft := func(t time.Time) string { return strconv.FormatInt(t.UnixNano()/100+fileTimeEpochOffset, 10) }
	tests := []struct {
		name  string
		attrs map[string][]string
		want  oauth.LoginOutcome
	}{
		{name: "nothing", want: oauth.LoginOK},
		{name: "normal AD account", attrs: map[string][]string{"userAccountControl": {"512"}, "lockoutTime": {"0"},
			"accountExpires": {"9223372036854775807"}}, want: oauth.LoginOK},
		{name: "AD disabled", attrs: map[string][]string{"userAccountControl": {"514"}}, want: oauth.LoginDisabled},
		{name: "AD disabled and locked out", attrs: map[string][]string{"userAccountControl": {"530"},
			"lockoutTime": {ft(now.Add(-time.Minute))}}, want: oauth.LoginDisabled},
		{name: "AD account expired", attrs: map[string][]string{"userAccountControl": {"512"},
			"accountExpires": {ft(now.Add(-time.Hour))}}, want: oauth.LoginAccountExpired},
		{name: "AD account expires later", attrs: map[string][]string{"accountExpires": {ft(now.Add(time.Hour))}}, want: oauth.LoginOK},
		{name: "AD account never expires (0)", attrs: map[string][]string{"accountExpires": {"0"}}, want: oauth.LoginOK},
		{name: "AD lockout by failures is not refused", attrs: map[string][]string{"userAccountControl": {"512"},
			"lockoutTime": {ft(now.Add(-time.Minute))}, "msDS-User-Account-Control-Computed": {"16"}}, want: oauth.LoginOK},
		{name: "ppolicy administrative lock", attrs: map[string][]string{"pwdAccountLockedTime": {"000001010000Z"}},
			want: oauth.LoginLocked},
		{name: "ppolicy lock by failures is not refused", attrs: map[string][]string{"pwdAccountLockedTime": {"20261207115900Z"}},
			want: oauth.LoginOK},
		{name: "temporary lockout is not refused", attrs: map[string][]string{"pwdAccountTmpLockoutEnd": {"20261207121000Z"}},
			want: oauth.LoginOK},
		{name: "garbage is ignored", attrs: map[string][]string{"userAccountControl": {"x"}, "accountExpires": {"-"}}, want: oauth.LoginOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := inactiveOf(ldap.NewEntry("cn=x", tc.attrs), now); got != tc.want {
				t.Errorf("inactiveOf = %v, want %v", got, tc.want)
			}
		})
	}
}
