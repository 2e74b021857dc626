package main

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
)

// testRP is a tiny relying party: a redirect URI, a post-logout page,
// and back- and front-channel logout endpoints that hand over what they
// receive.
type testRP struct {
	srv          *httptest.Server
	id, secret   string
	backchannel  chan string     // logout tokens
	frontchannel chan url.Values // front-channel query parameters
}

func newTestRP(t *testing.T) *testRP {
	rp := &testRP{backchannel: make(chan string, 4), frontchannel: make(chan url.Values, 4)}
	mux := http.NewServeMux()
	page := func(id, text string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, `<title>rp</title><pre id="`+id+`">`+html.EscapeString(text+r.URL.RawQuery)+`</pre>`)
		}
	}
	mux.HandleFunc("/callback", page("query", ""))
	mux.HandleFunc("/bye", page("bye", ""))
	mux.HandleFunc("POST /bc", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("back-channel Content-Type %q", ct)
		}
		rp.backchannel <- r.PostFormValue("logout_token")
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/fc", func(w http.ResponseWriter, r *http.Request) {
		rp.frontchannel <- r.URL.Query()
		page("fc", "")(w, r)
	})
	rp.srv = httptest.NewServer(mux)
	t.Cleanup(rp.srv.Close)
	return rp
}

// register makes rp a client of s with both logout URIs.
func (rp *testRP) register(t *testing.T, s *server, name string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"client_name": name, "redirect_uris": []string{rp.srv.URL + "/callback"},
		"post_logout_redirect_uris": []string{rp.srv.URL + "/bye"},
		"grant_types":               []string{"authorization_code", "refresh_token"},
		"scope":                     "openid profile offline_access",
		"backchannel_logout_uri":    rp.srv.URL + "/bc", "backchannel_logout_session_required": true,
		"frontchannel_logout_uri": rp.srv.URL + "/fc", "frontchannel_logout_session_required": true,
	})
	req, _ := http.NewRequest(http.MethodPost, s.base+"/clients", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+signInMasterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register %s: %d %v", name, resp.StatusCode, err)
	}
	rp.id, rp.secret = got.ClientID, got.ClientSecret
}

