package resource

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// recordingRefresh counts the refresh tokens looked up.
type recordingRefresh struct{ lookups int }

func (r *recordingRefresh) RevokeRefresh(context.Context, string, string) (bool, error) {
	r.lookups++
	return false, nil
}

func (r *recordingRefresh) IntrospectRefresh(context.Context, string, string) (RefreshInfo, bool, error) {
	r.lookups++
	return RefreshInfo{}, false, nil
}

// TestIntrospectRevokeLimits: token and token_type_hint are taken at their
// limits and refused one byte beyond, with invalid_request, before any
// lookup and without echoing the value.
func TestIntrospectRevokeLimits(t *testing.T) {
	tokenMax := max(oauth.MaxAccessToken, oauth.MaxRefreshToken)
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantLookup bool
	}{
		{name: "token at the limit", form: url.Values{"token": {strings.Repeat("t", tokenMax)}}, wantStatus: http.StatusOK, wantLookup: true},
		{name: "token one byte over", form: url.Values{"token": {strings.Repeat("t", tokenMax+1)}}, wantStatus: http.StatusBadRequest},
		{name: "hint at the limit", form: url.Values{"token": {"t"}, "token_type_hint": {strings.Repeat("h", oauth.MaxTokenTypeHint)}}, wantStatus: http.StatusOK, wantLookup: true},
		{name: "hint one byte over", form: url.Values{"token": {"t"}, "token_type_hint": {strings.Repeat("h", oauth.MaxTokenTypeHint+1)}}, wantStatus: http.StatusBadRequest},
	}
	for _, endpoint := range []string{"introspect", "revoke"} {
		for _, tc := range tests {
			t.Run(endpoint+": "+tc.name, func(t *testing.T) {
				refresh := &recordingRefresh{}
				e := newEnv(t, func(o *Options) { o.Refresh = refresh })
				h := e.handler.Introspect
				if endpoint == "revoke" {
					h = e.handler.Revoke
				}
				rec := do(h, clientPost("/", rp, tc.form))
				if rec.Code != tc.wantStatus {
					t.Fatalf("status %d, want %d: %.200s", rec.Code, tc.wantStatus, rec.Body)
				}
				if tc.wantStatus == http.StatusBadRequest {
					if body := decode(t, rec.Body.Bytes()); body["error"] != "invalid_request" {
						t.Errorf("body %v", body)
					}
				}
				if rec.Body.Len() > 200 {
					t.Errorf("answer of %d bytes", rec.Body.Len())
				}
				if got := refresh.lookups > 0; got != tc.wantLookup {
					t.Errorf("looked up: %v, want %v", got, tc.wantLookup)
				}
			})
		}
	}
}

// TestUserInfoTokenLimit: a bearer token longer than any access token is
// invalid_token with the Bearer challenge, in the header or the body.
func TestUserInfoTokenLimit(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("t", oauth.MaxAccessToken+1)
	header := httptest.NewRequest(http.MethodGet, "/userinfo", nil)
	header.Header.Set("Authorization", "Bearer "+long)
	body := httptest.NewRequest(http.MethodPost, "/userinfo", strings.NewReader(url.Values{"access_token": {long}}.Encode()))
	body.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for name, r := range map[string]*http.Request{"header": header, "body": body} {
		t.Run(name, func(t *testing.T) {
			rec := do(e.handler.UserInfo, r)
			got := decode(t, rec.Body.Bytes())
			if rec.Code != http.StatusUnauthorized || got["error"] != "invalid_token" || got["error_description"] != "The access token is too long." {
				t.Errorf("%d %.200s", rec.Code, rec.Body)
			}
			if !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
	// At the limit, the token is read and checked as any other.
	ok := e.accessToken(rp, "openid")
	r := httptest.NewRequest(http.MethodGet, "/userinfo", nil)
	r.Header.Set("Authorization", "Bearer "+ok)
	if rec := do(e.handler.UserInfo, r); rec.Code != http.StatusOK {
		t.Errorf("a real token: %d %s", rec.Code, rec.Body)
	}
}
