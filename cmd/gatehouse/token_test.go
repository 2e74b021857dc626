package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// startDemoServer runs gatehouse serve on a port chosen beforehand, so
// that the issuer is the address it really serves at: the demo relying
// party, a go-oidc and x/oauth2 client, talks to the issuer over HTTP.
// The dev directory's demo-rp client is loaded with its redirect URI on
// that port.
func startDemoServer(t *testing.T) *server {
	t.Helper()
	s, _ := startDemoDirectoryServer(t, "")
	return s
}

// startDemoDirectoryServer is startDemoServer with extraLDIF added to the
// dev directory (its 127.0.0.1:8080 replaced like the rest), and the
// directory returned for the test to change behind the server's back.
func startDemoDirectoryServer(t *testing.T, extraLDIF string) (*server, *ldaptest.Slapd) {
	t.Helper()
	return startDemoDirectoryServerWith(t, extraLDIF, "")
}

// startDemoServerWith is startDemoServer with extraYAML added to its
// configuration.
func startDemoServerWith(t *testing.T, extraYAML string) *server {
	t.Helper()
	s, _ := startDemoDirectoryServerWith(t, "", extraYAML)
	return s
}

func startDemoDirectoryServerWith(t *testing.T, extraLDIF, extraYAML string) (*server, *ldaptest.Slapd) {
	t.Helper()
	addr, dir, slapd := devDirectory(t, extraLDIF)
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
`, addr, addr, dir, slapd.URL, slapd.AdminDN, pwFile, secretFile)+extraYAML)
	return s, slapd
}

// devDirectory picks a free address for a server to listen on and starts a
// private OpenLDAP with the dev directory plus extraLDIF, its
// 127.0.0.1:8080 (the demo's redirect URIs) replaced by that address. dir
// is a temporary directory for the server's files.
func devDirectory(t *testing.T, extraLDIF string) (addr, dir string, slapd *ldaptest.Slapd) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	dev, err := os.ReadFile("../../conf/dev-directory.ldif")
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	ldif := filepath.Join(dir, "directory.ldif")
	all := string(dev) + "\n" + extraLDIF
	if err := os.WriteFile(ldif, []byte(strings.ReplaceAll(all, "127.0.0.1:8080", addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	return addr, dir, ldaptest.New(t, ldaptest.Options{LDIF: []string{ldif}})
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
	p = b.next(p)
	if !isLoginPage(p) {
		t.Fatalf("authorize: %d %q\n%s", p.status, p.location, p.body)
	}
	f := formFields(t, p)
	f.Set("username", "alice")
	f.Set("password", "alice-password")
	p = b.do(http.MethodPost, "/login", f)
	cf := formFields(t, b.next(p))
	cf.Set("decision", "allow")
	p = b.do(http.MethodPost, "/consent", cf)
	if !strings.HasPrefix(p.location, s.base+"/demo/callback?") {
		t.Fatalf("consent: %d %q", p.status, p.location)
	}
	result := b.next(p)
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
	return codeForClient(t, s, b, "demo-rp", nil)
}

// codeForClient is codeFor for any client with the demo's redirect URI,
// with extra authorization request parameters.
func codeForClient(t *testing.T, s *server, b *browser, clientID string, extra url.Values) string {
	t.Helper()
	redirect := s.base + "/demo/callback"
	p := b.do(http.MethodGet, authorizeURL(clientID, redirect, extra), nil)
	if isLoginPage(p) {
		f := formFields(t, b.next(p))
		f.Set("username", "bob")
		f.Set("password", "bob-password")
		p = b.do(http.MethodPost, "/login", f)
	}
	if isConsentPage(p) {
		cf := formFields(t, b.next(p))
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
		{name: "resource with a fragment", clientID: "demo-rp", secret: "demo-rp-secret", form: func() url.Values {
			f := redeem("c", verifier)
			f.Set("resource", "https://api.example/#x")
			return f
		}(), wantStatus: 400, wantError: "invalid_target"},
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

// refreshClients are two more clients beside demo-rp, with its secret
// (demo-rp-secret) and redirect URI: one registered for refresh tokens,
// one not.
const refreshClients = `
dn: oauthClientID=other-rp,ou=clients,dc=example,dc=org
objectClass: oidcRelyingParty
objectClass: gatehouseClient
oauthClientID: other-rp
oauthClientIDIssueTime: 20261125000000Z
oauthClientSecret: $argon2id$v=19$m=65536,t=1,p=2$24G7Sr6Zv3wRWY3h6FnrTw$sIscSiV6N2VZiekCsNfYPibrxH/r0c4gYjSI+5IU1uE
oauthRedirectURI: http://127.0.0.1:8080/demo/callback
oauthTokenEndpointAuthMethod: client_secret_basic
oauthGrantType: authorization_code
oauthGrantType: refresh_token
oauthResponseType: code
oauthScopeValue: openid
oauthScopeValue: profile
oauthScopeValue: offline_access
gatehouseVersion: seed-1

dn: oauthClientID=norefresh-rp,ou=clients,dc=example,dc=org
objectClass: oidcRelyingParty
objectClass: gatehouseClient
oauthClientID: norefresh-rp
oauthClientIDIssueTime: 20261125000000Z
oauthClientSecret: $argon2id$v=19$m=65536,t=1,p=2$24G7Sr6Zv3wRWY3h6FnrTw$sIscSiV6N2VZiekCsNfYPibrxH/r0c4gYjSI+5IU1uE
oauthRedirectURI: http://127.0.0.1:8080/demo/callback
oauthTokenEndpointAuthMethod: client_secret_basic
oauthGrantType: authorization_code
oauthResponseType: code
oauthScopeValue: openid
oauthScopeValue: profile
oauthScopeValue: offline_access
gatehouseVersion: seed-1
`

const demoSecret = "demo-rp-secret"

// TestRefreshTokens: refresh tokens come with offline_access, rotate on
// every use, end with their whole family when a rotated one is used again
// (RFC 9700 §4.14.2), belong to one client, never widen the scope, and
// end when the authorization is deleted from the directory.
func TestRefreshTokens(t *testing.T) {
	s, slapd := startDemoDirectoryServer(t, refreshClients)
	b := newBrowser(t, s)
	verifier, _ := pkce()
	offline := url.Values{"scope": {"openid profile offline_access"}}
	redeem := func(clientID string, extra url.Values) map[string]any {
		t.Helper()
		code := codeForClient(t, s, b, clientID, extra)
		status, body, _ := tokenRequest(t, s, clientID, demoSecret, url.Values{"grant_type": {"authorization_code"},
			"code": {code}, "redirect_uri": {s.base + "/demo/callback"}, "code_verifier": {verifier}})
		if status != http.StatusOK {
			t.Fatalf("redeem for %s: %d %v", clientID, status, body)
		}
		return body
	}
	refresh := func(clientID, token string, extra url.Values) (int, map[string]any) {
		t.Helper()
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
		for k, v := range extra {
			form[k] = v
		}
		status, body, header := tokenRequest(t, s, clientID, demoSecret, form)
		if header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q", header.Get("Cache-Control"))
		}
		return status, body
	}
	refused := func(what string, status int, body map[string]any, wantError string) {
		t.Helper()
		if status != http.StatusBadRequest || body["error"] != wantError || body["access_token"] != nil {
			t.Errorf("%s: %d %v, want 400 %s", what, status, body, wantError)
		}
	}
	str := func(body map[string]any, key string) string { v, _ := body[key].(string); return v }

	rt1 := str(redeem("demo-rp", offline), "refresh_token")
	if rt1 == "" {
		t.Fatal("no refresh token for offline_access")
	}

	status, body := refresh("demo-rp", rt1, nil)
	rt2 := str(body, "refresh_token")
	if status != http.StatusOK || str(body, "access_token") == "" || str(body, "id_token") == "" || rt2 == "" || rt2 == rt1 {
		t.Fatalf("refresh: %d %v", status, body)
	}
	if claims := jwtClaims(t, str(body, "id_token")); claims["nonce"] != nil || claims["aud"] != "demo-rp" || claims["sub"] == nil {
		t.Errorf("refreshed ID token claims: %v", claims)
	}
	if body["scope"] != "openid profile offline_access" {
		t.Errorf("refreshed scope = %v", body["scope"])
	}

	// rt1 was rotated away: using it again is reuse, and ends rt2 too.
	status, body = refresh("demo-rp", rt1, nil)
	refused("rotated token reused", status, body, "invalid_grant")
	status, body = refresh("demo-rp", rt2, nil)
	refused("newest token after reuse", status, body, "invalid_grant")

	// A new sign-in starts a new family.
	rt3 := str(redeem("demo-rp", offline), "refresh_token")
	status, body = refresh("other-rp", rt3, nil)
	refused("another client", status, body, "invalid_grant")
	status, body = refresh("demo-rp", rt3, url.Values{"scope": {"openid profile email"}})
	refused("scope widened", status, body, "invalid_scope")
	status, body = refresh("demo-rp", rt3, url.Values{"scope": {"openid"}})
	rt4 := str(body, "refresh_token")
	if status != http.StatusOK || body["scope"] != "openid" || rt4 == "" {
		t.Fatalf("refresh narrowing the scope: %d %v", status, body)
	}

	for _, tc := range []struct {
		name, token, wantError string
	}{
		{name: "missing", token: "", wantError: "invalid_request"},
		{name: "malformed", token: "not-a-token", wantError: "invalid_grant"},
		{name: "forged secret", token: strings.Repeat("A", 43) + rt4[43:], wantError: "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := refresh("demo-rp", tc.token, nil)
			refused(tc.name, status, body, tc.wantError)
		})
	}

	// Revoking consent deletes the authorization: its refresh tokens end.
	conn := slapd.Conn(t)
	res, err := conn.Search(ldap.NewSearchRequest("ou=authorizations,dc=example,dc=org", ldap.ScopeSingleLevel,
		ldap.NeverDerefAliases, 0, 0, false, "(authzClientID=demo-rp)", []string{"authzRefreshToken"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("find the authorization: %v", err)
	}
	if res.Entries[0].GetAttributeValue("authzRefreshToken") == "" || strings.Contains(rt4, res.Entries[0].GetAttributeValue("authzRefreshToken")) {
		t.Errorf("authzRefreshToken = %q: want the hash, never the token", res.Entries[0].GetAttributeValue("authzRefreshToken"))
	}
	if err := conn.Del(ldap.NewDelRequest(res.Entries[0].DN, nil)); err != nil {
		t.Fatal(err)
	}
	status, body = refresh("demo-rp", rt4, nil)
	refused("authorization deleted", status, body, "invalid_grant")

	// No refresh token without offline_access, nor for a client not
	// registered for the refresh_token grant.
	if rt := str(redeem("demo-rp", nil), "refresh_token"); rt != "" {
		t.Error("a refresh token without offline_access")
	}
	if rt := str(redeem("norefresh-rp", offline), "refresh_token"); rt != "" {
		t.Error("a refresh token for a client not registered for refresh_token")
	}
	status, body = refresh("norefresh-rp", rt4, nil)
	if status != http.StatusBadRequest || body["error"] != "unauthorized_client" {
		t.Errorf("refresh by a client not registered for it: %d %v", status, body)
	}
}

// jwtClaims decodes a JWS's payload without checking it; the flow tests
// verify signatures.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &claims)
	}
	if err != nil {
		t.Fatalf("JWS payload: %v", err)
	}
	return claims
}
