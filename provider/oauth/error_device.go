package oauth

import "net/http"

// Errors of the device authorization grant at the token endpoint (RFC
// 8628 §3.5). They are token error responses: 400, like the others of
// RFC 6749 §5.2.

// ErrAuthorizationPending: the person has not yet decided; poll again.
func ErrAuthorizationPending() *Error {
	return newError("authorization_pending", http.StatusBadRequest)
}

// ErrSlowDown: still pending, and polled faster than the interval; the
// interval grows by 5 seconds.
func ErrSlowDown() *Error { return newError("slow_down", http.StatusBadRequest) }

// ErrExpiredToken: the device code expired before the person decided.
func ErrExpiredToken() *Error { return newError("expired_token", http.StatusBadRequest) }
