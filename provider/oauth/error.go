package oauth

import (
	"encoding/json"
	"log/slog"
	"net/http"
)

// Error is an OAuth 2.0 error response (RFC 6749 §5.2, §4.1.2.1). Its
// Description is shown to clients and must never hold internal text; the
// underlying cause, if any, is kept for logs only.
type Error struct {
	Code        string
	Description string
	// Status is the HTTP status used when the error is written as JSON.
	Status int
	cause  error
}

func newError(code string, status int) *Error {
	return &Error{Code: code, Status: status}
}

// Constructors for the error codes of RFC 6749, RFC 7591 and OpenID Connect.
func ErrInvalidRequest() *Error { return newError("invalid_request", http.StatusBadRequest) }
func ErrServerError() *Error    { return newError("server_error", http.StatusInternalServerError) }
func ErrTemporarilyUnavailable() *Error {
	return newError("temporarily_unavailable", http.StatusServiceUnavailable)
}

// RFC 7591 §3.2.2: errors of client registration and management.
func ErrInvalidRedirectURI() *Error { return newError("invalid_redirect_uri", http.StatusBadRequest) }
func ErrInvalidClientMetadata() *Error {
	return newError("invalid_client_metadata", http.StatusBadRequest)
}

// RFC 6750 §3.1: errors of requests made with a bearer token. A 401 needs a
// WWW-Authenticate header as well; see BearerChallenge.
func ErrInvalidToken() *Error      { return newError("invalid_token", http.StatusUnauthorized) }
func ErrInsufficientScope() *Error { return newError("insufficient_scope", http.StatusForbidden) }

// ErrNotFound is the answer of the management endpoints for an entry that
// does not exist; the code is the one the router uses for unknown paths.
func ErrNotFound() *Error { return newError("not_found", http.StatusNotFound) }

// WithDescription returns a copy with a client-facing description.
func (e *Error) WithDescription(desc string) *Error {
	c := *e
	c.Description = desc
	return &c
}

// WithStatus returns a copy written with another HTTP status, for the
// cases a specification leaves to HTTP (415, 413, 409).
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.Status = status
	return &c
}

// WithCause returns a copy that remembers the internal cause for the log.
func (e *Error) WithCause(err error) *Error {
	c := *e
	c.cause = err
	return &c
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

func (e *Error) Unwrap() error { return e.cause }

// BearerChallenge is the WWW-Authenticate value for the error answering a
// request to a resource protected by bearer tokens (RFC 6750 §3): a request
// that carried no token gets the bare scheme, one with a bad token the code.
func (e *Error) BearerChallenge(tokenPresented bool) string {
	if !tokenPresented {
		return "Bearer"
	}
	return `Bearer error="` + e.Code + `"`
}

// LogValue lets slog show the code, the description and the cause together.
func (e *Error) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("error", e.Code)}
	if e.Description != "" {
		attrs = append(attrs, slog.String("description", e.Description))
	}
	if e.cause != nil {
		attrs = append(attrs, slog.String("cause", e.cause.Error()))
	}
	return slog.GroupValue(attrs...)
}

type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// WriteJSON writes the error as a JSON body with its status. Error
// responses are never cached (RFC 6749 §5.1 asks the same of token responses).
func (e *Error) WriteJSON(w http.ResponseWriter) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: e.Code, Description: e.Description})
}
