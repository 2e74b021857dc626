// Package token owns the token endpoint (RFC 6749 §3.2): one pipeline with
// fixed phases — authenticate the client, check the grant, issue — and each
// grant a small type behind it, so that no grant can skip a shared check.
// The grants: authorization_code (with PKCE) and client_credentials.
package token
