package ldapstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// adRefusal is a refused bind as Active Directory words it.
func adRefusal(data string) error {
	return ldap.NewError(ldap.LDAPResultInvalidCredentials,
		errors.New("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data "+data+", v4563\x00"))
}

// Each sub-code of a refused AD bind, and refusals without one.
func TestADRefusedOutcome(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		want   oauth.LoginOutcome
		wantAD bool // the error was recognised as AD's
	}{
		{"no such user", adRefusal("525"), oauth.LoginInvalid, true},
		{"wrong password", adRefusal("52e"), oauth.LoginInvalid, true},
		{"wrong password, upper case", adRefusal("52E"), oauth.LoginInvalid, true},
		{"not at this time", adRefusal("530"), oauth.LoginNotPermitted, true},
		{"not from here", adRefusal("531"), oauth.LoginNotPermitted, true},
		{"password expired", adRefusal("532"), oauth.LoginExpired, true},
		{"disabled", adRefusal("533"), oauth.LoginDisabled, true},
		{"account expired", adRefusal("701"), oauth.LoginAccountExpired, true},
		{"must change", adRefusal("773"), oauth.LoginMustChange, true},
		{"locked", adRefusal("775"), oauth.LoginLocked, true},
		{"unknown code", adRefusal("52f"), oauth.LoginInvalid, true},
		{"wrapped", fmt.Errorf("bind: %w: %w", errCredentials, adRefusal("775")), oauth.LoginLocked, true},
		{"OpenLDAP", ldap.NewError(ldap.LDAPResultInvalidCredentials, errors.New("")), oauth.LoginInvalid, false},
		{"no diagnostic", ldap.NewError(ldap.LDAPResultInvalidCredentials, nil), oauth.LoginInvalid, false},
		{"another result code", ldap.NewError(ldap.LDAPResultUnwillingToPerform,
			errors.New("AcceptSecurityContext error, data 775, v4563")), oauth.LoginInvalid, false},
		{"not an LDAP error", errors.New("AcceptSecurityContext error, data 775, v4563"), oauth.LoginInvalid, false},
	}
	u := testUsers(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := u.adRefusedOutcome("cn=a", tc.err)
			if got != tc.want || ok != tc.wantAD {
				t.Errorf("adRefusedOutcome = %v, %v; want %v, %v", got, ok, tc.want, tc.wantAD)
			}
		})
	}
}
