package ldapstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// errNoTLS: the connection a unicodePwd change would go over is not
// encrypted. AD refuses the change there anyway (unwillingToPerform); it
// is stopped before the passwords leave in clear.
var errNoTLS = errors.New("a unicodePwd change needs an encrypted connection: use an ldaps:// URL or ldap.startTLS")

// changeUnicodePwd makes the person's own change of an AD password on the
// service account's connection: one Modify deleting the old value and
// adding the new one, each the password in double quotes as UTF-16LE.
func (u *Users) changeUnicodePwd(ctx context.Context, dn, current, next string) (oauth.PasswordChange, string, error) {
	req := ldap.NewModifyRequest(dn, nil)
	req.Delete("unicodePwd", []string{unicodePwd(current)})
	req.Add("unicodePwd", []string{unicodePwd(next)})
	err := u.pool.DoOp(ctx, OpPasswordModify, func(conn *ldap.Conn) error {
		if _, ok := conn.TLSConnectionState(); !ok {
			return errNoTLS
		}
		return conn.Modify(req)
	})
	if err == nil {
		return oauth.PasswordChanged, "", nil
	}
	return adChangeRefused(err)
}

// adChangeRefused judges a refused unicodePwd change by AD's diagnostic
// text, which starts with a Win32 error code in hex:
//
//	00000056 (ERROR_INVALID_PASSWORD): the old value is not the password
//	0000052D (ERROR_PASSWORD_RESTRICTION): the new one breaks the policy
//	         — length, complexity, history or minimum age, said in words
//	00000775 (ERROR_ACCOUNT_LOCKED_OUT), 00000533 (ERROR_ACCOUNT_DISABLED)
//
// A refused bind-style answer (invalidCredentials with "data 52e") counts
// as a wrong current password too.
func adChangeRefused(err error) (oauth.PasswordChange, string, error) {
	var lerr *ldap.Error
	if errors.Is(err, ErrUnavailable) || !errors.As(err, &lerr) || lerr.Err == nil {
		return oauth.PasswordRefused, "", fmt.Errorf("unicodePwd change: %w", err)
	}
	msg := strings.ToUpper(lerr.Err.Error())
	switch {
	case strings.HasPrefix(msg, "00000775") || strings.HasPrefix(msg, "00000533") ||
		strings.Contains(msg, "DATA 775") || strings.Contains(msg, "DATA 533"):
		return oauth.PasswordLocked, "", nil
	case strings.HasPrefix(msg, "00000056") || strings.Contains(msg, "DATA 52E") ||
		lerr.ResultCode == ldap.LDAPResultInvalidCredentials:
		return oauth.PasswordWrongCurrent, "", nil
	case strings.HasPrefix(msg, "0000052D") || lerr.ResultCode == ldap.LDAPResultConstraintViolation:
		return oauth.PasswordRefused, reasonFromText(lerr.Err.Error()), nil
	}
	return oauth.PasswordRefused, "", fmt.Errorf("unicodePwd change: %w", err)
}

// unicodePwd encodes a password as AD's unicodePwd wants it: in double
// quotes, UTF-16 little-endian ([MS-ADTS] §3.1.1.3.1.5).
func unicodePwd(password string) string {
	units := utf16.Encode([]rune(`"` + password + `"`))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}
