package oauth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriteBearer(t *testing.T) {
	tests := []struct {
		name       string
		err        *Error
		scope      string
		wantHeader string
		wantStatus int
	}{
		{
			name:       "invalid token",
			err:        ErrInvalidToken().WithDescription(`The "token" is bad\ é`),
			wantHeader: `Bearer realm="gatehouse", error="invalid_token", error_description="The token is bad "`,
			wantStatus: http.StatusUnauthorized,
		},
		{
			name:       "insufficient scope",
			err:        ErrInsufficientScope(),
			scope:      "openid",
			wantHeader: `Bearer realm="gatehouse", error="insufficient_scope", scope="openid"`,
			wantStatus: http.StatusForbidden,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.err.WriteBearer(rec, tc.scope)
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.wantHeader {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.wantHeader)
			}
			if rec.Code != tc.wantStatus || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("status %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
			}
		})
	}
}

func TestWriteBearerMissing(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteBearerMissing(rec)
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != `Bearer realm="gatehouse"` || rec.Body.Len() != 0 {
		t.Errorf("got %d %q %q", rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	}
}
