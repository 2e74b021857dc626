package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestPairwiseSubjects: clients registered with subject_type pairwise
// know a person by a sub of their sector (OpenID Connect Core §8.1) in
// the ID token, the access token, UserInfo and introspection; two clients
// of one sector agree, another sector differs; the refresh token does not
// carry the person's own subject readably; registration checks the
// sector.
func TestPairwiseSubjects(t *testing.T) {
	s := startDemoServerWith(t, fmt.Sprintf("op:\n  reg: {masterTokenSHA256: %s}\n", sha256Hex(signInMasterToken)))
	redirect := s.base + "/demo/callback"

	// Sector documents, served on "localhost" so that their host differs
	// from the redirect URIs' 127.0.0.1.
	sectors := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/lists-it.json":
			_ = json.NewEncoder(w).Encode([]string{redirect, "https://other.example/cb"})
		case "/lacks-it.json":
			_ = json.NewEncoder(w).Encode([]string{"https://other.example/cb"})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(sectors.Close)
	_, port, _ := net.SplitHostPort(sectors.Listener.Addr().String())
	sectorURL := func(path string) string { return "http://localhost:" + port + path }

	register := func(meta string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, s.base+"/clients", strings.NewReader(meta))
		req.Header.Set("Authorization", "Bearer "+signInMasterToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	client := func(extra string) (id, secret string) {
		t.Helper()
		st, body := register(fmt.Sprintf(`{"redirect_uris":[%q],"client_name":"Pairwise app","scope":"openid profile offline_access","subject_type":"pairwise","grant_types":["authorization_code","refresh_token"]%s}`, redirect, extra))
		if st != http.StatusCreated {
			t.Fatalf("register %s: %d %v", extra, st, body)
		}
		return body["client_id"].(string), body["client_secret"].(string)
	}

	t.Run("registration checks the sector", func(t *testing.T) {
		for name, meta := range map[string]string{
			"redirect URIs on two hosts, no sector": fmt.Sprintf(`{"redirect_uris":[%q,"https://other.example/cb"],"subject_type":"pairwise"}`, redirect),
			"sector document lacks a redirect URI":  fmt.Sprintf(`{"redirect_uris":[%q],"subject_type":"pairwise","sector_identifier_uri":%q}`, redirect, sectorURL("/lacks-it.json")),
			"sector document missing":               fmt.Sprintf(`{"redirect_uris":[%q],"subject_type":"pairwise","sector_identifier_uri":%q}`, redirect, sectorURL("/gone.json")),
		} {
			st, body := register(meta)
			if st != http.StatusBadRequest || body["error"] != "invalid_client_metadata" || !strings.Contains(fmt.Sprint(body["error_description"]), "sector_identifier_uri") {
				t.Errorf("%s: %d %v", name, st, body)
			}
		}
	})

	// Bob's own subject, as the public demo client sees it.
	verifier, _ := pkce()
	redeem := func(b *browser, id, secret string) map[string]any {
		t.Helper()
		code := codeForClient(t, s, b, id, url.Values{"scope": {"openid profile offline_access"}})
		st, tok, _ := tokenRequest(t, s, id, secret, url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}})
		if st != http.StatusOK {
			t.Fatalf("redeem for %s: %d %v", id, st, tok)
		}
		return tok
	}
	b := newBrowser(t, s)
	public := jwtClaims(t, redeem(b, "demo-rp", "demo-rp-secret")["id_token"].(string))["sub"].(string)

	sameHostID, sameHostSecret := client("")
	listedID, listedSecret := client(fmt.Sprintf(`,"sector_identifier_uri":%q`, sectorURL("/lists-it.json")))
	tok := redeem(b, sameHostID, sameHostSecret)
	sub := jwtClaims(t, tok["id_token"].(string))["sub"].(string)
	other := jwtClaims(t, redeem(b, listedID, listedSecret)["id_token"].(string))["sub"].(string)
	if sub == public || other == public || sub == other {
		t.Fatalf("subs: public %q, sector 127.0.0.1 %q, sector localhost %q: want three different", public, sub, other)
	}
	// A second client of the same sector knows bob by the same sub.
	twinID, twinSecret := client("")
	if twin := jwtClaims(t, redeem(b, twinID, twinSecret)["id_token"].(string))["sub"]; twin != sub {
		t.Errorf("a second client of sector 127.0.0.1 got sub %v, want %q", twin, sub)
	}

	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
	if got := jwtClaims(t, access)["sub"]; got != sub {
		t.Errorf("access token sub %v, want the pairwise %q", got, sub)
	}
	if st, body := userinfoWith(t, s, access); st != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`"sub":%q`, sub)) || !strings.Contains(body, `"name":"Bob Builder"`) {
		t.Errorf("userinfo: %d %s", st, body)
	}
	if _, body, _ := postForm(t, s, "/token/introspect", sameHostID, sameHostSecret, url.Values{"token": {access}}); body["active"] != true || body["sub"] != sub {
		t.Errorf("introspection: %v", body)
	}
	if _, body, _ := postForm(t, s, "/token/introspect", sameHostID, sameHostSecret, url.Values{"token": {refresh}}); body["active"] != true || body["sub"] != sub {
		t.Errorf("refresh token introspection: %v, want the pairwise sub", body)
	}
	for _, leak := range []string{public, base64.RawURLEncoding.EncodeToString([]byte(public))} {
		if strings.Contains(refresh, leak) || strings.Contains(access, leak) {
			t.Errorf("a token carries the person's own subject readably (%q)", leak)
		}
	}
	st, next, _ := tokenRequest(t, s, sameHostID, sameHostSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if st != http.StatusOK || jwtClaims(t, next["id_token"].(string))["sub"] != sub {
		t.Fatalf("refresh: %d %v", st, next)
	}

	// RP-initiated logout: the pairwise hint names the session's person,
	// so the session ends without asking (a hint for someone else would
	// get the confirmation page and leave the session alone).
	b.do(http.MethodGet, "/logout?"+url.Values{"id_token_hint": {tok["id_token"].(string)}}.Encode(), nil)
	if p := b.do(http.MethodGet, authorizeURL(sameHostID, redirect, nil), nil); !isLoginPage(p) {
		t.Errorf("after logout with a pairwise hint /authorize answered %d %q, want the login page", p.status, p.location)
	}
}
