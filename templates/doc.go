// Package templates owns the HTML that people see: the page templates and
// the stylesheet, embedded in the binary and overridable file by file from a
// directory, and one typed render function per page. Pages know nothing of
// LDAP or of the protocol; they are handed plain values to show.
package templates
