package ldapstore

import (
	"errors"
	"testing"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The directories' own words for a refused password, as OpenLDAP's
// ppolicy (without the policy control) and Samba answer them.
func TestPasswordReasonFromText(t *testing.T) {
	tests := []struct {
		name, msg, want string
	}{
		{name: "OpenLDAP quality", msg: "Password fails quality checking policy", want: reasonTooSimple},
		{name: "OpenLDAP history", msg: "Password is in history of old passwords", want: reasonInHistory},
		{name: "OpenLDAP age", msg: "Password is too young to change", want: reasonTooYoung},
		{name: "Samba length", msg: "0000052D: Constraint violation - check_password_restrictions: the password is too short. It should be equal or longer than 12 characters!", want: reasonTooShort},
		{name: "Samba complexity", msg: "0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity criteria!", want: reasonTooSimple},
		{name: "Samba history", msg: "0000052D: Constraint violation - check_password_restrictions: the password was already used (in history)!", want: reasonInHistory},
		{name: "Samba age", msg: "0000052D: Constraint violation - check_password_restrictions: password is too young to change!", want: reasonTooYoung},
		{name: "unknown", msg: "User alteration of password is not allowed", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := reasonFromText(tc.msg); got != tc.want {
				t.Errorf("reasonFromText(%q) = %q, want %q", tc.msg, got, tc.want)
			}
		})
	}
}

func TestPasswordADChangeRefused(t *testing.T) {
	constraint := func(msg string) error { return ldap.NewError(ldap.LDAPResultConstraintViolation, errors.New(msg)) }
	tests := []struct {
		name       string
		err        error
		want       oauth.PasswordChange
		wantReason string
		wantErr    bool
	}{
		{name: "wrong old password", want: oauth.PasswordWrongCurrent,
			err: constraint("00000056: Constraint violation - check_password_restrictions: The old password specified doesn't match!")},
		{name: "too short", want: oauth.PasswordRefused, wantReason: reasonTooShort,
			err: constraint("0000052D: Constraint violation - check_password_restrictions: the password is too short. It should be equal or longer than 12 characters!")},
		{name: "locked", want: oauth.PasswordLocked,
			err: constraint("00000775: Password change not permitted, account locked out! at password_hash.c:3929:setup_io")},
		{name: "bind-style refusal", want: oauth.PasswordWrongCurrent,
			err: ldap.NewError(ldap.LDAPResultInvalidCredentials, errors.New("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563"))},
		{name: "unwilling (no TLS on the server's side)", want: oauth.PasswordRefused, wantErr: true,
			err: ldap.NewError(ldap.LDAPResultUnwillingToPerform, errors.New("0000001F: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM)"))},
		{name: "not TLS", want: oauth.PasswordRefused, wantErr: true, err: errNoTLS},
		{name: "outage", want: oauth.PasswordRefused, wantErr: true, err: unavailable(errors.New("down"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, reason, err := adChangeRefused(tc.err)
			if got != tc.want || reason != tc.wantReason || (err != nil) != tc.wantErr {
				t.Errorf("adChangeRefused = %v, %q, %v; want %v, %q, error %v", got, reason, err, tc.want, tc.wantReason, tc.wantErr)
			}
		})
	}
}

func TestPasswordUnicodePwdEncoding(t *testing.T) {
	got := unicodePwd("pä€")
	units := utf16.Encode([]rune(`"pä€"`))
	if len(got) != 2*len(units) {
		t.Fatalf("len = %d, want %d", len(got), 2*len(units))
	}
	for i, u := range units {
		if got[2*i] != byte(u) || got[2*i+1] != byte(u>>8) {
			t.Fatalf("unit %d = %x %x, want little-endian %04x", i, got[2*i], got[2*i+1], u)
		}
	}
}
