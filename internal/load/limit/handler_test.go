package limit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const (
	testIssuer = "http://127.0.0.1:9999"
	testClient = "client:1" // a colon: Basic halves are form-encoded
	testSecret = "s3cret&+/"
)

func newTestHandler(t *testing.T, alg string) *Handler {
	t.Helper()
	h, err := New(Config{Issuer: testIssuer, ClientID: testClient, Secret: testSecret, Alg: alg})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// post sends a token request; id empty means no Authorization header.
func post(h http.Handler, method, path, form, id, secret string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAnswers(t *testing.T) {
	h := newTestHandler(t, ES256) // the cheap key: the answers do not depend on it
	good := "grant_type=client_credentials&scope=api"
	tests := []struct {
		name, method, path, form, id, secret string
		status                               int
		wantError                            string
	}{
		{name: "token", method: http.MethodPost, path: "/token", form: good, id: testClient, secret: testSecret, status: http.StatusOK},
		{name: "wrong secret", method: http.MethodPost, path: "/token", form: good, id: testClient, secret: "nope", status: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "wrong client", method: http.MethodPost, path: "/token", form: good, id: "other", secret: testSecret, status: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "no credentials", method: http.MethodPost, path: "/token", form: good, status: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "other grant", method: http.MethodPost, path: "/token", form: "grant_type=password", id: testClient, secret: testSecret, status: http.StatusBadRequest, wantError: "unsupported_grant_type"},
		{name: "no grant", method: http.MethodPost, path: "/token", form: "", id: testClient, secret: testSecret, status: http.StatusBadRequest, wantError: "unsupported_grant_type"},
		{name: "body too large", method: http.MethodPost, path: "/token", form: good + "&pad=" + strings.Repeat("a", maxBody), id: testClient, secret: testSecret, status: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "GET", method: http.MethodGet, path: "/token", id: testClient, secret: testSecret, status: http.StatusMethodNotAllowed},
		{name: "other path", method: http.MethodPost, path: "/authorize", form: good, id: testClient, secret: testSecret, status: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(h, tc.method, tc.path, tc.form, tc.id, tc.secret)
			if rec.Code != tc.status || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("status %d, Cache-Control %q; want %d, no-store\n%s", rec.Code, rec.Header().Get("Cache-Control"), tc.status, rec.Body)
			}
			if tc.wantError == "" {
				return
			}
			var got struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Error != tc.wantError {
				t.Errorf("body %q (%v), want error %q", rec.Body, err, tc.wantError)
			}
		})
	}
}

// TestTokenVerifies: the answer is an RFC 6749 §5.1 token response whose
// access token verifies with the handler's public key and carries the
// claims of a Gatehouse client_credentials token.
func TestTokenVerifies(t *testing.T) {
	for _, alg := range Algs {
		t.Run(alg, func(t *testing.T) {
			h := newTestHandler(t, alg)
			now := time.Unix(1_800_000_000, 0)
			h.now = func() time.Time { return now }
			rec := post(h, http.MethodPost, "/token", "grant_type=client_credentials&scope=api+read", testClient, testSecret)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			var resp struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
				Scope       string `json:"scope"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, rec.Body)
			}
			if resp.TokenType != "Bearer" || resp.ExpiresIn != 3600 || resp.Scope != "api read" {
				t.Errorf("response %+v", resp)
			}
			jws, err := jose.ParseSignedCompact(resp.AccessToken, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			if typ := jws.Signatures[0].Header.ExtraHeaders[jose.HeaderType]; typ != "at+jwt" {
				t.Errorf("typ %v, want at+jwt", typ)
			}
			payload, err := jws.Verify(h.PublicKey())
			if err != nil {
				t.Fatalf("does not verify with the public key: %v", err)
			}
			var c claims
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatal(err)
			}
			want := claims{Issuer: testIssuer, Subject: testClient, Audience: testIssuer, ClientID: testClient, Scope: "api read",
				IssuedAt: now.Unix(), Expires: now.Add(time.Hour).Unix(), JTI: c.JTI}
			if c != want || len(c.JTI) != 22 {
				t.Errorf("claims %+v, want %+v with a 128-bit jti", c, want)
			}
		})
	}
}

// TestJTIsDiffer: every token has its own jti.
func TestJTIsDiffer(t *testing.T) {
	h := newTestHandler(t, ES256)
	seen := map[string]bool{}
	for range 20 {
		tok, err := h.signer.accessToken(testIssuer, testClient, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		seen[tok] = true
	}
	if len(seen) != 20 {
		t.Errorf("%d distinct tokens of 20", len(seen))
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{name: "unknown alg", cfg: Config{Issuer: testIssuer, ClientID: "c", Secret: "s", Alg: "HS256"}, want: `algorithm "HS256"`},
		{name: "no secret", cfg: Config{Issuer: testIssuer, ClientID: "c", Alg: ES256}, want: "a secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
