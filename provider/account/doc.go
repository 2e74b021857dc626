// Package account owns /account, the person's own page, reached with the
// browser session of the sign-in: their authenticator apps and passkeys
// (add an app, rename, remove), recovery codes (make new ones), the
// applications they allowed (revoke: the authorization entry and with it
// its refresh tokens go), and the browsers they are signed in with (sign
// out one, or all, with back-channel logout of their clients).
//
// Changes to sign-in methods need a recent sign-in (Options.ReauthAfter);
// an older one is sent through the login page again. A session weaker
// than the second-factor policy asks of the person is first stepped up at
// /mfa, so that a password alone never changes the second factor.
//
// The package knows no LDAP and no HTML: it asks seams declared here
// (ldapstore's stores, flow.Handler, mfa.Handler) and renders through
// templates.
package account
