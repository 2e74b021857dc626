package oauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriteJSONHidesCause(t *testing.T) {
	cause := errors.New("ldap: dial tcp 10.0.0.1:636: connection refused")
	e := ErrTemporarilyUnavailable().WithDescription("The directory is unavailable.").WithCause(cause)
	rec := httptest.NewRecorder()
	e.WriteJSON(rec)

	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d", rec.Code)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"error": "temporarily_unavailable", "error_description": "The directory is unavailable."}
	if len(body) != len(want) || body["error"] != want["error"] || body["error_description"] != want["error_description"] {
		t.Errorf("body = %v, want %v", body, want)
	}
	if !errors.Is(e, cause) {
		t.Error("cause not reachable through Unwrap")
	}
}

func TestConstructorsDoNotShareState(t *testing.T) {
	a := ErrInvalidRequest().WithDescription("a")
	b := ErrInvalidRequest()
	if b.Description != "" || a.Code != b.Code {
		t.Errorf("constructors share state: %+v %+v", a, b)
	}
}
