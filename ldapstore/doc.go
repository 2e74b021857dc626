// Package ldapstore owns everything Gatehouse says to an LDAP directory: the
// pool of bound connections with failover across servers, the mapping of
// LDAP result codes to sentinel errors (in one place, errors.go), and the
// stores built on them — the client store (Clients: client registrations as
// oauthClientMetadata entries, updated by compare-and-swap, read through a
// short-lived cache). The provider never sees an LDAP type; it sees the
// interfaces it defines.
package ldapstore
