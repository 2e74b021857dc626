// Package schema is Gatehouse's LDAP schema, version 1.15: the attribute
// types and object classes of client registrations, long-lived
// authorizations and Gatehouse's own auxiliary classes.
//
// The definitions are Go values (Sets) and the single source of truth.
// "go generate ./schema" renders them into the committed files
// openldap/*.ldif (cn=config entries), opendj/*.ldif (cn=schema
// modifications for OpenDJ and 389 Directory Server) and ad/*.ldif
// (Active Directory schema objects, OIDs under ADArc), which are embedded
// in the binary (Files) and checked by a test to be what the definitions
// render. ParseAttributeType, ParseObjectClass and ParseLDIF read the RFC
// 4512 descriptions back, from these files or from a server.
//
// The package imports nothing but the standard library; what talks to a
// directory lives under ldapstore (schemaapply applies the schema to
// OpenLDAP and Active Directory). README.md in this directory is the operator's documentation.
package schema
