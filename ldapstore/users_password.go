package ldapstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The ways a person changes their own password (UsersConfig.PasswordChange).
const (
	passwordChangeModify     = "passwordModify" // RFC 3062, as the person
	passwordChangeUnicodePwd = "unicodePwd"     // Active Directory, over TLS
)

// Why a directory refused a new password: the reasons ChangePassword
// reports with PasswordRefused. The provider shows each in the person's
// language (provider/flow: ReasonTooShort and the others, the same words);
// "" is a refusal for a reason not known here.
const (
	reasonTooShort  = "too_short"
	reasonTooSimple = "too_simple"
	reasonInHistory = "in_history"
	reasonTooYoung  = "too_young"
)

// ChangePassword changes the password of the person who signs in as
// username from current to next, as that person: the directory checks
// current and applies its password policy to next, as for any change a
// person makes themselves — never an administrator's reset.
//
// It is for the people whose sign-in ended in LoginExpired or
// LoginMustChange. The entry is found exactly as Login finds it. How the
// change is made is UsersConfig.PasswordChange:
//
//   - "passwordModify": bind as the person with current (a password reset
//     under pwdMustChange binds, answered with changeAfterReset), then the
//     Password Modify extended operation (RFC 3062) on that connection.
//     OpenLDAP refuses the bind of an expired password unless the policy
//     grants grace logins (pwdGraceAuthNLimit ≥ 1), so only then can a
//     person renew an expired password; without one left the answer is an
//     error wrapping errors.ErrUnsupported.
//   - "unicodePwd" (Active Directory): AD refuses the bind of an account
//     that must change its password (data 773) or whose password expired
//     (532), so the change is made on the service account's connection, as
//     one Modify that deletes the old unicodePwd value and adds the new one
//     ([MS-ADTS] §3.1.1.3.1.5.2): AD treats that as the person's own change
//     — the old value is checked, history, age and complexity enforced —
//     unlike a replace, which would be a reset. AD allows it only over an
//     encrypted connection (ldaps:// or StartTLS); on any other no password
//     is sent and the answer is an error.
//   - "": no change is offered; an error wrapping errors.ErrUnsupported.
//
// The answers: PasswordChanged; PasswordWrongCurrent for a wrong current
// password, and alike for an unknown username or one matching several
// entries; PasswordRefused with a reason (too_short, too_simple,
// in_history, too_young, or "" when the directory's words are not
// recognised) when the policy refuses next; PasswordLocked for a locked
// or disabled account. An outage is an error wrapping ErrUnavailable,
// returned with PasswordRefused, never PasswordChanged: since a change is
// a write it is not retried, and the directory may have applied it. No
// password is ever logged.
func (u *Users) ChangePassword(ctx context.Context, username, current, next string) (oauth.PasswordChange, string, error) {
	method := u.cfg.PasswordChange
	if method != passwordChangeModify && method != passwordChangeUnicodePwd {
		return oauth.PasswordRefused, "", fmt.Errorf("change password: method %q: %w", method, errors.ErrUnsupported)
	}
	if username == "" || current == "" || len(username) > maxUsernameLength || len(current) > maxPasswordLength ||
		!utf8.ValidString(username) {
		return oauth.PasswordWrongCurrent, "", nil
	}
	if next == "" || len(next) > maxPasswordLength || !utf8.ValidString(next) {
		return oauth.PasswordRefused, "", nil
	}
	entries, err := u.search(ctx, u.loginFilter(username))
	if err != nil {
		return oauth.PasswordRefused, "", fmt.Errorf("change password: find user: %w", err)
	}
	if len(entries) != 1 {
		return oauth.PasswordWrongCurrent, "", nil // Login refuses these alike, and logs several
	}
	dn := entries[0].DN
	var change oauth.PasswordChange
	var reason string
	if method == passwordChangeModify {
		change, reason, err = u.passwordModify(ctx, dn, current, next)
	} else {
		change, reason, err = u.changeUnicodePwd(ctx, dn, current, next)
	}
	if err != nil {
		return oauth.PasswordRefused, "", fmt.Errorf("change password of %q: %w", dn, err)
	}
	u.log.Info("password change", "dn", dn, "outcome", changeName(change), "reason", reason)
	return change, reason, nil
}

// reasonFromText recognises why a password was refused in a directory's
// diagnostic message, for directories (and answers) without a password
// policy control: OpenLDAP's ppolicy texts ("Password fails quality
// checking policy", "Password is in history of old passwords", "Password
// is too young to change") and Samba's and AD's check_password_restrictions
// ("the password is too short", "does not meet the complexity criteria",
// "was already used (in history)", "too young").
func reasonFromText(msg string) string {
	msg = strings.ToLower(msg)
	switch {
	case strings.Contains(msg, "too short"):
		return reasonTooShort
	case strings.Contains(msg, "history") || strings.Contains(msg, "already used"):
		return reasonInHistory
	case strings.Contains(msg, "too young"):
		return reasonTooYoung
	case strings.Contains(msg, "complexity") || strings.Contains(msg, "quality"):
		return reasonTooSimple
	}
	return ""
}

// changeName names an outcome in the log.
func changeName(c oauth.PasswordChange) string {
	switch c {
	case oauth.PasswordChanged:
		return "changed"
	case oauth.PasswordWrongCurrent:
		return "wrong current password"
	case oauth.PasswordRefused:
		return "refused by the policy"
	case oauth.PasswordLocked:
		return "locked"
	}
	return "unknown"
}
