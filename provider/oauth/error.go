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

// WithDescription returns a copy with a client-facing description.
func (e *Error) WithDescription(desc string) *Error {
	c := *e
	c.Description = desc
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
