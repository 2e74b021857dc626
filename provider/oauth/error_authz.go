package oauth

import "net/http"

// Errors of the authorization endpoint: RFC 6749 §4.1.2.1 and §4.2.2.1,
// OpenID Connect Core §3.1.2.6, and RFC 9101 §7 for request objects. They
// normally travel back to the client in the redirect; Status applies only
// where one is written as JSON or shown as a page.

func ErrUnauthorizedClient() *Error {
	return newError("unauthorized_client", http.StatusBadRequest)
}

func ErrAccessDenied() *Error { return newError("access_denied", http.StatusForbidden) }

func ErrUnsupportedResponseType() *Error {
	return newError("unsupported_response_type", http.StatusBadRequest)
}

func ErrInvalidScope() *Error { return newError("invalid_scope", http.StatusBadRequest) }

// OpenID Connect Core §3.1.2.6: answers to prompt=none and to requests the
// provider cannot serve without showing the person a page.
func ErrInteractionRequired() *Error {
	return newError("interaction_required", http.StatusBadRequest)
}
func ErrLoginRequired() *Error   { return newError("login_required", http.StatusBadRequest) }
func ErrConsentRequired() *Error { return newError("consent_required", http.StatusBadRequest) }

// Request objects (OpenID Connect Core §6, RFC 9101).
func ErrInvalidRequestURI() *Error { return newError("invalid_request_uri", http.StatusBadRequest) }
func ErrInvalidRequestObject() *Error {
	return newError("invalid_request_object", http.StatusBadRequest)
}
func ErrRequestNotSupported() *Error {
	return newError("request_not_supported", http.StatusBadRequest)
}
func ErrRequestURINotSupported() *Error {
	return newError("request_uri_not_supported", http.StatusBadRequest)
}
