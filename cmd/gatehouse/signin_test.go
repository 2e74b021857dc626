package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	jose "github.com/go-jose/go-jose/v4"
)

const signInMasterToken = "sign-in-test-master-token"

// startSignInServer runs gatehouse serve against a private OpenLDAP loaded
// with the dev directory (alice, bob), with a known master token.
func startSignInServer(t *testing.T) *server {
	t.Helper()
	s, _ := startSignInServerWith(t, "")
	return s
}

// startSignInServerWith is startSignInServer with extra YAML appended to
// the configuration, and the directory handed back for a test to stop.
func startSignInServerWith(t *testing.T, extra string) (*server, *ldaptest.Slapd) {
	t.Helper()
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{"../../conf/dev-directory.ldif"}})
	pwFile := writeFile(t, t.TempDir(), "ldap-password", slapd.AdminPassword)
	sum := sha256.Sum256([]byte(signInMasterToken))
	return startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
op:
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
%s`, t.TempDir(), slapd.URL, slapd.AdminDN, pwFile, hex.EncodeToString(sum[:]), extra)), slapd
}

// registerClient registers a confidential code-flow client for redirectURI
// through /clients and returns its ID.
func registerClient(t *testing.T, s *server, redirectURI string) string {
	t.Helper()
	body := fmt.Sprintf(`{"redirect_uris":[%q],"client_name":"Test app","client_name#de":"Test-App","scope":"openid profile email"}`, redirectURI)
	req, _ := http.NewRequest(http.MethodPost, s.base+"/clients", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+signInMasterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	return got.ClientID
}

// browser is an HTTP client with cookies that does not follow redirects,
// so each step of the flow can be checked.
type browser struct {
	t      *testing.T
	s      *server
	client *http.Client
}

func newBrowser(t *testing.T, s *server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status   int
	location string
	body     string
}

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.s.base + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(raw)}
}

// next is the page a browser shows after p: p itself when it is a page
// (/authorize answers with the login page), else where p redirects to.
func (b *browser) next(p page) page {
	b.t.Helper()
	if p.status == http.StatusOK {
		return p
	}
	if p.status != http.StatusFound && p.status != http.StatusSeeOther {
		b.t.Fatalf("want a page or a redirect, got %d %q:\n%s", p.status, p.location, p.body)
	}
	return b.do(http.MethodGet, p.location, nil)
}

// isConsentPage tells whether p is the consent form, which answers the
// request that found consent missing (no redirect to GET /consent).
func isConsentPage(p page) bool {
	return p.status == http.StatusOK && strings.Contains(p.body, `name="decision"`) && strings.Contains(p.body, `action="/consent"`)
}

// isLoginPage tells whether p is the sign-in form.
func isLoginPage(p page) bool {
	return p.status == http.StatusOK && strings.Contains(p.body, `name="password"`) && strings.Contains(p.body, `action="/login"`)
}

var hiddenField = regexp.MustCompile(`name="(csrf|flow)" value="([^"]*)"`)

// formFields reads the hidden csrf and flow fields of a page.
func formFields(t *testing.T, p page) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(p.body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	if v.Get("csrf") == "" || v.Get("flow") == "" {
		t.Fatalf("no csrf/flow fields in page (%d):\n%s", p.status, p.body)
	}
	return v
}

