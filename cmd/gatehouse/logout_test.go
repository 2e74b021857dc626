package main

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLogout: RP-initiated logout with a valid id_token_hint signs out at
// once and returns to a registered post_logout_redirect_uri with state;
// without a hint the person confirms first, with a CSRF-protected form.
func TestLogout(t *testing.T) {
	s := startDemoServer(t)
	b := newBrowser(t, s)
	verifier, _ := pkce()
	redirect := s.base + "/demo/callback"
	signedIn := func() string { // signs bob in and returns an ID token for him
		code := codeFor(t, s, b)
		status, body, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}})
		if status != http.StatusOK {
			t.Fatalf("redeem: %d %v", status, body)
		}
		return body["id_token"].(string)
	}
	mustSignInAgain := func() {
		t.Helper()
		if p := b.do(http.MethodGet, authorizeURL("demo-rp", redirect, nil), nil); !isLoginPage(p) {
			t.Errorf("after logout /authorize answered %d %q, want the login page", p.status, p.location)
		}
	}

	idToken := signedIn()
	q := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {s.base + "/demo"}, "state": {"bye"}}
	p := b.do(http.MethodGet, "/logout?"+q.Encode(), nil)
	if p.status != http.StatusSeeOther || p.location != s.base+"/demo?state=bye" {
		t.Fatalf("logout with hint: %d %q\n%s", p.status, p.location, p.body)
	}
	mustSignInAgain()

	tests := []struct {
		name       string
		query      url.Values
		wantStatus int
	}{
		{name: "unregistered post-logout URI", query: url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {"https://evil.example/"}}, wantStatus: 400},
		{name: "post-logout URI without a client", query: url.Values{"post_logout_redirect_uri": {s.base + "/demo"}}, wantStatus: 400},
		{name: "forged hint", query: url.Values{"id_token_hint": {idToken[:len(idToken)-4] + "AAAA"}}, wantStatus: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if p := b.do(http.MethodGet, "/logout?"+tc.query.Encode(), nil); p.status != tc.wantStatus || p.location != "" {
				t.Errorf("%d %q, want a %d page", p.status, p.location, tc.wantStatus)
			}
		})
	}

	signedIn()
	confirm := b.do(http.MethodGet, "/logout", nil)
	if confirm.status != http.StatusOK || !strings.Contains(confirm.body, `name="confirm"`) {
		t.Fatalf("logout without hint: %d\n%s", confirm.status, confirm.body)
	}
	if p := b.do(http.MethodPost, "/logout", url.Values{"confirm": {"yes"}, "csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Errorf("forged confirmation: %d", p.status)
	}
	csrf := hiddenField.FindStringSubmatch(confirm.body)
	if csrf == nil || csrf[1] != "csrf" {
		t.Fatalf("no csrf field:\n%s", confirm.body)
	}
	if p := b.do(http.MethodPost, "/logout", url.Values{"confirm": {"yes"}, "csrf": {html.UnescapeString(csrf[2])}}); p.status != http.StatusOK {
		t.Errorf("confirmed logout: %d\n%s", p.status, p.body)
	}
	mustSignInAgain()
}
