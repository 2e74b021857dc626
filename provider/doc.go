// Package provider is the OpenID Provider: it owns the HTTP surface — the
// router, wired in router.go and nowhere else — and the protocol rules behind
// each endpoint. It depends on interfaces it defines (a directory it can
// ping, and later the client, session and authorization stores) and never on
// LDAP itself.
package provider
