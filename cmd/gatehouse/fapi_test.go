package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// fapiClient is a FAPI 2.0 client written from the RFCs: it
// authenticates with private_key_jwt (RFC 7523), pushes its requests
// (RFC 9126) with PKCE S256 (RFC 7636) and proves a DPoP key (RFC 9449)
// at /par, /token and /userinfo.
type fapiClient struct {
	t    *testing.T
	s    *server
	id   string
	key  jose.JSONWebKey
	dpop dpopKey
	d    *dpopClient
}

// registerFAPIClient registers through /clients; extra adds members.
func registerFAPIClient(t *testing.T, s *server, method, extra string) (int, map[string]any, jose.JSONWebKey) {
	t.Helper()
	key, jwks := ecKeySet(t)
	body := fmt.Sprintf(`{"redirect_uris":[%q],"scope":"openid profile offline_access","grant_types":["authorization_code","refresh_token"],`+
		`"token_endpoint_auth_method":%q,"jwks":%s%s}`, jarmRedirect, method, jwks, extra)
	req, _ := http.NewRequest(http.MethodPost, s.base+"/clients", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+signInMasterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, got, key
}

// post sends form to path with a client assertion and, with proof, a
// DPoP proof for the issuer's URL of path.
func (c *fapiClient) post(path string, form url.Values, proof bool) dpopAnswer {
	return c.d.send(func(nonce string) *http.Request {
		f := with(form, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		f.Set("client_assertion", clientAssertion(c.t, c.key, c.id, jarmIssuer))
		f.Set("client_id", c.id)
		req, _ := http.NewRequest(http.MethodPost, c.s.base+path, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if proof {
			req.Header.Set("DPoP", c.dpop.proof(c.t, http.MethodPost, jarmIssuer+path, "", nonce))
		}
		return req
	})
}

// refused checks an error answer names the rule.
func refused(t *testing.T, what string, a dpopAnswer, code, rule string) {
	t.Helper()
	desc, _ := a.body["error_description"].(string)
	if a.status != http.StatusBadRequest || a.body["error"] != code || !strings.HasPrefix(desc, rule+": ") {
		t.Errorf("%s: %d %v, want %s naming %q", what, a.status, a.body, code, rule)
	}
}

// TestFAPI2SecurityProfile: under op.profile fapi2-security, a client
// that speaks PAR, PKCE, private_key_jwt and DPoP gets through the whole
// code flow, UserInfo and a refresh (its refresh token kept, not
// rotated); each shortcut is refused with the rule named; registration
// refuses metadata that breaks the profile; discovery requires PAR. The
// browser steps use the plain HTTP test browser.
func TestFAPI2SecurityProfile(t *testing.T) {
	s, _ := startSignInServerWith(t, "  profile: fapi2-security\n  token: {accessTokenAlg: PS256}\n  dpop: {enabled: true}\n")
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

	status, reg, key := registerFAPIClient(t, s, "private_key_jwt", `,"token_endpoint_auth_signing_alg":"ES256"`)
	if status != http.StatusCreated || reg["id_token_signed_response_alg"] != "PS256" {
		t.Fatalf("register: %d %v", status, reg)
	}
	c := &fapiClient{t: t, s: s, id: reg["client_id"].(string), key: key, dpop: newDPoPKey(t, jose.ES256), d: &dpopClient{t: t, s: s}}
	b := newBrowser(t, s)

	// Not pushed: refused at /authorize, redirected with the rule.
	p := b.do(http.MethodGet, authorizeURL(c.id, jarmRedirect, nil), nil)
	if q := callbackParams(t, p, jarmRedirect); q.Get("error") != "invalid_request" || !strings.HasPrefix(q.Get("error_description"), "fapi2: PAR required: ") {
		t.Errorf("plain request: %v", q)
	}
	request := func(state string) url.Values {
		f := parRequest(c.id, state)
		f.Set("scope", "openid profile offline_access")
		f.Set("prompt", "consent")
		return f
	}
	noPKCE := request("no-pkce")
	noPKCE.Del("code_challenge")
	noPKCE.Del("code_challenge_method")
	refused(t, "push without PKCE", c.post("/par", noPKCE, true), "invalid_request", "fapi2: PKCE S256 required")

	a := c.post("/par", request("fapi"), true)
	uri, _ := a.body["request_uri"].(string)
	if a.status != http.StatusCreated || uri == "" {
		t.Fatalf("push: %d %v", a.status, a.body)
	}
	q := callbackParams(t, pushedAuthorize(t, b, c.id, uri, nil), jarmRedirect)
	if q.Get("code") == "" || q.Get("iss") != jarmIssuer || q.Get("state") != "fapi" {
		t.Fatalf("callback: %v", q)
	}
	verifier, _ := pkce()
	redeem := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")},
		"redirect_uri": {jarmRedirect}, "code_verifier": {verifier}}
	refused(t, "redeem with a bearer token", c.post("/token", redeem, false), "invalid_request", "fapi2: sender-constrained tokens")
	tok := c.post("/token", redeem, true)
	if tok.status != http.StatusOK || tok.body["token_type"] != "DPoP" || tok.body["refresh_token"] == nil {
		t.Fatalf("redeem: %d %v", tok.status, tok.body)
	}
	if alg := jwtHeader(t, tok.body["id_token"].(string))["alg"]; alg != "PS256" {
		t.Errorf("ID token signed with %v", alg)
	}
	if alg := jwtHeader(t, tok.body["access_token"].(string))["alg"]; alg != "PS256" {
		t.Errorf("access token signed with %v", alg)
	}
	access := tok.body["access_token"].(string)
	u := c.d.send(func(string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, s.base+"/userinfo", nil)
		req.Header.Set("Authorization", "DPoP "+access)
		req.Header.Set("DPoP", c.dpop.proof(t, http.MethodGet, jarmIssuer+"/userinfo", access, ""))
		return req
	})
	if u.status != http.StatusOK || u.body["sub"] == nil {
		t.Errorf("userinfo: %d %v", u.status, u.body)
	}

	// Refresh tokens are not rotated (Security Profile §5.3.2.1).
	rt := tok.body["refresh_token"].(string)
	for i := range 2 {
		r := c.post("/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, true)
		if r.status != http.StatusOK || r.body["refresh_token"] != rt || r.body["token_type"] != "DPoP" {
			t.Fatalf("refresh %d: %d %v", i, r.status, r.body)
		}
	}
}

// jwtHeader decodes a compact JWS's header.
func jwtHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	h := map[string]any{}
	part, _, _ := strings.Cut(raw, ".")
	seg, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(seg, &h); err != nil {
		t.Fatal(err)
	}
	return h
}
