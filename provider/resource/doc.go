// Package resource serves the endpoints where access tokens come back to
// the provider: UserInfo (OpenID Connect Core §5.3), token introspection
// (RFC 7662) and token revocation (RFC 7009). It owns the revocation list
// of access tokens (Revocations), which all three honour.
//
// # UserInfo
//
// GET or POST; the access token comes in the Authorization header
// (RFC 6750 §2.1) or, for POST, in a form body parameter access_token
// (§2.2), never in the URL (§2.3 is not offered: URLs end up in logs).
// Two ways at once are invalid_request (§2). The token must be one of our
// access tokens, unexpired and unrevoked, granted the openid scope; the
// claims are read afresh from the directory and released by scope
// (tokens.ReleasedClaims). A client that registered
// userinfo_signed_response_alg or userinfo_encrypted_response_alg gets an
// application/jwt with iss and aud added (§5.3.2); the others get JSON.
//
// # Introspection
//
// Clients authenticate as at the token endpoint. Public clients may not
// introspect. A token is active when it is one of our access tokens,
// unexpired, unrevoked and issued to the asking client; a token of
// another client is reported inactive unless Options.IntrospectAnyClient
// is set, so that clients cannot probe each other's tokens. Refresh
// tokens are not introspected here and are reported inactive.
//
// # Revocation
//
// Clients authenticate as at the token endpoint, public clients included
// (RFC 7009 §2.1). An access token of the asking client goes on the
// revocation list by jti until it would have expired anyway. A refresh
// token is passed to Options.Refresh. Unknown, expired and foreign tokens
// are answered 200 without effect (§2.2): an error would tell the asking
// client which of them exist. When no RefreshRevoker is configured and the
// request names token_type_hint=refresh_token for a token that is not one
// of our access tokens, the answer is unsupported_token_type (§2.2.1).
package resource
