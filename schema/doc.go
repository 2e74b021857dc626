// Package schema knows the LDAP schema Gatehouse ships: its version, and the
// schema files for OpenLDAP and OpenDJ embedded in the binary.
package schema
