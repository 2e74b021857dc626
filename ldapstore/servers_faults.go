package ldapstore

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// isServerFault tells whether an outage was the server's doing — it did
// not answer, refused the connection, or broke it — which takes it out of
// use. A busy or unwilling server answered, and is only skipped for the
// request at hand.
func isServerFault(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) ||
		ldap.IsErrorAnyOf(err,
			ldap.ErrorNetwork,
			ldap.LDAPResultServerDown,
			ldap.LDAPResultConnectError,
			ldap.LDAPResultTimeout,
		)
}

// isTimeout tells whether a failure was a server not answering in time, as
// opposed to refusing or dropping the connection: such a server is probed
// rather than tried by requests, which would each wait out a timeout.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &netErr) && netErr.Timeout() ||
		ldap.IsErrorWithCode(err, ldap.LDAPResultTimeout) ||
		// go-ldap's request timeout is an ErrorNetwork with only this text.
		strings.Contains(err.Error(), "connection timed out")
}

// isTransportFailure recognises go-ldap's own words for a request that
// could not be written or an answer that could not be read: it formats the
// socket's error into plain text ("unable to send request: write tcp …:
// connection reset by peer"), so only the text tells.
func isTransportFailure(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unable to send request:") ||
		strings.HasPrefix(msg, "unable to read LDAP response packet:")
}
