package embedded

import (
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// attrDesc is a parsed attribute description (RFC 4512 §2.5): a type and
// its options, both lower-cased, options sorted because their order does
// not matter. "oauthClientName;lang-DE" and "OAUTHCLIENTNAME;lang-de"
// describe the same attribute; "oauthClientName" is a different one.
type attrDesc struct {
	base    string
	options []string
}

// parseDesc splits an attribute description into type and options.
func parseDesc(s string) attrDesc {
	parts := strings.Split(strings.ToLower(s), ";")
	opts := parts[1:]
	slices.Sort(opts)
	return attrDesc{base: parts[0], options: opts}
}

// key identifies the description exactly: two attributes of an entry are
// the same attribute when their keys are equal.
func (d attrDesc) key() string {
	if len(d.options) == 0 {
		return d.base
	}
	return d.base + ";" + strings.Join(d.options, ";")
}

// covers reports whether an assertion or request naming d applies to an
// attribute described by s: same type, and every option of d present in s.
// So "oauthClientName" covers "oauthClientName;lang-de" (RFC 4512 §2.5.2),
// but not the other way round.
func (d attrDesc) covers(s attrDesc) bool {
	if d.base != s.base {
		return false
	}
	for _, o := range d.options {
		if !slices.Contains(s.options, o) {
			return false
		}
	}
	return true
}

// checkDesc rejects attribute descriptions that are not well formed: a
// keystring or numeric OID, then options made of letters, digits and
// hyphens. It keeps names that would corrupt the LDIF file out of the tree.
func checkDesc(s string) error {
	parts := strings.Split(s, ";")
	if !isKeystring(parts[0]) && !isNumericOID(parts[0]) {
		return fail(ldap.LDAPResultUndefinedAttributeType, "invalid attribute description %q", s)
	}
	for _, o := range parts[1:] {
		if o == "" || strings.Trim(o, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return fail(ldap.LDAPResultUndefinedAttributeType, "invalid attribute option in %q", s)
		}
	}
	return nil
}

func isKeystring(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

func isNumericOID(s string) bool {
	for _, arc := range strings.Split(s, ".") {
		if arc == "" || strings.Trim(arc, "0123456789") != "" {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
