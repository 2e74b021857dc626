package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// TestEvictionLogout: a person who signs in once more than
// session.MaxSessionsPerSubject allows has their oldest session ended by
// the server; its relying party gets a back-channel logout token (that
// verifies against /jwks.json, with the session's sub and sid), and the
// refresh token issued in that session stops working, as when the person
// ends the session themselves. The newest sign-in goes ahead. With
// sessions (and the logout queue) in memory, and in Redis.
func TestEvictionLogout(t *testing.T) {
	for _, store := range sessionStores {
		t.Run(store.name, func(t *testing.T) {
			s, _ := startSignInServerWith(t, store.config(t))
			testEvictionLogout(t, s)
		})
	}
}

func testEvictionLogout(t *testing.T, s *server) {
	rp := newTestRP(t)
	rp.register(t, s, "RP one")
	callback := rp.srv.URL + "/callback"
	verifier, _ := pkce()
	redeem := func(code string) map[string]any {
		t.Helper()
		status, body, _ := tokenRequest(t, s, rp.id, rp.secret, url.Values{"grant_type": {"authorization_code"},
			"code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}})
		if status != http.StatusOK {
			t.Fatalf("redeem: %d %v", status, body)
		}
		return body
	}
	consent := func(b *browser, p page) url.Values {
		t.Helper()
		if isConsentPage(p) {
			f := formFields(t, b.next(p))
			f.Set("decision", "allow")
			p = b.do(http.MethodPost, "/consent", f)
		}
		return callbackParams(t, p, callback)
	}

	// The first browser: an ID token (for sub and sid), then by single
	// sign-on an OAuth grant without offline_access, whose refresh token
	// is bound to the session.
	first := newBrowser(t, s)
	idToken, _ := redeem(consent(first, signInAs(t, first, authorizeURL(rp.id, callback, nil))).Get("code"))["id_token"].(string)
	claims := unverifiedClaims(t, idToken)
	sso := first.do(http.MethodGet, authorizeURL(rp.id, callback, url.Values{"scope": {"profile"}}), nil)
	refreshToken, _ := redeem(consent(first, sso).Get("code"))["refresh_token"].(string)
	if claims["sid"] == nil || refreshToken == "" {
		t.Fatalf("first session: sid %v, refresh token %q", claims["sid"], refreshToken)
	}

	// MaxSessionsPerSubject more browsers sign in: the last one ends the first.
	for i := range session.MaxSessionsPerSubject {
		b := newBrowser(t, s)
		p := signInAs(t, b, authorizeURL(rp.id, callback, nil))
		if !isConsentPage(p) && !strings.HasPrefix(p.location, callback+"?") {
			t.Fatalf("sign-in %d: %d %q", i+2, p.status, p.location)
		}
	}

	select {
	case tok := <-rp.backchannel:
		checkLogoutTokenJWKS(t, fetchJWKS(t, s), tok, rp.id, claims["sub"], claims["sid"])
	case <-time.After(15 * time.Second):
		t.Fatal("no back-channel logout token for the evicted session")
	}
	if p := first.do(http.MethodGet, authorizeURL(rp.id, callback, nil), nil); !isLoginPage(p) {
		t.Errorf("the first browser after its session was evicted: %d %q, want the login page", p.status, p.location)
	}
	// The worker ends the refresh tokens before it POSTs the logout token.
	status, body, _ := tokenRequest(t, s, rp.id, rp.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("the evicted session's refresh token: %d %v, want invalid_grant", status, body)
	}
}
