// Package demo is the demo relying party of the development configuration:
// at /demo it signs in with the authorization code flow and PKCE, as an
// ordinary client of this very provider — through its discovery document,
// its token endpoint and its keys, with golang.org/x/oauth2 and
// github.com/coreos/go-oidc — and shows the ID token's claims.
package demo
