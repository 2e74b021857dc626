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

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

func getUserInfo(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/userinfo", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

func postUserInfo(form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/userinfo", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestUserInfoRefusals(t *testing.T) {
	tests := []struct {
		name       string
		request    func(e *env) *http.Request
		wantStatus int
		// wantChallenge is the error in WWW-Authenticate; "" wants the
		// bare challenge of a request without a token.
		wantChallenge string
		wantScope     bool
	}{
		{
			name:       "no token",
			request:    func(*env) *http.Request { return getUserInfo("") },
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "another scheme",
			request: func(*env) *http.Request {
				r := getUserInfo("")
				r.Header.Set("Authorization", "Basic cnA6cnAtc2VjcmV0")
				return r
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "token in the query",
			request: func(e *env) *http.Request {
				return httptest.NewRequest(http.MethodGet, "/userinfo?access_token="+e.accessToken(rp, "openid"), nil)
			},
			wantStatus: http.StatusBadRequest, wantChallenge: "invalid_request",
		},
		{
			name: "header and body",
			request: func(e *env) *http.Request {
				tok := e.accessToken(rp, "openid")
				r := postUserInfo(url.Values{"access_token": {tok}})
				r.Header.Set("Authorization", "Bearer "+tok)
				return r
			},
			wantStatus: http.StatusBadRequest, wantChallenge: "invalid_request",
		},
		{
			name: "two Authorization headers",
			request: func(e *env) *http.Request {
				r := getUserInfo(e.accessToken(rp, "openid"))
				r.Header.Add("Authorization", "Bearer x")
				return r
			},
			wantStatus: http.StatusBadRequest, wantChallenge: "invalid_request",
		},
		{
			name:       "Bearer without a token",
			request:    func(*env) *http.Request { r := getUserInfo(""); r.Header.Set("Authorization", "Bearer "); return r },
			wantStatus: http.StatusBadRequest, wantChallenge: "invalid_request",
		},
		{
			name:       "garbage",
			request:    func(*env) *http.Request { return getUserInfo("not-a-token") },
			wantStatus: http.StatusUnauthorized, wantChallenge: "invalid_token",
		},
		{
			name: "expired",
			request: func(e *env) *http.Request {
				tok := e.accessToken(rp, "openid")
				e.clock.Advance(time.Hour)
				return getUserInfo(tok)
			},
			wantStatus: http.StatusUnauthorized, wantChallenge: "invalid_token",
		},
		{
			name: "revoked",
			request: func(e *env) *http.Request {
				tok := e.accessToken(rp, "openid")
				ac, err := e.minter.ParseAccessToken(context.Background(), tok)
				if err != nil {
					e.t.Fatal(err)
				}
				if err := e.handler.Revocations().Revoke(context.Background(), ac.JTI, ac.ExpiresAt); err != nil {
					e.t.Fatal(err)
				}
				return getUserInfo(tok)
			},
			wantStatus: http.StatusUnauthorized, wantChallenge: "invalid_token",
		},
		{
			name: "ID token",
			request: func(e *env) *http.Request {
				id, err := e.minter.IDToken(context.Background(), tokens.IDToken{Client: e.fx.clients[rp], Subject: "ann"})
				if err != nil {
					e.t.Fatal(err)
				}
				return getUserInfo(id)
			},
			wantStatus: http.StatusUnauthorized, wantChallenge: "invalid_token",
		},
		{
			name: "unknown person",
			request: func(e *env) *http.Request {
				tok, _, err := e.minter.AccessToken(context.Background(), tokens.AccessToken{ClientID: rp, Subject: "gone", Scopes: []string{"openid"}})
				if err != nil {
					e.t.Fatal(err)
				}
				return getUserInfo(tok)
			},
			wantStatus: http.StatusUnauthorized, wantChallenge: "invalid_token",
		},
		{
			name:       "without openid",
			request:    func(e *env) *http.Request { return getUserInfo(e.accessToken(rp, "profile")) },
			wantStatus: http.StatusForbidden, wantChallenge: "insufficient_scope", wantScope: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rec := do(e.handler.UserInfo, tc.request(e))
			checkNoStore(t, rec)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantStatus, rec.Body)
			}
			challenge := rec.Header().Get("WWW-Authenticate")
			if !strings.HasPrefix(challenge, "Bearer") {
				t.Fatalf("WWW-Authenticate = %q, want a Bearer challenge", challenge)
			}
			if tc.wantChallenge == "" {
				if strings.Contains(challenge, "error") || rec.Body.Len() != 0 {
					t.Errorf("a request without a token got %q and body %q", challenge, rec.Body)
				}
				return
			}
			if !strings.Contains(challenge, `error="`+tc.wantChallenge+`"`) {
				t.Errorf("WWW-Authenticate = %q, want error %s", challenge, tc.wantChallenge)
			}
			if tc.wantScope != strings.Contains(challenge, `scope="openid"`) {
				t.Errorf("WWW-Authenticate = %q, scope wanted: %v", challenge, tc.wantScope)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] != tc.wantChallenge {
				t.Errorf("body %s, want error %s", rec.Body, tc.wantChallenge)
			}
		})
	}
}

