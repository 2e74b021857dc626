// Package mfa owns strong sign-in: the second factor after the password
// (authenticator apps by RFC 6238 one-time codes, recovery codes), the
// policy that decides when one is needed, the acr and amr values a
// session earns, and the /mfa page that asks for the factor — or enrols
// one — and then lets the sign-in go on.
//
// The credentials live behind Store (ldapstore.Authenticators); the
// sign-in steps before and after are package flow's, which asks Policy
// whether a session is strong enough for a request.
package mfa