func pkce() (verifier, challenge string) {
	verifier = "a-verifier-of-sufficient-length-for-rfc-7636-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeURL(clientID, redirectURI string, extra url.Values) string {
	_, challenge := pkce()
	q := url.Values{
		"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {"st-123"}, "nonce": {"n-456"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
	for k, v := range extra {
		q[k] = v
	}
	return "/authorize?" + q.Encode()
}

// callbackParams checks that p redirects to redirectURI and returns the
// response parameters.
func callbackParams(t *testing.T, p page, redirectURI string) url.Values {
	t.Helper()
	if p.status != http.StatusFound && p.status != http.StatusSeeOther {
		t.Fatalf("status %d, want a redirect to the client; body:\n%s", p.status, p.body)
	}
	u, err := url.Parse(p.location)
	if err != nil || !strings.HasPrefix(p.location, redirectURI+"?") {
		t.Fatalf("redirected to %q, want %s?…", p.location, redirectURI)
	}
	return u.Query()
}

func TestSignInCodeFlowOverHTTP(t *testing.T) {
	s := startSignInServer(t)
	const redirectURI = "http://127.0.0.1:9/callback"
	clientID := registerClient(t, s, redirectURI)
	b := newBrowser(t, s)

	// /authorize without a session answers with the login page itself;
	// GET /login?flow=… shows the same form for the same flow.
	login := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, nil), nil)
	if !isLoginPage(login) || login.location != "" || !strings.Contains(login.body, "Test app") {
		t.Fatalf("authorize: %d %q\n%s", login.status, login.location, login.body)
	}
	fields := formFields(t, login)
	if again := b.do(http.MethodGet, "/login?flow="+url.QueryEscape(fields.Get("flow")), nil); !isLoginPage(again) || formFields(t, again).Get("flow") != fields.Get("flow") {
		t.Fatalf("GET /login of the same flow: %d\n%s", again.status, again.body)
	}

	// A wrong password and an unknown user get the same answer.
	var refusals []string
	for _, creds := range [][2]string{{"alice", "wrong"}, {"nobody-here", "alice-password"}} {
		f := url.Values{"csrf": fields["csrf"], "flow": fields["flow"], "username": {creds[0]}, "password": {creds[1]}}
		p := b.do(http.MethodPost, "/login", f)
		if p.status != http.StatusOK || !strings.Contains(p.body, `role="alert"`) {
			t.Fatalf("refused login %v: %d\n%s", creds, p.status, p.body)
		}
		refusals = append(refusals, regexp.MustCompile(`role="alert">([^<]*)<`).FindStringSubmatch(p.body)[1])
	}
	if refusals[0] != refusals[1] {
		t.Errorf("wrong password and unknown user are told apart: %q vs %q", refusals[0], refusals[1])
	}

	// A form without the right CSRF token is refused.
	bad := url.Values{"csrf": {"forged"}, "flow": fields["flow"], "username": {"alice"}, "password": {"alice-password"}}
	if p := b.do(http.MethodPost, "/login", bad); p.status != http.StatusForbidden {
		t.Errorf("forged CSRF token: %d", p.status)
	}

	ok := url.Values{"csrf": fields["csrf"], "flow": fields["flow"], "username": {"alice"}, "password": {"alice-password"}}
	// The login form is answered with the consent page itself; GET
	// /consent?flow=… shows the same form for the same flow.
	consent := b.do(http.MethodPost, "/login", ok)
	if !isConsentPage(consent) || consent.location != "" || !strings.Contains(consent.body, `name="decision" value="allow"`) ||
		!strings.Contains(consent.body, "Alice Liddell") {
		t.Fatalf("login: %d %q\n%s", consent.status, consent.location, consent.body)
	}
	cf := formFields(t, consent)
	if again := b.do(http.MethodGet, "/consent?flow="+url.QueryEscape(cf.Get("flow")), nil); !isConsentPage(again) || formFields(t, again).Get("flow") != cf.Get("flow") {
		t.Fatalf("GET /consent of the same flow: %d\n%s", again.status, again.body)
	}
	cf.Set("decision", "allow")
	got := callbackParams(t, b.do(http.MethodPost, "/consent", cf), redirectURI)
	if got.Get("code") == "" || got.Get("state") != "st-123" || got.Get("iss") != "http://127.0.0.1:8080" {
		t.Errorf("callback parameters: %v", got)
	}

	// The finished flow cannot be replayed.
	if p := b.do(http.MethodPost, "/consent", cf); p.status != http.StatusBadRequest {
		t.Errorf("replayed consent: %d", p.status)
	}

	// Signed in, with consent remembered: straight back with a code.
	again := callbackParams(t, b.do(http.MethodGet, authorizeURL(clientID, redirectURI, nil), nil), redirectURI)
	if again.Get("code") == "" || again.Get("code") == got.Get("code") {
		t.Errorf("second authorization: %v", again)
	}

	// prompt=consent asks again; Deny is access_denied.
	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, url.Values{"prompt": {"consent"}}), nil)
	if !isConsentPage(p) {
		t.Fatalf("prompt=consent: %d %q", p.status, p.location)
	}
	df := formFields(t, b.next(p))
	df.Set("decision", "deny")
	denied := callbackParams(t, b.do(http.MethodPost, "/consent", df), redirectURI)
	if denied.Get("error") != "access_denied" || denied.Get("state") != "st-123" || denied.Get("iss") == "" {
		t.Errorf("deny: %v", denied)
	}

	// max_age=0 needs a fresh sign-in even with a session.
	p = b.do(http.MethodGet, authorizeURL(clientID, redirectURI, url.Values{"max_age": {"0"}}), nil)
	if !isLoginPage(p) {
		t.Errorf("max_age=0: %d %q", p.status, p.location)
	}
}

