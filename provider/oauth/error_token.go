package oauth

import "net/http"

// Errors of the token endpoint (RFC 6749 §5.2) and of the endpoints that
// authenticate clients the same way: introspection (RFC 7662) and
// revocation (RFC 7009). unauthorized_client and invalid_scope, which the
// token endpoint answers too, are in error_authz.go.

// ErrInvalidClient: client authentication failed. RFC 6749 §5.2 wants 401
// with a WWW-Authenticate challenge when the client tried the Authorization
// header. Setting the challenge is the writer's business (package
// clientauth does it); where no challenge applies, 400 is the answer.
func ErrInvalidClient() *Error { return newError("invalid_client", http.StatusUnauthorized) }

// ErrInvalidGrant: the code, refresh token or other grant is invalid,
// expired, revoked, used up, or was issued to another client or for
// another redirect URI.
func ErrInvalidGrant() *Error { return newError("invalid_grant", http.StatusBadRequest) }

// ErrUnsupportedGrantType: the server does not offer the grant_type.
func ErrUnsupportedGrantType() *Error {
	return newError("unsupported_grant_type", http.StatusBadRequest)
}

// ErrInvalidTarget: RFC 8707 §2, a resource parameter the server will not
// issue a token for.
func ErrInvalidTarget() *Error { return newError("invalid_target", http.StatusBadRequest) }

// ErrUnsupportedTokenType: RFC 7009 §2.2.1, revocation of a token type the
// server does not revoke.
func ErrUnsupportedTokenType() *Error {
	return newError("unsupported_token_type", http.StatusBadRequest)
}
