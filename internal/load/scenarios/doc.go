// Package scenarios holds the load scenarios of gatehouse-load: each one
// iteration of real HTTP traffic against Gatehouse's public API, as a
// relying party or a browser would send it.
//
// The browser-less sign-in (codeflow.go) walks the same pages a person
// does: GET /authorize with PKCE (S256), state and nonce; the login page,
// whose hidden flow and csrf inputs are read from the HTML; POST /login
// with username and password; the consent page when it is shown, answered
// with decision=allow; then the code is read from the redirect's Location
// (never followed to the client) and redeemed at /token with the
// code_verifier. Scenarios that need tokens (userinfo, refresh) get them
// this way in Setup, so that only the measured call is timed.
package scenarios
