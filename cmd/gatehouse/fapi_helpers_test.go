package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// The FAPI 2.0 test client, shared by the profile's end-to-end tests
// (fapi_test.go: HTTP test browser, Chromium, mutual TLS through nginx).

// fapiConfig is the YAML a FAPI 2.0 Security Profile deployment adds.
const fapiConfig = "  profile: fapi2-security\n  token: {accessTokenAlg: PS256}\n  dpop: {enabled: true}\n"

// fapiClient is a FAPI 2.0 client written from the RFCs: it
// authenticates with private_key_jwt (RFC 7523), pushes its requests
// (RFC 9126) with PKCE S256 (RFC 7636) and proves a DPoP key (RFC 9449)
// at /par, /token and /userinfo.
type fapiClient struct {
	t        *testing.T
	s        *server
	id       string
	redirect string
	key      jose.JSONWebKey
	dpop     dpopKey
	d        *dpopClient
	// idTokenAlg is the client's id_token_signed_response_alg.
	idTokenAlg string
}

// registerFAPIClient registers through /clients for the JARM test
// redirect URI; extra adds members.
func registerFAPIClient(t *testing.T, s *server, method, extra string) (int, map[string]any, jose.JSONWebKey) {
	t.Helper()
	return registerFAPIClientFor(t, s, jarmRedirect, method, extra)
}

// registerFAPIClientFor is registerFAPIClient for another redirect URI.
func registerFAPIClientFor(t *testing.T, s *server, redirect, method, extra string) (int, map[string]any, jose.JSONWebKey) {
	t.Helper()
	key, jwks := ecKeySet(t)
	body := fmt.Sprintf(`{"redirect_uris":[%q],"scope":"openid profile offline_access","grant_types":["authorization_code","refresh_token"],`+
		`"token_endpoint_auth_method":%q,"jwks":%s%s}`, redirect, method, jwks, extra)
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

// newFAPIClient registers a profile-conforming private_key_jwt client
// (ES256 assertions) for redirect, with an ES256 DPoP key.
func newFAPIClient(t *testing.T, s *server, redirect string) *fapiClient {
	t.Helper()
	status, reg, key := registerFAPIClientFor(t, s, redirect, "private_key_jwt", `,"token_endpoint_auth_signing_alg":"ES256"`)
	if status != http.StatusCreated || reg["id_token_signed_response_alg"] != "PS256" {
		t.Fatalf("register: %d %v", status, reg)
	}
	return &fapiClient{t: t, s: s, id: reg["client_id"].(string), redirect: redirect, key: key,
		dpop: newDPoPKey(t, jose.ES256), d: &dpopClient{t: t, s: s}, idTokenAlg: "PS256"}
}

// newEdDSAFAPIClient registers a profile client that uses EdDSA (RFC
// 8037) everywhere the profile lets it: its assertions, its ID tokens,
// its DPoP proofs.
func newEdDSAFAPIClient(t *testing.T, s *server, redirect string) *fapiClient {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := jose.JSONWebKey{Key: priv, KeyID: "ed-1", Algorithm: "EdDSA", Use: "sig"}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key.Public()}})
	if err != nil {
		t.Fatal(err)
	}
	reg := registerWithMasterToken(t, s, fmt.Sprintf(`{"redirect_uris":[%q],"scope":"openid profile offline_access",`+
		`"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"private_key_jwt",`+
		`"token_endpoint_auth_signing_alg":"EdDSA","id_token_signed_response_alg":"EdDSA","jwks":%s}`, redirect, jwks))
	return &fapiClient{t: t, s: s, id: reg["client_id"].(string), redirect: redirect, key: key,
		dpop: newDPoPKey(t, jose.EdDSA), d: &dpopClient{t: t, s: s}, idTokenAlg: "EdDSA"}
}

// request is a code request with PKCE S256 for the client's redirect
// URI, asking for consent and a refresh token.
func (c *fapiClient) request(state string) url.Values {
	f := parRequest(c.id, state)
	f.Set("redirect_uri", c.redirect)
	f.Set("scope", "openid profile offline_access")
	f.Set("prompt", "consent")
	return f
}

// push pushes form to /par with a DPoP proof and returns the request_uri.
func (c *fapiClient) push(form url.Values) string {
	c.t.Helper()
	a := c.post("/par", form, true)
	uri, _ := a.body["request_uri"].(string)
	if a.status != http.StatusCreated || uri == "" {
		c.t.Fatalf("push: %d %v", a.status, a.body)
	}
	return uri
}

// redemption is the token request that redeems code with the PKCE verifier.
func (c *fapiClient) redemption(code string) url.Values {
	verifier, _ := pkce()
	return url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {c.redirect}, "code_verifier": {verifier}}
}

// redeem redeems code with a DPoP proof and checks the answer is a
// DPoP-bound token set: the ID token signed with the client's algorithm,
// the access token with op.token.accessTokenAlg (PS256).
func (c *fapiClient) redeem(code string) dpopAnswer {
	c.t.Helper()
	tok := c.post("/token", c.redemption(code), true)
	if tok.status != http.StatusOK || tok.body["token_type"] != "DPoP" || tok.body["refresh_token"] == nil {
		c.t.Fatalf("redeem: %d %v", tok.status, tok.body)
	}
	if alg := jwtHeader(c.t, tok.body["id_token"].(string))["alg"]; alg != c.idTokenAlg {
		c.t.Errorf("ID token signed with %v", alg)
	}
	if alg := jwtHeader(c.t, tok.body["access_token"].(string))["alg"]; alg != "PS256" {
		c.t.Errorf("access token signed with %v", alg)
	}
	return tok
}

// userinfo calls GET /userinfo with the DPoP-bound access token and a proof.
func (c *fapiClient) userinfo(access string) dpopAnswer {
	return c.d.send(func(nonce string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, c.s.base+"/userinfo", nil)
		req.Header.Set("Authorization", "DPoP "+access)
		req.Header.Set("DPoP", c.dpop.proof(c.t, http.MethodGet, jarmIssuer+"/userinfo", access, nonce))
		return req
	})
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
