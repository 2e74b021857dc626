package ldapstore

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// statusAttrs are what AccountStatus reads, by name: operational
// attributes (pwdAccountLockedTime) are not returned unless asked for.
// Both directories' names are asked for in every profile: a server
// ignores an attribute description it does not know (RFC 4511 §4.5.1.8),
// so one search serves OpenLDAP and Active Directory alike.
var statusAttrs = []string{
	attrPwdAccountLockedTime, attrPwdTmpLockoutEnd, attrPwdPolicySubentry,
	attrUserAccountControl, attrUACComputed, attrLockoutTime, attrAccountExpires,
}

const (
	// OpenLDAP ppolicy (draft-behera-ldap-password-policy-10 §5.3.3;
	// pwdAccountTmpLockoutEnd is OpenLDAP 2.6's temporary lockout).
	attrPwdAccountLockedTime = "pwdAccountLockedTime"
	attrPwdTmpLockoutEnd     = "pwdAccountTmpLockoutEnd"
	// Active Directory ([MS-ADA3], [MS-ADTS] §2.2.16).
	attrUserAccountControl = "userAccountControl"
	attrUACComputed        = "msDS-User-Account-Control-Computed"
	attrLockoutTime        = "lockoutTime"
	attrAccountExpires     = "accountExpires"
)

// userAccountControl flags ([MS-ADTS] §2.2.16).
const (
	uacAccountDisable = 0x2
	uacLockout        = 0x10
)

// AccountStatus tells whether the person with subject may sign in at all,
// whatever the credential: LoginOK, or LoginLocked, LoginDisabled or
// LoginAccountExpired — the outcomes a password bind gives for the same
// states. A sign-in without a bind (a passkey) asks it, since only a bind
// makes the directory apply its policy. Nobody with that subject, or
// someone the login filter does not match, is LoginInvalid; an outage is
// an error.
//
// One search, by subject, reads the state:
//   - OpenLDAP ppolicy: pwdAccountLockedTime is a lock while it runs,
//     as slapd judges it at a bind: the administrator's value always; a
//     lock by failures for the governing policy's pwdLockoutDuration
//     (users_status_ppolicy.go). Only then is the policy read, a second
//     search, cached for a minute; an unknown policy (no
//     pwdPolicySubentry and no ldap.users.ppolicyDefaultDN) keeps every
//     stamp a lock. pwdAccountTmpLockoutEnd in the future is a lock too.
//   - Active Directory: userAccountControl ACCOUNTDISABLE is disabled;
//     accountExpires in the past is expired; the computed lockout flag,
//     where the server returns it, else lockoutTime > 0, is a lock.
func (u *Users) AccountStatus(ctx context.Context, subject string) (oauth.LoginOutcome, error) {
	filter, ok := u.subjectFilter(subject)
	if !ok {
		return oauth.LoginInvalid, nil
	}
	filter = "(&" + filter + u.anyLoginFilter() + ")"
	attrs := append(append([]string(nil), u.attrs...), statusAttrs...)
	entries, err := u.searchAttrs(ctx, filter, attrs)
	if err != nil {
		return oauth.LoginInvalid, fmt.Errorf("account status of %q: %w", subject, err)
	}
	var found []*ldap.Entry
	for _, e := range entries {
		if s, err := u.subjectOf(e); err == nil && s == subject {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		return oauth.LoginInvalid, nil
	}
	var policy *lockPolicy
	if needsLockPolicy(found[0]) {
		if policy, err = u.lockPolicyOf(ctx, found[0]); err != nil {
			return oauth.LoginInvalid, fmt.Errorf("account status of %q: %w", subject, err)
		}
	}
	outcome := accountStatusOf(found[0], policy, u.now())
	if outcome != oauth.LoginOK {
		u.log.Info("account may not sign in", "dn", found[0].DN, "outcome", outcomeName(outcome))
	}
	return outcome, nil
}

// anyLoginFilter is the login filter (ldap.users.filter) for any name:
// {username} as a wildcard. A passkey sign-in binds no name, yet someone
// the filter no longer matches (taken out of the allowed group) must not
// sign in with it either; ANDed with the subject, they are not found.
// "*" is put in as filter syntax, deliberately not escaped; the subject
// is escaped once, in subjectFilter.
func (u *Users) anyLoginFilter() string {
	return strings.ReplaceAll(u.cfg.Filter, usernamePlaceholder, "*")
}

// accountStatusOf reads an entry's account state as of now. policy
// governs a ppolicy lock stamp; nil (not known) lets any stamp lock.
func accountStatusOf(e *ldap.Entry, policy *lockPolicy, now time.Time) oauth.LoginOutcome {
	if o := inactiveOf(e, now); o != oauth.LoginOK {
		return o // closed by an administrator (users_active.go)
	}
	if computed, ok := intAttr(e, attrUACComputed); ok {
		if computed&uacLockout != 0 {
			return oauth.LoginLocked
		}
	} else if lt, ok := intAttr(e, attrLockoutTime); ok && lt > 0 {
		return oauth.LoginLocked
	}
	if stamp := e.GetEqualFoldAttributeValue(attrPwdAccountLockedTime); stamp != "" &&
		(policy == nil || ppolicyLocked(stamp, *policy, now)) {
		return oauth.LoginLocked
	}
	if end, err := parseGeneralizedTime(e.GetEqualFoldAttributeValues(attrPwdTmpLockoutEnd)); err == nil && end.After(now) {
		return oauth.LoginLocked
	}
	return oauth.LoginOK
}

// adExpired reads accountExpires: 100-nanosecond intervals since
// 1601-01-01 UTC; 0 and the largest int64 mean never.
func adExpired(v int64, now time.Time) bool {
	if v <= 0 || v == math.MaxInt64 {
		return false
	}
	return v < now.UnixNano()/100+fileTimeEpochOffset
}

// fileTimeEpochOffset is 1601-01-01 to 1970-01-01 in 100 ns intervals.
const fileTimeEpochOffset = 116444736000000000

// intAttr reads a single integer value; absent or not a number is !ok.
func intAttr(e *ldap.Entry, name string) (int64, bool) {
	s := e.GetEqualFoldAttributeValue(name)
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// outcomeName words an outcome for the log.
func outcomeName(o oauth.LoginOutcome) string {
	switch o {
	case oauth.LoginLocked:
		return "locked"
	case oauth.LoginDisabled:
		return "disabled"
	case oauth.LoginAccountExpired:
		return "account_expired"
	}
	return strconv.Itoa(int(o))
}
