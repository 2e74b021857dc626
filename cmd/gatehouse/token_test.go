package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// startDemoServer runs gatehouse serve on a port chosen beforehand, so
// that the issuer is the address it really serves at: the demo relying
// party, a go-oidc and x/oauth2 client, talks to the issuer over HTTP.
// The dev directory's demo-rp client is loaded with its redirect URI on
// that port.
func startDemoServer(t *testing.T) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	dev, err := os.ReadFile("../../conf/dev-directory.ldif")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ldif := filepath.Join(dir, "directory.ldif")
	if err := os.WriteFile(ldif, []byte(strings.ReplaceAll(string(dev), "127.0.0.1:8080", addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{ldif}})
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	secretFile := writeFile(t, dir, "demo-secret", "demo-rp-secret\n")
	s := startServe(t, fmt.Sprintf(`issuer: http://%s
listen: %s
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
demo: {enabled: true, clientID: demo-rp, clientSecretFile: %s}
`, addr, addr, dir, slapd.URL, slapd.AdminDN, pwFile, secretFile))
	return s
}

// TestDemoRelyingPartyCodeFlow signs in through the demo relying party:
// go-oidc reads discovery, x/oauth2 redeems the code with PKCE and
// client_secret_basic (an Argon2id-hashed secret), and go-oidc verifies
// the ID token against /jwks.json — the login and consent forms posted as
// a browser would.
func TestDemoRelyingPartyCodeFlow(t *testing.T) {
	s := startDemoServer(t)
	b := newBrowser(t, s)

	p := b.do(http.MethodGet, "/demo/start", nil)
	if p.status != http.StatusSeeOther || !strings.Contains(p.location, "/authorize?") {
		t.Fatalf("demo start: %d %q\n%s", p.status, p.location, p.body)
	}
	p = b.do(http.MethodGet, p.location, nil)
	if !strings.Contains(p.location, "/login?flow=") {
		t.Fatalf("authorize: %d %q\n%s", p.status, p.location, p.body)
	}
	f := formFields(t, b.do(http.MethodGet, p.location, nil))
	f.Set("username", "alice")
	f.Set("password", "alice-password")
	p = b.do(http.MethodPost, "/login", f)
	cf := formFields(t, b.do(http.MethodGet, p.location, nil))
	cf.Set("decision", "allow")
	p = b.do(http.MethodPost, "/consent", cf)
	if !strings.HasPrefix(p.location, s.base+"/demo/callback?") {
		t.Fatalf("consent: %d %q", p.status, p.location)
	}
	result := b.do(http.MethodGet, p.location, nil)
	if result.status != http.StatusOK {
		t.Fatalf("demo callback: %d\n%s", result.status, result.body)
	}
	for _, want := range []string{`id="claims"`, "alice@example.org", "Alice Liddell", "admins", "staff", `&#34;sid&#34;`} {
		if !strings.Contains(result.body, want) {
			t.Errorf("the demo's page lacks %q:\n%s", want, result.body)
		}
	}
}

// tokenRequest posts a form to /token with Basic client authentication.
func tokenRequest(t *testing.T, s *server, clientID, secret string, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if clientID != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token response is not JSON: %v", err)
	}
	return resp.StatusCode, body, resp.Header
}

// codeFor runs the browser flow for the demo-rp client and returns a code
// issued with the test's PKCE challenge.
func codeFor(t *testing.T, s *server, b *browser) string {
	t.Helper()
	redirect := s.base + "/demo/callback"
	p := b.do(http.MethodGet, authorizeURL("demo-rp", redirect, nil), nil)
	if strings.HasPrefix(p.location, "/login") {
		f := formFields(t, b.do(http.MethodGet, p.location, nil))
		f.Set("username", "bob")
		f.Set("password", "bob-password")
		p = b.do(http.MethodPost, "/login", f)
	}
	if strings.HasPrefix(p.location, "/consent") {
		cf := formFields(t, b.do(http.MethodGet, p.location, nil))
		cf.Set("decision", "allow")
		p = b.do(http.MethodPost, "/consent", cf)
	}
	return callbackParams(t, p, redirect).Get("code")
}

func TestTokenEndpoint(t *testing.T) {
	s := startDemoServer(t)
	b := newBrowser(t, s)
	redirect := s.base + "/demo/callback"
	verifier, _ := pkce()
	redeem := func(code, v string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {v}}
	}

	code := codeFor(t, s, b)
	status, body, header := tokenRequest(t, s, "demo-rp", "demo-rp-secret", redeem(code, verifier))
	if status != http.StatusOK || body["access_token"] == nil || body["id_token"] == nil || body["token_type"] != "Bearer" {
		t.Fatalf("redeem: %d %v", status, body)
	}
	if header.Get("Cache-Control") != "no-store" || header.Get("Pragma") != "no-cache" {
		t.Errorf("token response caching headers: %q %q", header.Get("Cache-Control"), header.Get("Pragma"))
	}

	tests := []struct {
		name       string
		clientID   string
		secret     string
		form       url.Values
		wantStatus int
		wantError  string
	}{
		{name: "code replayed", clientID: "demo-rp", secret: "demo-rp-secret", form: redeem(code, verifier), wantStatus: 400, wantError: "invalid_grant"},
		{name: "wrong PKCE verifier", clientID: "demo-rp", secret: "demo-rp-secret", form: redeem(codeFor(t, s, b), "x"+verifier), wantStatus: 400, wantError: "invalid_grant"},
		{name: "wrong secret", clientID: "demo-rp", secret: "wrong", form: redeem(codeFor(t, s, b), verifier), wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", clientID: "nobody", secret: "x", form: redeem("c", verifier), wantStatus: 401, wantError: "invalid_client"},
		{name: "no client authentication", form: redeem("c", verifier), wantStatus: 401, wantError: "invalid_client"},
		{name: "unsupported grant", clientID: "demo-rp", secret: "demo-rp-secret", form: url.Values{"grant_type": {"password"}}, wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "grant not registered", clientID: "demo-rp", secret: "demo-rp-secret", form: url.Values{"grant_type": {"client_credentials"}}, wantStatus: 400, wantError: "unauthorized_client"},
		{name: "missing grant type", clientID: "demo-rp", secret: "demo-rp-secret", form: url.Values{"code": {"c"}}, wantStatus: 400, wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, header := tokenRequest(t, s, tc.clientID, tc.secret, tc.form)
			if status != tc.wantStatus || body["error"] != tc.wantError {
				t.Errorf("%d %v, want %d %s", status, body, tc.wantStatus, tc.wantError)
			}
			if header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", header.Get("Cache-Control"))
			}
			if status == 401 && tc.clientID != "" && !strings.HasPrefix(header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("WWW-Authenticate = %q", header.Get("WWW-Authenticate"))
			}
		})
	}
}
