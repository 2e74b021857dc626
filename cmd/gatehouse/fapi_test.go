package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
)

// TestFAPI2SecurityProfile: under op.profile fapi2-security, a client
// that speaks PAR, PKCE, private_key_jwt and DPoP gets through the whole
// code flow, UserInfo and a refresh (its refresh token kept, not
// rotated); each shortcut is refused with the rule named; registration
// refuses metadata that breaks the profile; discovery requires PAR. The
// browser steps use the plain HTTP test browser.
func TestFAPI2SecurityProfile(t *testing.T) {
	s, _ := startSignInServerWith(t, fapiConfig)
	if status, doc := s.get(t, "/.well-known/openid-configuration"); status != http.StatusOK ||
		!strings.Contains(doc, `"require_pushed_authorization_requests": true`) {
		t.Fatalf("discovery: %d\n%s", status, doc)
	}

	for _, tc := range []struct{ name, method, extra, rule string }{
		{"secret", "client_secret_basic", "", "fapi2: client authentication"},
		{"RS256 ID tokens", "private_key_jwt", `,"token_endpoint_auth_signing_alg":"ES256","id_token_signed_response_alg":"RS256"`, "fapi2: signing algorithms"},
		{"no assertion alg", "private_key_jwt", "", "fapi2: signing algorithms"},
		{"hybrid", "private_key_jwt", `,"token_endpoint_auth_signing_alg":"ES256","response_types":["code id_token"],"grant_types":["authorization_code","implicit"]`, "fapi2: response_type code only"},
		{"unknown profile", "private_key_jwt", `,"token_endpoint_auth_signing_alg":"ES256","gatehouse_profile":"fapi3"`, "gatehouse_profile"},
	} {
		status, body, _ := registerFAPIClient(t, s, tc.method, tc.extra)
		if desc, _ := body["error_description"].(string); status != http.StatusBadRequest || body["error"] != "invalid_client_metadata" || !strings.HasPrefix(desc, tc.rule+": ") {
			t.Errorf("register %s: %d %v", tc.name, status, body)
		}
	}

	c := newFAPIClient(t, s, jarmRedirect)
	b := newBrowser(t, s)

	// Not pushed: refused at /authorize, redirected with the rule.
	p := b.do(http.MethodGet, authorizeURL(c.id, jarmRedirect, nil), nil)
	if q := callbackParams(t, p, jarmRedirect); q.Get("error") != "invalid_request" || !strings.HasPrefix(q.Get("error_description"), "fapi2: PAR required: ") {
		t.Errorf("plain request: %v", q)
	}
	noPKCE := c.request("no-pkce")
	noPKCE.Del("code_challenge")
	noPKCE.Del("code_challenge_method")
	refused(t, "push without PKCE", c.post("/par", noPKCE, true), "invalid_request", "fapi2: PKCE S256 required")

	uri := c.push(c.request("fapi"))
	q := callbackParams(t, pushedAuthorize(t, b, c.id, uri, nil), jarmRedirect)
	if q.Get("code") == "" || q.Get("iss") != jarmIssuer || q.Get("state") != "fapi" {
		t.Fatalf("callback: %v", q)
	}
	refused(t, "redeem with a bearer token", c.post("/token", c.redemption(q.Get("code")), false), "invalid_request", "fapi2: sender-constrained tokens")
	tok := c.redeem(q.Get("code"))
	if u := c.userinfo(tok.body["access_token"].(string)); u.status != http.StatusOK || u.body["sub"] == nil {
		t.Errorf("userinfo: %d %v", u.status, u.body)
	}

	// EdDSA, allowed by the profile, for the assertion, the ID token and
	// the DPoP proofs; discovery lists it.
	var disc map[string]any
	if _, doc := s.get(t, "/.well-known/openid-configuration"); json.Unmarshal([]byte(doc), &disc) != nil ||
		!slices.Contains(anyStrings(disc["token_endpoint_auth_signing_alg_values_supported"]), "EdDSA") ||
		!slices.Contains(anyStrings(disc["id_token_signing_alg_values_supported"]), "EdDSA") {
		t.Errorf("discovery does not list EdDSA: %v / %v", disc["token_endpoint_auth_signing_alg_values_supported"], disc["id_token_signing_alg_values_supported"])
	}
	ed := newEdDSAFAPIClient(t, s, jarmRedirect)
	qe := callbackParams(t, pushedAuthorize(t, b, ed.id, ed.push(ed.request("eddsa")), nil), jarmRedirect)
	ed.redeem(qe.Get("code"))

	// Refresh tokens are not rotated (Security Profile §5.3.2.1).
	rt := tok.body["refresh_token"].(string)
	for i := range 2 {
		r := c.post("/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, true)
		if r.status != http.StatusOK || r.body["refresh_token"] != rt || r.body["token_type"] != "DPoP" {
			t.Fatalf("refresh %d: %d %v", i, r.status, r.body)
		}
	}
}

// TestFAPI2SecurityProfileInChromium (issue #16 item 6): the whole FAPI
// 2.0 code flow with a real browser in the middle. The Go client pushes
// at /par with private_key_jwt, a DPoP proof and PKCE S256; Chromium
// opens /authorize?client_id&request_uri, signs in and consents, and
// lands on the client's callback with the code; the client redeems it
// with DPoP and calls UserInfo with the DPoP-bound token.
func TestFAPI2SecurityProfileInChromium(t *testing.T) {
	s, _ := startSignInServerWith(t, fapiConfig)
	cb := callbackServer(t)
	c := newFAPIClient(t, s, cb.URL+"/callback")
	uri := c.push(c.request("chromium"))

	ctx := browsertest.New(t, 2*time.Minute)
	start := s.base + "/authorize?" + url.Values{"client_id": {c.id}, "request_uri": {uri}}.Encode()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(start),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "alice-password"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.WaitVisible(chromedp.ID("query")),
	); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("browser flow stopped at %s: %v", loc, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, c.redirect+"?") {
		t.Fatalf("landed on %s, want %s", loc, c.redirect)
	}
	u, _ := url.Parse(loc)
	q := u.Query()
	if q.Get("code") == "" || q.Get("iss") != jarmIssuer || q.Get("state") != "chromium" {
		t.Fatalf("callback: %v", q)
	}

	tok := c.redeem(q.Get("code"))
	access := tok.body["access_token"].(string)
	if cnf, _ := jwtClaims(t, access)["cnf"].(map[string]any); cnf["jkt"] != c.dpop.jkt {
		t.Errorf("access token cnf = %v, want jkt %s", cnf, c.dpop.jkt)
	}
	if ui := c.userinfo(access); ui.status != http.StatusOK || ui.body["sub"] == nil {
		t.Errorf("userinfo: %d %v", ui.status, ui.body)
	}
}
