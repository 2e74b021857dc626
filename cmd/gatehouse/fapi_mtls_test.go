package main

import (
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// certClient is an HTTP client that presents peer to the proxy.
func (m *mtlsSetup) certClient(peer tlsPeer) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: m.roots,
		Certificates: []tls.Certificate{{Certificate: [][]byte{peer.cert.Raw}, PrivateKey: peer.key}}}}}
}

// callJSON sends a request through the proxy and decodes the JSON answer.
func callJSON(t *testing.T, c *http.Client, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, body
}

func postVia(t *testing.T, c *http.Client, target string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return callJSON(t, c, req)
}

// TestFAPI2SecurityProfileMTLSThroughNginx: under op.profile
// fapi2-security, a tls_client_auth client pushes at /par through nginx
// with its certificate, the person signs in, and the code is redeemed at
// /token through nginx with the same certificate; the access token is
// bound to it (cnf x5t#S256, RFC 8705 §3) and UserInfo through nginx
// takes it with that certificate only.
func TestFAPI2SecurityProfileMTLSThroughNginx(t *testing.T) {
	m := startBehindNginxWith(t, "tls_client_auth", ", accessTokenAlg: PS256", "  profile: fapi2-security\n")
	status, reg, _ := registerFAPIClientFor(t, m.s, jarmRedirect, "tls_client_auth", `,"tls_client_auth_subject_dn":"CN=fapi-client"`)
	if status != http.StatusCreated || reg["id_token_signed_response_alg"] != "PS256" {
		t.Fatalf("register: %d %v", status, reg)
	}
	id := reg["client_id"].(string)
	good := newPeer(t, &m.ca, pkix.Name{CommonName: "fapi-client"}, false)
	other := newPeer(t, &m.ca, pkix.Name{CommonName: "someone-else"}, false)
	withCert := m.certClient(good)

	form := parRequest(id, "mtls")
	if status, body := postVia(t, m.certClient(other), m.tlsURL+"/par", form); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("push with another certificate: %d %v", status, body)
	}
	noPKCE := with(form, "state", "no-pkce")
	noPKCE.Del("code_challenge_method")
	noPKCE.Del("code_challenge")
	status, body := postVia(t, withCert, m.tlsURL+"/par", noPKCE)
	refused(t, "push without PKCE", dpopAnswer{status: status, body: body}, "invalid_request", "fapi2: PKCE S256 required")
	status, pushed := postVia(t, withCert, m.tlsURL+"/par", form)
	uri, _ := pushed["request_uri"].(string)
	if status != http.StatusCreated || uri == "" {
		t.Fatalf("push: %d %v", status, pushed)
	}

	q := callbackParams(t, pushedAuthorize(t, newBrowser(t, m.s), id, uri, nil), jarmRedirect)
	if q.Get("code") == "" || q.Get("iss") != jarmIssuer || q.Get("state") != "mtls" {
		t.Fatalf("callback: %v", q)
	}
	verifier, _ := pkce()
	status, tok := postVia(t, withCert, m.tlsURL+"/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {id},
		"code": {q.Get("code")}, "redirect_uri": {jarmRedirect}, "code_verifier": {verifier}})
	if status != http.StatusOK || tok["token_type"] != "Bearer" {
		t.Fatalf("redeem: %d %v", status, tok)
	}
	access := tok["access_token"].(string)
	if cnf, _ := jwtClaims(t, access)["cnf"].(map[string]any); cnf["x5t#S256"] != thumbprint(good.cert) {
		t.Errorf("access token cnf = %v, want x5t#S256 %s", cnf, thumbprint(good.cert))
	}
	for _, tt := range []struct{ what, token string }{{"ID token", tok["id_token"].(string)}, {"access token", access}} {
		if alg := jwtHeader(t, tt.token)["alg"]; alg != "PS256" {
			t.Errorf("%s signed with %v", tt.what, alg)
		}
	}

	userinfo := func(c *http.Client) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, m.tlsURL+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+access)
		return callJSON(t, c, req)
	}
	if status, body := userinfo(withCert); status != http.StatusOK || body["sub"] == nil {
		t.Errorf("userinfo with the certificate: %d %v", status, body)
	}
	if status, body := userinfo(m.certClient(other)); status != http.StatusUnauthorized || body["error"] != "invalid_token" {
		t.Errorf("userinfo with another certificate: %d %v, want 401", status, body)
	}
}
