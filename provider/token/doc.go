// Package token owns the token endpoint (RFC 6749 §3.2): one pipeline with
// fixed phases — authenticate the client, check the grant, issue — and each
// grant a small type behind it, so that no grant can skip a shared check.
// The grants: authorization_code (with PKCE), refresh_token and
// client_credentials.
//
// # Refresh tokens
//
// A refresh token hangs on the long-lived authorization of a person for a
// client (an authorization entry in the directory), never on its own
// record: revoking consent deletes the entry, and with it every refresh
// token. A token reads <secret>.<base64url(subject)>.<base64url(client
// ID)>; the subject and client ID name the entry, which the grant reads
// directly, and the entry keeps only the SHA-256 of the 256-bit secret
// (authzRefreshToken), so a copy of the directory yields no usable token.
//
// The code grant issues one when the client is registered for the
// refresh_token grant and, for OpenID requests, offline_access was granted
// (OpenID Connect Core §11). That starts a family: its first issue time
// (authzRefreshTokenIssueDate) and lifetime (authzRefreshTokenLifetime,
// 0 meaning op.token.refreshTokenLifetime) bound every token of it. A new
// code grant starts a new family and ends the previous one: there is one
// valid refresh token per person and client.
//
// Every use rotates (RFC 9700 §4.14.2): the presented token must be the
// current one; it moves to the rotated hashes (the last 20, kept in
// authzData) and a new one is returned. A rotated token presented again is
// reuse: the family ends — current hash and rotated hashes are cleared —
// and the request fails with invalid_grant. Each step is one
// compare-and-swap update of the entry, so two uses of the same token
// cannot both succeed: the loser finds its token rotated, which is reuse.
package token