func TestUserInfoClaims(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		post   bool
		want   map[string]any
	}{
		{name: "openid", scopes: []string{"openid"}, want: map[string]any{"sub": "ann"}},
		{
			name: "profile", scopes: []string{"openid", "profile"},
			want: map[string]any{"sub": "ann", "name": "Ann Example", "preferred_username": "ann"},
		},
		{
			name: "email by POST", scopes: []string{"openid", "email"}, post: true,
			want: map[string]any{"sub": "ann", "email": "ann@example.com", "email_verified": true},
		},
		{
			name: "groups", scopes: []string{"openid", "groups"},
			want: map[string]any{"sub": "ann", "groups": []any{"admins", "staff"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.accessToken(rp, tc.scopes...)
			r := getUserInfo(tok)
			if tc.post {
				r = postUserInfo(url.Values{"access_token": {tok}})
			}
			rec := do(e.handler.UserInfo, r)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			checkNoStore(t, rec)
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("claims %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUserInfoSigned(t *testing.T) {
	e := newEnv(t)
	rec := do(e.handler.UserInfo, getUserInfo(e.accessToken(signer, "openid", "email")))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/jwt" {
		t.Fatalf("status %d, Content-Type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	checkNoStore(t, rec)
	tok, err := jwt.ParseSigned(rec.Body.String(), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := tok.Claims(e.fx.keys.Public(), &claims); err != nil {
		t.Fatalf("signature: %v", err)
	}
	want := map[string]any{"iss": issuer, "aud": signer, "sub": "ann", "email": "ann@example.com", "email_verified": true}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("claims %v, want %v", claims, want)
	}
}

func TestUserInfoEncrypted(t *testing.T) {
	e := newEnv(t)
	rec := do(e.handler.UserInfo, getUserInfo(e.accessToken(sealer, "openid", "profile")))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/jwt" {
		t.Fatalf("status %d, Content-Type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	jwe, err := jose.ParseEncryptedCompact(rec.Body.String(), []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := jwe.Decrypt(e.fx.sealKey)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(plain, &claims); err != nil {
		t.Fatalf("plaintext %q: %v", plain, err)
	}
	want := map[string]any{"iss": issuer, "aud": sealer, "sub": "ann", "name": "Ann Example", "preferred_username": "ann"}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("claims %v, want %v", claims, want)
	}
}

func TestUserInfoRevocationListDown(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Revocations = failingKV{} })
	rec := do(e.handler.UserInfo, getUserInfo(e.accessToken(rp, "openid")))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503: %s", rec.Code, rec.Body)
	}
}

func TestUserInfoMethod(t *testing.T) {
	e := newEnv(t)
	rec := do(e.handler.UserInfo, httptest.NewRequest(http.MethodPut, "/userinfo", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, POST" {
		t.Errorf("status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestUserInfoSignedAndEncrypted(t *testing.T) {
	e := newEnv(t)
	rec := do(e.handler.UserInfo, getUserInfo(e.accessToken(nested, "openid")))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/jwt" {
		t.Fatalf("status %d, Content-Type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	// OpenID Connect Core §5.3.2: signed, then encrypted; A128CBC-HS256
	// when the client registered no enc.
	jwe, err := jose.ParseEncryptedCompact(rec.Body.String(), []jose.KeyAlgorithm{jose.RSA_OAEP_256},
		[]jose.ContentEncryption{jose.A128CBC_HS256})
	if err != nil {
		t.Fatal(err)
	}
	if cty := jwe.Header.ExtraHeaders[jose.HeaderContentType]; cty != "JWT" {
		t.Errorf("cty = %v, want JWT", cty)
	}
	plain, err := jwe.Decrypt(e.fx.sealKey)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	inner, err := jwt.ParseSigned(string(plain), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := inner.Claims(e.fx.keys.Public(), &claims); err != nil {
		t.Fatalf("signature: %v", err)
	}
	want := map[string]any{"iss": issuer, "aud": nested, "sub": "ann"}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("claims %v, want %v", claims, want)
	}
}

// A certificate-bound token presented without its certificate is refused
// (RFC 8705 §3).
func TestUserInfoRefusesBoundTokenWithoutCertificate(t *testing.T) {
	e := newEnv(t)
	req := httptest.NewRequest(http.MethodGet, "/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+e.boundAccessToken(rp, "openid"))
	rec := do(e.handler.UserInfo, req)
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("status %d, WWW-Authenticate %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}
