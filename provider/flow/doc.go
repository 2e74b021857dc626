// Package flow owns the browser's way through an authorization: the
// handlers of /authorize, /login and /consent, which walk a validated
// request (package authorize) through sign-in against the directory, a
// session, consent remembered in the authorization store, and a single-use
// code, to the response. It also owns the session cookie, the device
// cookie that spares a known browser the per-address sign-in limit, and
// the CSRF tokens of its forms, and a few seconds' cache of consent in
// front of the authorization store (consents.go). Protocol rules live in authorize, state in session,
// HTML in templates; this package only decides which step comes next.
package flow
