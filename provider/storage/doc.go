// Package storage names the answers every store gives the provider, as
// sentinel errors matched with errors.Is: the directory-backed stores wrap
// their own errors beneath them, so the provider can act on them without
// knowing LDAP. It imports only the standard library.
package storage
