package ldapstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// ErrUnavailable marks a failure of the directory itself — unreachable,
// busy, timed out, or refusing the service account — as opposed to an
// answer about the data. The provider turns it into 503 or
// temporarily_unavailable.
var ErrUnavailable = storage.ErrUnavailable

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

// Answers about the data, reported by every store in this package. Test
// with errors.Is: the directory's own error stays wrapped beneath them.
// They are the provider's own (package storage), so that it can match them
// without importing this package.
var (
	// ErrNotFound: the entry does not exist.
	ErrNotFound = storage.ErrNotFound
	// ErrAlreadyExists: an entry with that name exists already.
	ErrAlreadyExists = storage.ErrAlreadyExists
	// ErrConflict: the entry changed between reading and writing it; read
	// it again and retry.
	ErrConflict = storage.ErrConflict
	// ErrMalformed: an entry holds a value that cannot be read; see
	// MalformedEntryError for which.
	ErrMalformed = storage.ErrMalformed
)

// MalformedEntryError names an entry and the attribute in it whose value
// cannot be read. Only that entry is affected.
type MalformedEntryError struct {
	DN        string
	Attribute string
	Err       error
}

func (e *MalformedEntryError) Error() string {
	return fmt.Sprintf("entry %q: attribute %s: %v", e.DN, e.Attribute, e.Err)
}

func (e *MalformedEntryError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrMalformed) hold.
func (e *MalformedEntryError) Is(target error) bool { return target == ErrMalformed }

// operation says what a request was meant to do, which decides what some
// result codes mean.
type operation int

const (
	opRead operation = iota
	opAdd
	opDelete
	// opSwap is a Modify carrying a compare-and-swap on a version value.
	opSwap
	// opSearch is a search below a base entry that the configuration
	// names: that entry missing is a misconfiguration, not ErrNotFound.
	opSearch
	// opBind is a simple bind with a person's own password.
	opBind
)

// Answers that stay inside this package: the stores turn them into
// something else before returning.
var (
	// errCredentials: the directory refused a bind for its name or its
	// password. Users reports it as LoginInvalid.
	errCredentials = errors.New("credentials refused")
	// errSizeLimit: a search matched more entries than its size limit; the
	// entries up to the limit came with it.
	errSizeLimit = errors.New("size limit exceeded")
)

// classify maps a directory's answer to the sentinel errors above, keeping
// the answer wrapped beneath. This is the one place where result codes get
// a meaning; outages were marked ErrUnavailable by the pool already.
func classify(err error, op operation) error {
	var sentinel error
	switch {
	case err == nil || errors.Is(err, ErrUnavailable):
		return err
	case op == opBind && ldap.IsErrorAnyOf(err, ldap.LDAPResultInvalidCredentials,
		ldap.LDAPResultInappropriateAuthentication, ldap.LDAPResultNoSuchObject):
		// invalidCredentials is the answer RFC 4513 §5.1.3 asks for, and
		// OpenLDAP's for an entry without a password too; some servers say
		// inappropriateAuthentication for that, or noSuchObject for a name
		// that went away since the search. None is a fault of the directory.
		sentinel = errCredentials
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) && op != opAdd && op != opSearch:
		// For an add, noSuchObject means the parent is missing; for a
		// search, the base: neither is an answer about the entry sought.
		sentinel = ErrNotFound
	case (op == opRead || op == opDelete) && ldap.IsErrorAnyOf(err, ldap.LDAPResultInvalidDNSyntax, ldap.LDAPResultNamingViolation):
		// The name built from what a client sent cannot be a DN at all
		// (OpenLDAP refuses DNs over 8 KiB as invalidDNSyntax; other
		// servers bound RDN values with namingViolation): no such entry
		// can exist. The provider bounds IDs before asking; this keeps a
		// name that slips through from becoming an internal error.
		sentinel = ErrNotFound
	case ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded):
		sentinel = errSizeLimit
	case ldap.IsErrorWithCode(err, ldap.LDAPResultEntryAlreadyExists):
		sentinel = ErrAlreadyExists
	case op == opSwap && ldap.IsErrorAnyOf(err, ldap.LDAPResultNoSuchAttribute, ldap.LDAPResultAttributeOrValueExists):
		// The old version value was gone, or the version class had been
		// added by someone else: the entry changed under us.
		sentinel = ErrConflict
	default:
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
