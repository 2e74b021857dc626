package ldapstore

import (
	"context"
	"fmt"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// ErrInactive: the person exists but may no longer sign in (see
// inactiveOf and lookupFilter). It is also ErrNotFound.
var ErrInactive = storage.ErrInactive

// Why Lookup and LookupWithoutGroups refuse a person. They serve every
// read without a bind — a refresh, a code redeemed, UserInfo, token
// exchange, the device grant — so that disabling an account ends its
// tokens at their next use, not when the refresh token expires.
//
// The check rides on the lookup's own search, so it costs no round trip:
// the filter is the subject ANDed with the login filter (someone taken out
// of the allowed population is not found), and the status attributes are
// asked for with the claims.
//
// Refused: Active Directory's ACCOUNTDISABLE and accountExpires in the
// past; OpenLDAP ppolicy's administrative lock (pwdAccountLockedTime
// 000001010000Z). Deliberately NOT refused: a temporary lock from failed
// password attempts (AD lockoutTime, a ppolicy stamp set by failures,
// pwdAccountTmpLockoutEnd). That lock is about password guessing; if it
// ended sessions, anyone could log a person out everywhere by typing
// wrong passwords under their name. A password sign-in is still refused
// by the directory while the lock runs. So no password policy is ever
// read here.

// inactiveOf tells whether an entry's account is closed by an
// administrator as of now: LoginDisabled, LoginAccountExpired, LoginLocked
// (the administrative ppolicy lock only), else LoginOK. Disabled comes
// first, so a disabled account that is also locked reads as disabled.
func inactiveOf(e *ldap.Entry, now time.Time) oauth.LoginOutcome {
	if uac, ok := intAttr(e, attrUserAccountControl); ok && uac&uacAccountDisable != 0 {
		return oauth.LoginDisabled
	}
	if exp, ok := intAttr(e, attrAccountExpires); ok && adExpired(exp, now) {
		return oauth.LoginAccountExpired
	}
	if e.GetEqualFoldAttributeValue(attrPwdAccountLockedTime) == adminLockTime {
		return oauth.LoginLocked
	}
	return oauth.LoginOK
}

// lookupFilter finds the entry of subject among the people the login
// filter admits; !ok when no entry can have that subject.
func (u *Users) lookupFilter(subject string) (string, bool) {
	filter, ok := u.subjectFilter(subject)
	if !ok {
		return "", false
	}
	return "(&" + filter + u.anyLoginFilter() + ")", true
}

// refuseInactive is nil for an account that may sign in, else an
// ErrInactive error, logged at info with the subject and DN (no claims).
func (u *Users) refuseInactive(e *ldap.Entry) error {
	outcome := inactiveOf(e, u.now())
	if outcome == oauth.LoginOK {
		return nil
	}
	subject, _ := u.subjectOf(e)
	u.log.Info("person may no longer sign in: refused without a bind", "sub", subject, "dn", e.DN,
		"state", outcomeName(outcome))
	return fmt.Errorf("user %q: account %s: %w", subject, outcomeName(outcome), ErrInactive)
}

// notFound answers a lookup that found nobody among the admitted people.
// Only on this rare path is the subject searched for again without the
// login filter, to tell a person the filter no longer admits (inactive,
// logged) from one who is gone: the common path stays one search.
func (u *Users) notFound(ctx context.Context, subject, bySubject string) error {
	entries, err := u.searchAttrs(ctx, bySubject, []string{u.cfg.SubjectAttribute})
	if err != nil {
		return fmt.Errorf("look up user %q: %w", subject, err)
	}
	for _, e := range entries {
		if s, err := u.subjectOf(e); err == nil && s == subject {
			u.log.Info("person may no longer sign in: ldap.users.filter no longer matches them", "sub", subject, "dn", e.DN)
			return fmt.Errorf("user %q: not matched by the login filter: %w", subject, ErrInactive)
		}
	}
	return fmt.Errorf("user %q: %w", subject, ErrNotFound)
}
