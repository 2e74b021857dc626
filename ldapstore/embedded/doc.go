// Package embedded owns Gatehouse's in-process LDAP directory: the server
// `make run` starts when no external directory is configured.
//
// It is a small, schema-less but otherwise ordinary LDAPv3 server. The
// provider reaches it over TCP on loopback with the same go-ldap client it
// uses for OpenLDAP, so everything here answers with the result codes a real
// directory would give: noSuchObject, entryAlreadyExists, noSuchAttribute,
// attributeOrValueExists, notAllowedOnRDN, notAllowedOnNonLeaf,
// invalidCredentials, insufficientAccessRights and so on.
//
// The package owns:
//   - the protocol front (github.com/jimlambrt/gldap): bind, search, add,
//     modify, delete and the root DSE;
//   - the entry tree, with DNs and attribute descriptions compared the way
//     LDAP compares them (see dn.go, attrs.go and match.go);
//   - filter evaluation, attribute selection, size limits and the simple
//     paged results control (RFC 2696);
//   - password checking for simple binds ({SSHA}, {CRYPT} bcrypt,
//     {ARGON2} argon2id and plain values);
//   - persistence as an LDIF file, rewritten atomically after every change.
//
// Only the configured admin DN may write. Everyone else, anonymous clients
// included, may read, but credentials (userPassword, client secrets, tokens
// and their hashes) are shown to the admin only.
//
// Limits, most of them gldap's: Compare, ModifyDN, Abandon and SASL binds
// are not understood by gldap, which drops the connection when it receives
// one; so does a filter using the ":dn:" extensible-match form, which
// go-ldap cannot decode on the server side. There is no TLS, no schema
// checking beyond "has an objectClass and its RDN values", no time limit,
// and values of DN syntax (member, ...) are compared as strings.
package embedded
