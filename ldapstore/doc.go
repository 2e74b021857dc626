// Package ldapstore owns everything Gatehouse says to an LDAP directory: the
// pool of bound connections with failover across servers, the mapping of
// LDAP result codes to the provider's errors, and the stores built on them.
// The provider never sees an LDAP type; it sees the interfaces it defines.
package ldapstore
