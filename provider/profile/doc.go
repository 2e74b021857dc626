// Package profile holds the security profiles a deployment or a client
// can be held to — FAPI 2.0 Security Profile (fapi2-security) and FAPI
// 2.0 Message Signing (fapi2-message-signing) — as one table of rules.
//
// Each rule has a name that every refusal repeats ("fapi2: PAR
// required"), the places it applies (registration, /par, /authorize,
// /token) and a check over the Facts known there. Registration
// validation, the PAR handler, the parsing of authorization requests and
// the token endpoint each consult the table through a small hook; none of
// them knows the rules. A client's profile is the stronger of the
// deployment's (op.profile) and its own gatehouse_profile member: a
// client can ask for more, never for less.
//
// What the rest of the server already does for every client is not
// repeated here: iss in authorization responses (RFC 9207), one-time
// request_uris of at most 600 s, one-time codes. What the profile changes
// outside the table — refresh tokens kept rather than rotated, codes of at
// most 60 s, PS256 as the ID token default — is asked of it with
// KeepRefreshTokens, MaxCodeLifetime and Defaults.
package profile