func TestSignInPromptNoneAndErrors(t *testing.T) {
	s := startSignInServer(t)
	const redirectURI = "http://127.0.0.1:9/cb"
	clientID := registerClient(t, s, redirectURI)
	b := newBrowser(t, s)

	none := callbackParams(t, b.do(http.MethodGet, authorizeURL(clientID, redirectURI, url.Values{"prompt": {"none"}}), nil), redirectURI)
	if none.Get("error") != "login_required" || none.Get("state") != "st-123" || none.Get("iss") != "http://127.0.0.1:8080" {
		t.Errorf("prompt=none without a session: %v", none)
	}

	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantText   string
	}{
		{name: "unknown client", path: authorizeURL("no-such-client", redirectURI, nil), wantStatus: 400, wantText: "Unknown application"},
		{name: "unregistered redirect URI", path: authorizeURL(clientID, "http://127.0.0.1:9/evil", nil), wantStatus: 400, wantText: "Invalid return address"},
		{name: "unknown flow", path: "/login?flow=nope", wantStatus: 400, wantText: "Sign-in expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := b.do(http.MethodGet, tc.path, nil)
			if p.status != tc.wantStatus || p.location != "" || !strings.Contains(p.body, tc.wantText) {
				t.Errorf("%d %q, want a %d page saying %q:\n%s", p.status, p.location, tc.wantStatus, tc.wantText, p.body)
			}
		})
	}

	// After a redirect URI is trusted, errors go back to the client.
	bad := callbackParams(t, b.do(http.MethodGet, authorizeURL(clientID, redirectURI, url.Values{"code_challenge_method": {"plain"}}), nil), redirectURI)
	if bad.Get("error") != "invalid_request" || bad.Get("iss") == "" {
		t.Errorf("plain PKCE: %v", bad)
	}
}

func TestSignInThrottlesGuessing(t *testing.T) {
	s := startSignInServer(t)
	const redirectURI = "http://127.0.0.1:9/cb"
	clientID := registerClient(t, s, redirectURI)
	b := newBrowser(t, s)
	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, nil), nil)
	fields := formFields(t, b.next(p))
	status := 0
	for i := 0; i < 10 && status != http.StatusTooManyRequests; i++ {
		f := url.Values{"csrf": fields["csrf"], "flow": fields["flow"], "username": {"bob"}, "password": {"guess"}}
		status = b.do(http.MethodPost, "/login", f).status
	}
	if status != http.StatusTooManyRequests {
		t.Fatalf("ten wrong passwords were never throttled")
	}
	// Throttled, even the right password is not checked.
	f := url.Values{"csrf": fields["csrf"], "flow": fields["flow"], "username": {"bob"}, "password": {"bob-password"}}
	if p := b.do(http.MethodPost, "/login", f); p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many attempts") {
		t.Errorf("right password while throttled: %d", p.status)
	}
}