// TestChannelLogoutInChromium: a person signs in at two relying parties
// (the second by single sign-on) and logs out at the first. Both get a
// logout token that verifies against /jwks.json, both front-channel
// frames load with iss and sid before the browser goes on to the
// post-logout redirect URI, and the second one's refresh token, issued in
// the session without offline_access, stops working — while the first's,
// granted offline_access, keeps working.
func TestChannelLogoutInChromium(t *testing.T) {
	s := startSignInServer(t)
	rp1, rp2 := newTestRP(t), newTestRP(t)
	var disco map[string]any
	if resp, err := http.Get(s.base + "/.well-known/openid-configuration"); err != nil {
		t.Fatal(err)
	} else {
		err = json.NewDecoder(resp.Body).Decode(&disco)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{"backchannel_logout_supported", "backchannel_logout_session_supported",
		"frontchannel_logout_supported", "frontchannel_logout_session_supported"} {
		if disco[m] != true {
			t.Errorf("discovery %s = %v", m, disco[m])
		}
	}
	rp1.register(t, s, "RP one")
	rp2.register(t, s, "RP two")
	ctx := browsertest.New(t, 2*time.Minute)

	// codeAt signs in (or not, on single sign-on) and consents at rp,
	// returning the code it got.
	codeAt := func(rp *testRP, scope string, login bool) string {
		t.Helper()
		steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.base + authorizeURL(rp.id, rp.srv.URL+"/callback", url.Values{"scope": {scope}}))}
		if login {
			steps = append(steps, chromedp.WaitVisible(chromedp.ID("username")),
				chromedp.SendKeys(chromedp.ID("username"), "alice"),
				chromedp.SendKeys(chromedp.ID("password"), "alice-password"),
				chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
		}
		steps = append(steps, chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="allow"]`)),
			chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
			chromedp.WaitVisible(chromedp.ID("query")))
		if err := chromedp.Do(ctx, steps...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("sign-in at %s stopped at %s: %v", rp.id, loc, err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(loc)
		return u.Query().Get("code")
	}
	verifier, _ := pkce()
	redeem := func(rp *testRP, code string) map[string]any {
		t.Helper()
		status, body, _ := tokenRequest(t, s, rp.id, rp.secret, url.Values{"grant_type": {"authorization_code"},
			"code": {code}, "redirect_uri": {rp.srv.URL + "/callback"}, "code_verifier": {verifier}})
		if status != http.StatusOK || body["refresh_token"] == nil {
			t.Fatalf("redeem at %s: %d %v", rp.id, status, body)
		}
		return body
	}
	refresh := func(rp *testRP, token string) (int, map[string]any) {
		status, body, _ := tokenRequest(t, s, rp.id, rp.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
		return status, body
	}

	// RP one: an OpenID sign-in with offline_access; RP two: single
	// sign-on, OAuth only, without offline_access.
	tokens1 := redeem(rp1, codeAt(rp1, "openid offline_access", true))
	tokens2 := redeem(rp2, codeAt(rp2, "profile", false))
	idToken := tokens1["id_token"].(string)
	sid := unverifiedClaims(t, idToken)["sid"]
	sub := unverifiedClaims(t, idToken)["sub"]
	if sid == nil || sub == nil {
		t.Fatalf("ID token without sid or sub: %v", unverifiedClaims(t, idToken))
	}

	logout := s.base + "/logout?" + url.Values{"id_token_hint": {idToken},
		"post_logout_redirect_uri": {rp1.srv.URL + "/bye"}, "state": {"st-9"}}.Encode()
	if err := chromedp.Do(ctx, chromedp.Navigate(logout), chromedp.WaitVisible(chromedp.ID("bye"))); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("logout stopped at %s: %v", loc, err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != rp1.srv.URL+"/bye?state=st-9" {
		t.Errorf("after logout at %s", loc)
	}

	jwks := fetchJWKS(t, s)
	for _, rp := range []*testRP{rp1, rp2} {
		select {
		case q := <-rp.frontchannel:
			if q.Get("iss") != "http://127.0.0.1:8080" || q.Get("sid") != sid {
				t.Errorf("front-channel logout of %s with %v", rp.id, q)
			}
		default:
			t.Errorf("the front-channel frame of %s did not load before the redirect", rp.id)
		}
		select {
		case tok := <-rp.backchannel:
			checkLogoutTokenJWKS(t, jwks, tok, rp.id, sub, sid)
		case <-time.After(15 * time.Second):
			t.Fatalf("no logout token reached %s", rp.id)
		}
	}
	if status, body := refresh(rp2, tokens2["refresh_token"].(string)); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("RP two's refresh token after logout: %d %v, want invalid_grant", status, body)
	}
	if status, body := refresh(rp1, tokens1["refresh_token"].(string)); status != http.StatusOK {
		t.Errorf("RP one's offline_access refresh token after logout: %d %v, want it to work", status, body)
	}
}

func unverifiedClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := parsed.UnsafeClaimsWithoutVerification(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func fetchJWKS(t *testing.T, s *server) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(s.base + "/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	return set
}

// checkLogoutTokenJWKS validates a logout token as Back-Channel Logout
// 1.0 §2.6 asks of a client.
func checkLogoutTokenJWKS(t *testing.T, jwks jose.JSONWebKeySet, tok, aud string, sub, sid any) {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("logout token for %s: %v", aud, err)
	}
	if typ := parsed.Headers[0].ExtraHeaders[jose.HeaderType]; typ != "logout+jwt" {
		t.Errorf("logout token typ %v", typ)
	}
	var c map[string]any
	if err := parsed.Claims(jwks, &c); err != nil {
		t.Fatalf("logout token for %s does not verify with /jwks.json: %v", aud, err)
	}
	want := map[string]any{"iss": "http://127.0.0.1:8080", "aud": aud, "sub": sub, "sid": sid}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("logout token for %s: %s = %v, want %v", aud, k, c[k], v)
		}
	}
	events, _ := c["events"].(map[string]any)
	if _, ok := events["http://schemas.openid.net/event/backchannel-logout"]; !ok {
		t.Errorf("logout token events %v", c["events"])
	}
	for _, name := range []string{"nonce", "jti", "iat", "exp"} {
		if _, ok := c[name]; ok == (name == "nonce") {
			t.Errorf("logout token for %s: claim %s present = %v", aud, name, ok)
		}
	}
}
