package ldapstore

import (
	"errors"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// TestClassifyNamesThatCannotExist: a name the directory cannot even parse
// or accept, met while reading or deleting, is no such entry; elsewhere it
// keeps its own meaning.
func TestClassifyNamesThatCannotExist(t *testing.T) {
	tests := []struct {
		name     string
		code     uint16
		op       operation
		notFound bool
	}{
		{"invalid DN syntax on read", ldap.LDAPResultInvalidDNSyntax, opRead, true},
		{"naming violation on read", ldap.LDAPResultNamingViolation, opRead, true},
		{"invalid DN syntax on delete", ldap.LDAPResultInvalidDNSyntax, opDelete, true},
		{"invalid DN syntax on add", ldap.LDAPResultInvalidDNSyntax, opAdd, false},
		{"naming violation on add", ldap.LDAPResultNamingViolation, opAdd, false},
		{"invalid DN syntax of a configured search base", ldap.LDAPResultInvalidDNSyntax, opSearch, false},
		{"other errors on read stay", ldap.LDAPResultOperationsError, opRead, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cause := ldap.NewError(tc.code, errors.New("refused"))
			err := classify(cause, tc.op)
			if got := errors.Is(err, ErrNotFound); got != tc.notFound {
				t.Errorf("ErrNotFound: %v, want %v (%v)", got, tc.notFound, err)
			}
			if !ldap.IsErrorWithCode(err, tc.code) {
				t.Errorf("the directory's answer is lost: %v", err)
			}
		})
	}
}

func TestShortID(t *testing.T) {
	tests := []struct{ id, want string }{
		{"demo-rp", "demo-rp"},
		{string(make([]byte, 64)), string(make([]byte, 64))},
	}
	for _, tc := range tests {
		if got := shortID(tc.id); got != tc.want {
			t.Errorf("shortID(%q) = %q", tc.id, got)
		}
	}
	long := string(make([]byte, 100<<10))
	if got := shortID(long); len(got) > 100 {
		t.Errorf("shortID of 100 KiB: %d bytes", len(got))
	}
}
