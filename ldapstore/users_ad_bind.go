package ldapstore

import (
	"errors"
	"regexp"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// adDataCode finds the reason Active Directory gives for a refused bind.
// Every refusal is result 49, invalidCredentials; the reason is the "data"
// sub-code of the diagnostic message, a Win32 error number in hex:
//
//	80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563
//
// Samba words it the same way. Nothing but AD writes this message, so it
// is read whatever the directory profile.
var adDataCode = regexp.MustCompile(`AcceptSecurityContext error, data ([0-9a-fA-F]{1,8})\b`)

// adOutcomes maps AD's data sub-codes to the outcomes OpenLDAP's ppolicy
// gives for the same states, so that both show the same pages. Codes not
// listed are LoginInvalid.
var adOutcomes = map[string]oauth.LoginOutcome{
	// 525 (no such user) and 52e (wrong password) are one outcome, so
	// that nobody learns which names exist. AD answers 52e for a disabled,
	// expired or locked-by-time account too unless the password is right:
	// only the owner of the password learns the account's state.
	"525": oauth.LoginInvalid,
	"52e": oauth.LoginInvalid,
	"530": oauth.LoginNotPermitted,   // not permitted to log on at this time
	"531": oauth.LoginNotPermitted,   // not permitted to log on at this workstation
	"532": oauth.LoginExpired,        // password expired
	"533": oauth.LoginDisabled,       // account disabled
	"701": oauth.LoginAccountExpired, // account expired
	"773": oauth.LoginMustChange,     // password must be reset (pwdLastSet 0)
	"775": oauth.LoginLocked,         // account locked out
}

// adBindCode returns the lower-case data sub-code of a refused AD bind,
// or "" when err is not one.
func adBindCode(err error) string {
	var lerr *ldap.Error
	if !errors.As(err, &lerr) || lerr.ResultCode != ldap.LDAPResultInvalidCredentials || lerr.Err == nil {
		return ""
	}
	m := adDataCode.FindStringSubmatch(lerr.Err.Error())
	if m == nil {
		return ""
	}
	return strings.ToLower(m[1])
}

// adRefusedOutcome judges a bind that AD refused, by its sub-code; ok is
// false when err carries none (not AD).
func (u *Users) adRefusedOutcome(dn string, err error) (outcome oauth.LoginOutcome, ok bool) {
	code := adBindCode(err)
	if code == "" {
		return oauth.LoginInvalid, false
	}
	outcome, known := adOutcomes[code]
	switch {
	case !known:
		u.log.Info("login refused by Active Directory for a reason Gatehouse does not tell apart",
			"dn", dn, "data", code)
		return oauth.LoginInvalid, true
	case outcome != oauth.LoginInvalid:
		u.log.Info("login refused by Active Directory", "dn", dn, "data", code)
	}
	return outcome, true
}
