// Package jwtbearer serves the JWT bearer authorization grant (RFC 7523
// §2.1) at the token endpoint: a client presents an assertion that a
// trusted issuer signed about a person, and receives an access token for
// that person as found in the directory.
//
// It owns the checks of RFC 7523 §3 (issuer, subject, audience, expiry,
// lifetime, not-before, issued-at, single use of jti, signature with the
// issuer's published keys and an asymmetric algorithm), the mapping of
// the assertion's subject to a person, and the replay records of used
// jtis in the session store. The token pipeline (package token) has
// authenticated the client and checked that it registered the grant; it
// mints the access token. No ID token is issued (no one signed in here)
// and no refresh token (the client asks again with a new assertion).
package jwtbearer