// TestHybridAndImplicitResponses: response types code id_token and
// id_token return an ID token from the authorization endpoint, in the
// fragment, signed with a published key, bound to the nonce, and with
// c_hash beside a code (OpenID Connect Core §3.3.2.11).
func TestHybridAndImplicitResponses(t *testing.T) {
	s := startSignInServer(t)
	const redirectURI = "http://127.0.0.1:9/hybrid"
	body := fmt.Sprintf(`{"redirect_uris":[%q],"response_types":["code id_token","id_token"],`+
		`"grant_types":["authorization_code","implicit"],"scope":"openid profile"}`, redirectURI)
	req, _ := http.NewRequest(http.MethodPost, s.base+"/clients", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+signInMasterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()

	b := newBrowser(t, s)
	p := b.do(http.MethodGet, authorizeURL(reg.ClientID, redirectURI, url.Values{"response_type": {"code id_token"}}), nil)
	f := formFields(t, b.next(p))
	f.Set("username", "alice")
	f.Set("password", "alice-password")
	p = b.do(http.MethodPost, "/login", f)
	cf := formFields(t, b.next(p))
	cf.Set("decision", "allow")
	hybrid := fragmentParams(t, b.do(http.MethodPost, "/consent", cf), redirectURI)
	claims := verifyIDToken(t, s, hybrid.Get("id_token"))
	sum := sha256.Sum256([]byte(hybrid.Get("code")))
	if hybrid.Get("code") == "" || claims["c_hash"] != base64.RawURLEncoding.EncodeToString(sum[:16]) {
		t.Errorf("hybrid: code %q, c_hash %v", hybrid.Get("code"), claims["c_hash"])
	}
	if claims["nonce"] != "n-456" || claims["aud"] != reg.ClientID || hybrid.Get("state") != "st-123" || hybrid.Get("iss") == "" {
		t.Errorf("hybrid claims %v, params %v", claims, hybrid)
	}

	implicit := fragmentParams(t, b.do(http.MethodGet, authorizeURL(reg.ClientID, redirectURI, url.Values{"response_type": {"id_token"}}), nil), redirectURI)
	claims = verifyIDToken(t, s, implicit.Get("id_token"))
	if implicit.Get("code") != "" || claims["c_hash"] != nil || claims["nonce"] != "n-456" || claims["sub"] == "" {
		t.Errorf("implicit: params %v, claims %v", implicit, claims)
	}
}

// fragmentParams checks that p redirects to redirectURI with the response
// in the fragment, and returns it.
func fragmentParams(t *testing.T, p page, redirectURI string) url.Values {
	t.Helper()
	if !strings.HasPrefix(p.location, redirectURI+"#") {
		t.Fatalf("status %d, redirected to %q, want %s#…\n%s", p.status, p.location, redirectURI, p.body)
	}
	u, _ := url.Parse(p.location)
	v, err := url.ParseQuery(u.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// verifyIDToken checks an ID token's signature against the provider's
// published keys and returns its claims.
func verifyIDToken(t *testing.T, s *server, raw string) map[string]any {
	t.Helper()
	status, body := s.get(t, "/jwks.json")
	if status != http.StatusOK {
		t.Fatalf("jwks: %d", status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(body), &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("ID token %q: %v", raw, err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("ID token signed with unpublished key %q", jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("ID token signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestSignInWithRedisSessions: with sessions.store: redis the whole sign-in
// runs against a real Redis — the session outlives the request that made
// it, and a second authorization needs no login.
func TestSignInWithRedisSessions(t *testing.T) {
	rds := redistest.New(t, redistest.Options{Password: "redis-secret"})
	t.Setenv("GATEHOUSE_TEST_REDIS_PASSWORD", "redis-secret")
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{"../../conf/dev-directory.ldif"}})
	pwFile := writeFile(t, t.TempDir(), "ldap-password", slapd.AdminPassword)
	sum := sha256.Sum256([]byte(signInMasterToken))
	s := startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
sessions: {store: redis, redis: {addrs: [%q], passwordEnv: GATEHOUSE_TEST_REDIS_PASSWORD}}
op:
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
`, t.TempDir(), slapd.URL, slapd.AdminDN, pwFile, rds.Addr, hex.EncodeToString(sum[:])))
	const redirectURI = "http://127.0.0.1:9/redis"
	clientID := registerClient(t, s, redirectURI)
	b := newBrowser(t, s)

	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, nil), nil)
	f := formFields(t, b.next(p))
	f.Set("username", "alice")
	f.Set("password", "alice-password")
	p = b.do(http.MethodPost, "/login", f)
	cf := formFields(t, b.next(p))
	cf.Set("decision", "allow")
	if got := callbackParams(t, b.do(http.MethodPost, "/consent", cf), redirectURI); got.Get("code") == "" {
		t.Fatalf("first sign-in: %v", got)
	}
	again := callbackParams(t, b.do(http.MethodGet, authorizeURL(clientID, redirectURI, url.Values{"prompt": {"none"}}), nil), redirectURI)
	if again.Get("code") == "" {
		t.Errorf("prompt=none with a session kept in Redis: %v", again)
	}
}
