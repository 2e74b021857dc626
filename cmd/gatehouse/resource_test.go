package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestUserInfoIntrospectionRevocation: the tokens of a code flow against
// OpenLDAP, used at /userinfo, inspected at /token/introspect and ended at
// /token/revoke.
func TestUserInfoIntrospectionRevocation(t *testing.T) {
	s := startDemoServer(t)
	b := newBrowser(t, s)
	verifier, _ := pkce()
	redirect := s.base + "/demo/callback"
	code := codeForClient(t, s, b, "demo-rp", url.Values{"scope": {"openid profile email offline_access"}})
	status, tok, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}})
	if status != http.StatusOK || tok["refresh_token"] == nil {
		t.Fatalf("redeem: %d %v", status, tok)
	}
	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)

	userinfo := func() (int, string) { return userinfoWith(t, s, access) }
	if st, body := userinfo(); st != http.StatusOK || !strings.Contains(body, `"email":"bob@example.org"`) || !strings.Contains(body, `"name":"Bob Builder"`) {
		t.Fatalf("userinfo: %d %s", st, body)
	}

	introspect := func(token string) map[string]any {
		_, body, _ := postForm(t, s, "/token/introspect", "demo-rp", "demo-rp-secret", url.Values{"token": {token}})
		return body
	}
	if got := introspect(access); got["active"] != true || got["client_id"] != "demo-rp" || got["scope"] == nil || got["aud"] != s.base {
		t.Errorf("introspect active token: %v", got)
	}

	// A token for another resource (RFC 8707) says so, and UserInfo refuses it.
	status, other, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "resource": {"https://api.example.org/"}})
	if status != http.StatusOK {
		t.Fatalf("refresh for a resource: %d %v", status, other)
	}
	if got := introspect(other["access_token"].(string)); got["aud"] != "https://api.example.org/" {
		t.Errorf("introspect resource token: %v", got)
	}
	if st, _ := userinfoWith(t, s, other["access_token"].(string)); st != http.StatusUnauthorized {
		t.Errorf("userinfo with another resource's token: %d", st)
	}

	if st, _, _ := postForm(t, s, "/token/revoke", "demo-rp", "demo-rp-secret", url.Values{"token": {access}}); st != http.StatusOK {
		t.Errorf("revoke access token: %d", st)
	}
	if got := introspect(access); got["active"] != false {
		t.Errorf("introspect revoked token: %v", got)
	}
	if st, _ := userinfo(); st != http.StatusUnauthorized {
		t.Errorf("userinfo with a revoked token: %d", st)
	}

	// The current refresh token is active at introspection; the rotated
	// one is not.
	current := other["refresh_token"].(string)
	if got := introspect(current); got["active"] != true || got["token_type"] != "refresh_token" || got["client_id"] != "demo-rp" {
		t.Errorf("introspect refresh token: %v", got)
	}
	if got := introspect(refresh); got["active"] != false {
		t.Errorf("introspect rotated refresh token: %v", got)
	}
	if st, _, _ := postForm(t, s, "/token/revoke", "demo-rp", "demo-rp-secret", url.Values{"token": {refresh}, "token_type_hint": {"refresh_token"}}); st != http.StatusOK {
		t.Errorf("revoke refresh token: %d", st)
	}
	st, body, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {current}})
	if st != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("refresh after revocation: %d %v", st, body)
	}
	if got := introspect(current); got["active"] != false {
		t.Errorf("introspect revoked refresh token: %v", got)
	}
}

// userinfoWith calls /userinfo with a Bearer token.
func userinfoWith(t *testing.T, s *server, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	_, _ = io.Copy(&body, resp.Body)
	return resp.StatusCode, body.String()
}

// postForm posts a form, with Basic client authentication when clientID is set, and decodes the
// JSON answer, if any.
func postForm(t *testing.T, s *server, path, clientID, secret string, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
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
	_ = json.NewDecoder(resp.Body).Decode(&body) // revocation answers with an empty body
	return resp.StatusCode, body, resp.Header
}

// TestCodeReplayRevokesTokens: a code redeemed twice fails the second time
// and ends the tokens of the first redemption (RFC 6749 §4.1.2).
func TestCodeReplayRevokesTokens(t *testing.T) {
	s := startDemoServer(t)
	b := newBrowser(t, s)
	verifier, _ := pkce()
	code := codeForClient(t, s, b, "demo-rp", url.Values{"scope": {"openid offline_access"}})
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {s.base + "/demo/callback"}, "code_verifier": {verifier}}
	status, first, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", form)
	if status != http.StatusOK {
		t.Fatalf("first redemption: %d %v", status, first)
	}
	if status, body, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", form); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("replay: %d %v", status, body)
	}
	_, intro, _ := postForm(t, s, "/token/introspect", "demo-rp", "demo-rp-secret", url.Values{"token": {first["access_token"].(string)}})
	if intro["active"] != false {
		t.Errorf("the first redemption's access token survived the replay: %v", intro)
	}
	status, body, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first["refresh_token"].(string)}})
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("the first redemption's refresh token survived the replay: %d %v", status, body)
	}
}
