package resource

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

var inactive = map[string]any{"active": false}

func TestIntrospectOwner(t *testing.T) {
	e := newEnv(t)
	tok := e.boundAccessToken(rp, "openid", "email")
	ac, err := e.minter.ParseAccessToken(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"active": true, "scope": "openid email", "client_id": rp, "sub": "ann",
		"exp": float64(ac.ExpiresAt.Unix()), "iat": float64(ac.IssuedAt.Unix()),
		"iss": issuer, "aud": issuer, "jti": ac.JTI, "token_type": "Bearer",
		"cnf": map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"},
	}
	if got := e.introspect(rp, tok); !reflect.DeepEqual(got, want) {
		t.Errorf("introspection %v\nwant %v", got, want)
	}
}

func TestIntrospectInactive(t *testing.T) {
	tests := []struct {
		name   string
		client string
		token  func(e *env) string
	}{
		{name: "another client's token", client: other, token: func(e *env) string { return e.accessToken(rp, "openid") }},
		{name: "garbage", client: rp, token: func(*env) string { return "garbage" }},
		{
			name: "expired", client: rp,
			token: func(e *env) string {
				tok := e.accessToken(rp, "openid")
				e.clock.Advance(time.Hour)
				return tok
			},
		},
		{
			name: "revoked", client: rp,
			token: func(e *env) string {
				tok := e.accessToken(rp, "openid")
				if rec := do(e.handler.Revoke, clientPost("/token/revoke", rp, url.Values{"token": {tok}})); rec.Code != http.StatusOK {
					e.t.Fatalf("revocation: %d %s", rec.Code, rec.Body)
				}
				return tok
			},
		},
		{
			name: "ID token", client: rp,
			token: func(e *env) string {
				id, err := e.minter.IDToken(context.Background(), tokens.IDToken{Client: e.fx.clients[rp], Subject: "ann"})
				if err != nil {
					e.t.Fatal(err)
				}
				return id
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if got := e.introspect(tc.client, tc.token(e)); !reflect.DeepEqual(got, inactive) {
				t.Errorf("introspection %v, want inactive", got)
			}
		})
	}
}

func TestIntrospectAnyClient(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.IntrospectAnyClient = true })
	got := e.introspect(other, e.accessToken(rp, "openid"))
	if got["active"] != true || got["client_id"] != rp {
		t.Errorf("introspection %v, want the token of rp active", got)
	}
}

func TestIntrospectRefusals(t *testing.T) {
	tests := []struct {
		name       string
		request    func(e *env) *http.Request
		wantStatus int
		wantError  string
	}{
		{
			name:       "unauthenticated",
			request:    func(e *env) *http.Request { return clientPost("/", "", url.Values{"token": {e.accessToken(rp)}}) },
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "wrong secret",
			request: func(e *env) *http.Request {
				r := clientPost("/", "", url.Values{"token": {e.accessToken(rp)}})
				r.SetBasicAuth(rp, "wrong")
				return r
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "public client",
			request: func(e *env) *http.Request {
				return clientPost("/", "", url.Values{"token": {e.accessToken(public)}, "client_id": {public}})
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name:       "no token",
			request:    func(*env) *http.Request { return clientPost("/", rp, url.Values{}) },
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name: "token in the URL",
			request: func(e *env) *http.Request {
				return clientPost("/?token="+e.accessToken(rp), rp, url.Values{"token": {e.accessToken(rp)}})
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name: "token twice",
			request: func(e *env) *http.Request {
				return clientPost("/", rp, url.Values{"token": {e.accessToken(rp), e.accessToken(rp)}})
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name: "JSON body",
			request: func(*env) *http.Request {
				r := clientPost("/", rp, nil)
				r.Body = http.NoBody
				r.Header.Set("Content-Type", "application/json")
				return r
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name:       "GET",
			request:    func(*env) *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) },
			wantStatus: http.StatusMethodNotAllowed, wantError: "invalid_request",
		},
	}
	for _, tc := range tests {
		for name, h := range map[string]func(e *env) http.HandlerFunc{
			"introspect": func(e *env) http.HandlerFunc { return e.handler.Introspect },
			"revoke":     func(e *env) http.HandlerFunc { return e.handler.Revoke },
		} {
			if name == "revoke" && tc.name == "public client" {
				continue // RFC 7009 §2.1 lets public clients revoke
			}
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t)
				rec := do(h(e), tc.request(e))
				checkNoStore(t, rec)
				var body map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("body %q: %v", rec.Body, err)
				}
				if rec.Code != tc.wantStatus || body["error"] != tc.wantError {
					t.Errorf("got %d %v, want %d %s", rec.Code, body, tc.wantStatus, tc.wantError)
				}
				if tc.wantError == "invalid_client" && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Basic") {
					t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
				}
			})
		}
	}
}

func TestIntrospectRevocationListDown(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Revocations = failingKV{} })
	rec := do(e.handler.Introspect, clientPost("/", rp, url.Values{"token": {e.accessToken(rp)}}))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503: %s", rec.Code, rec.Body)
	}
}
