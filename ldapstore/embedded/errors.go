package embedded

import (
	"errors"
	"fmt"

	"github.com/go-ldap/ldap/v3"
)

// resultError is a failed operation as the client sees it: an LDAP result
// code, a diagnostic message and, for noSuchObject, the DN of the deepest
// entry that does exist (RFC 4511 §4.1.9, matchedDN).
type resultError struct {
	code    uint16
	message string
	matched string
}

func (e *resultError) Error() string {
	return fmt.Sprintf("%s: %s", ldap.LDAPResultCodeMap[e.code], e.message)
}

// fail builds a resultError with a formatted diagnostic message.
func fail(code uint16, format string, args ...any) *resultError {
	return &resultError{code: code, message: fmt.Sprintf(format, args...)}
}

// resultOf turns the outcome of an operation into the parts of an LDAP
// result. Errors that are not resultErrors are internal faults: the client
// gets "other" without the detail, which belongs in the log.
func resultOf(err error) (code int, message, matched string) {
	if err == nil {
		return ldap.LDAPResultSuccess, "", ""
	}
	var re *resultError
	if errors.As(err, &re) {
		return int(re.code), re.message, re.matched
	}
	return ldap.LDAPResultOther, "internal error", ""
}
