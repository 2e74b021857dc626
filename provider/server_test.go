package provider

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/registration"
	"github.com/gatehouse-idp/gatehouse/provider/registration/registrationtest"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

var update = flag.Bool("update", false, "rewrite golden files")

// pinger is a directory stand-in for handler unit tests; the real
// directory is exercised by the end-to-end tests of cmd/gatehouse.
type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

func newTestServer(t *testing.T, issuer string, dir Pinger) http.Handler {
	t.Helper()
	keys, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	codec, err := secrets.New(secrets.Params{MemoryKiB: 256, Iterations: 1, Parallelism: 1}, keys.SecretKey(), keys.SecretKeyID())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{
		Issuer: issuer, Keys: keys, Directory: dir, Pages: pages,
		Clients:     registrationtest.New(),
		SecretCodec: codec, SecretVerifier: secrets.NewVerifier(codec, secrets.VerifierOptions{}),
		Registration: registration.Config{
			MasterTokenSHA256: testMasterTokenSHA256,
			Policy:            registration.Policy{AuthMethods: []string{"client_secret_basic"}},
		},
		SignIn: &SignIn{
			Users: nobody{}, Authorizations: noConsent{}, KV: session.NewMemory(session.MemoryOptions{}),
			ResponseModes:   []string{"query", "fragment", "form_post", "query.jwt"},
			ResponseJWSAlgs: []string{"RS256", "ES256"},
			ResponseJWEAlgs: []string{"RSA-OAEP-256"}, ResponseJWEEncs: []string{"A128CBC-HS256"},
		},
		Token: &Token{
			AuthMethods: []string{"client_secret_basic", "private_key_jwt", "none"},
			GroupsClaim: "groups", Claims: []string{"email", "groups", "name"},
			MTLSBaseURL: "https://mtls.idp.example.com", Certificates: true,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

// nobody and noConsent stand in for the directory where the tests here
// only look at the routes and the discovery document; the sign-in itself
// is tested end to end against OpenLDAP in cmd/gatehouse.
type nobody struct{}

func (nobody) Login(context.Context, string, string) (oauth.User, oauth.LoginOutcome, error) {
	return oauth.User{}, oauth.LoginInvalid, nil
}
func (nobody) Lookup(context.Context, string) (oauth.User, error) {
	return oauth.User{}, storage.ErrNotFound
}

type noConsent struct{}

func (noConsent) Get(context.Context, string, string) (oauth.Authorization, error) {
	return oauth.Authorization{}, storage.ErrNotFound
}
func (noConsent) Create(_ context.Context, a oauth.Authorization) (oauth.Authorization, error) {
	return a, nil
}
func (noConsent) Update(context.Context, string, string, func(oauth.Authorization) (oauth.Authorization, error)) (oauth.Authorization, error) {
	return oauth.Authorization{}, storage.ErrNotFound
}

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestDiscoveryGolden(t *testing.T) {
	h := newTestServer(t, "https://idp.example.com", pinger{})
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		t.Run(path, func(t *testing.T) {
			rec := get(t, h, path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			golden(t, "discovery.json", rec.Body.Bytes())
		})
	}
}

func TestIssuerWithPath(t *testing.T) {
	h := newTestServer(t, "https://idp.example.com/tenant/", pinger{})
	tests := []struct {
		name, path string
		wantStatus int
	}{
		{name: "OIDC discovery appended to the issuer", path: "/tenant/.well-known/openid-configuration", wantStatus: 200},
		{name: "RFC 8414 well-known inserted before the path", path: "/.well-known/oauth-authorization-server/tenant", wantStatus: 200},
		{name: "keys under the issuer path", path: "/tenant/jwks.json", wantStatus: 200},
		{name: "nothing at the root", path: "/jwks.json", wantStatus: 404},
		{name: "stylesheet under the issuer path", path: "/tenant/static/style.css", wantStatus: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if rec := get(t, h, tc.path); rec.Code != tc.wantStatus {
				t.Errorf("GET %s = %d, want %d", tc.path, rec.Code, tc.wantStatus)
			}
		})
	}
	if home := get(t, h, "/tenant/").Body.String(); !strings.Contains(home, `href="/tenant/static/style.css"`) {
		t.Errorf("the start page does not link the stylesheet under the issuer path:\n%s", home)
	}
	var doc map[string]any
	if err := json.Unmarshal(get(t, h, "/tenant/.well-known/openid-configuration").Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["issuer"] != "https://idp.example.com/tenant" || doc["jwks_uri"] != "https://idp.example.com/tenant/jwks.json" {
		t.Errorf("issuer/jwks_uri = %v / %v", doc["issuer"], doc["jwks_uri"])
	}
}

func TestJWKSPublishesPublicKeysOnly(t *testing.T) {
	h := newTestServer(t, "https://idp.example.com", pinger{})
	rec := get(t, h, "/jwks.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control = %q, want a max-age", cc)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	kinds := map[any]bool{}
	for _, k := range set.Keys {
		kinds[k["kty"]] = true
		for _, private := range []string{"d", "p", "q", "k"} {
			if _, ok := k[private]; ok {
				t.Errorf("key %v publishes %q", k["kid"], private)
			}
		}
	}
	if !kinds["RSA"] || !kinds["EC"] || !kinds["OKP"] || kinds["oct"] || len(set.Keys) != 3 {
		t.Errorf("published key types %v (%d keys), want RSA, EC and OKP (Ed25519) only", kinds, len(set.Keys))
	}
}

func TestHealth(t *testing.T) {
	tests := []struct {
		name       string
		dir        Pinger
		path       string
		wantStatus int
		wantBody   string
	}{
		{name: "live", dir: pinger{err: errors.New("down")}, path: "/health/live", wantStatus: 200, wantBody: `"status":"ok"`},
		{name: "ready", dir: pinger{}, path: "/health/ready", wantStatus: 200, wantBody: `"status":"ready"`},
		{name: "not ready", dir: pinger{err: errors.New("dial tcp 10.1.2.3:636: refused")}, path: "/health/ready", wantStatus: 503, wantBody: `"directory":"unreachable"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, newTestServer(t, "http://127.0.0.1:8080", tc.dir), tc.path)
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("GET %s = %d %s, want %d with %s", tc.path, rec.Code, rec.Body, tc.wantStatus, tc.wantBody)
			}
			if strings.Contains(rec.Body.String(), "10.1.2.3") {
				t.Error("internal error text leaked into the response")
			}
		})
	}
}

func TestPagesAndErrors(t *testing.T) {
	h := newTestServer(t, "http://127.0.0.1:8080", pinger{})
	tests := []struct {
		name, path string
		header     []string
		wantStatus int
		wantType   string
		wantBody   string
	}{
		{name: "home page", path: "/", wantStatus: 200, wantType: "text/html; charset=utf-8", wantBody: "/.well-known/openid-configuration"},
		{name: "stylesheet", path: "/static/style.css", wantStatus: 200, wantType: "text/css; charset=utf-8", wantBody: "--accent"},
		{name: "404 for a browser", path: "/nope", header: []string{"Accept", "text/html"}, wantStatus: 404, wantType: "text/html; charset=utf-8", wantBody: "Page not found"},
		{name: "404 for a program", path: "/nope", wantStatus: 404, wantType: "application/json", wantBody: `"error":"not_found"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.path, tc.header...)
			if rec.Code != tc.wantStatus || rec.Header().Get("Content-Type") != tc.wantType || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("GET %s = %d %q, body %q", tc.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP = %q", csp)
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("missing X-Content-Type-Options")
			}
		})
	}
	req := httptest.NewRequest(http.MethodPost, "/jwks.json", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /jwks.json = %d, want 405", rec.Code)
	}
}

func TestPanicBecomesPlain500(t *testing.T) {
	s := &Server{log: discardLogger()}
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internal state")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("panic answered %d %q", rec.Code, rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), `"error":"server_error"`) {
		t.Errorf("body = %q", rec.Body.String())
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
