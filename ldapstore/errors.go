package ldapstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-ldap/ldap/v3"
)

// ErrUnavailable marks a failure of the directory itself — unreachable,
// busy, timed out, or refusing the service account — as opposed to an
// answer about the data. The provider turns it into 503 or
// temporarily_unavailable.
var ErrUnavailable = errors.New("directory unavailable")

// unavailable wraps err so that errors.Is(err, ErrUnavailable) holds while
// the cause stays inspectable for the log.
func unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// isOutage tells whether an error from an operation means the connection or
// the server failed, rather than the request being answered.
func isOutage(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	return ldap.IsErrorAnyOf(err,
		ldap.ErrorNetwork,
		ldap.LDAPResultBusy,
		ldap.LDAPResultUnavailable,
		ldap.LDAPResultServerDown,
		ldap.LDAPResultConnectError,
		ldap.LDAPResultTimeout,
	)
}
