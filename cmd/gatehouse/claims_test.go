package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestClaimsParameterAtUserInfo: a claim asked for one by one with the
// claims parameter (OpenID Connect Core §5.5) and granted is returned by
// UserInfo, though no scope releases it; one not asked for is not.
func TestClaimsParameterAtUserInfo(t *testing.T) {
	s := startDemoServer(t)
	b := newBrowser(t, s)
	verifier, _ := pkce()
	code := codeForClient(t, s, b, "demo-rp", url.Values{"scope": {"openid"},
		"claims": {`{"userinfo":{"email":{"essential":true},"name":null}}`}})
	status, tok, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {s.base + "/demo/callback"}, "code_verifier": {verifier}})
	if status != http.StatusOK {
		t.Fatalf("redeem: %d %v", status, tok)
	}
	st, body := userinfoWith(t, s, tok["access_token"].(string))
	if st != http.StatusOK || !strings.Contains(body, `"email":"bob@example.org"`) || !strings.Contains(body, `"name":"Bob Builder"`) {
		t.Errorf("userinfo: %d %s, want the requested email and name", st, body)
	}
	if strings.Contains(body, "family_name") || strings.Contains(body, "email_verified") {
		t.Errorf("userinfo released claims nobody asked for: %s", body)
	}
}
