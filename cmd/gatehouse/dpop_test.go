package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// dpopClients: a confidential client that registered
// dpop_bound_access_tokens for client_credentials, and a public code-flow
// client with refresh tokens, both with the demo's secret and redirect URI.
const dpopClients = `
dn: oauthClientID=dpop-service,ou=clients,dc=example,dc=org
objectClass: oidcRelyingParty
objectClass: gatehouseClient
oauthClientID: dpop-service
oauthClientIDIssueTime: 20261125000000Z
oauthClientSecret: $argon2id$v=19$m=65536,t=1,p=2$24G7Sr6Zv3wRWY3h6FnrTw$sIscSiV6N2VZiekCsNfYPibrxH/r0c4gYjSI+5IU1uE
oauthTokenEndpointAuthMethod: client_secret_basic
oauthGrantType: client_credentials
oauthScopeValue: api
oauthClientData: {"dpop_bound_access_tokens":true}
gatehouseVersion: seed-1

dn: oauthClientID=dpop-app,ou=clients,dc=example,dc=org
objectClass: oidcRelyingParty
objectClass: gatehouseClient
oauthClientID: dpop-app
oauthClientIDIssueTime: 20261125000000Z
oauthRedirectURI: http://127.0.0.1:8080/demo/callback
oauthTokenEndpointAuthMethod: none
oauthGrantType: authorization_code
oauthGrantType: refresh_token
oauthResponseType: code
oauthScopeValue: openid
oauthScopeValue: profile
oauthScopeValue: offline_access
gatehouseVersion: seed-1
`

// dpopKey is a client's DPoP key pair; proofs are made as RFC 9449 §4.2
// describes, with go-jose.
type dpopKey struct {
	signer jose.Signer
	jkt    string
}

func newDPoPKey(t *testing.T, alg jose.SignatureAlgorithm) dpopKey {
	t.Helper()
	var priv crypto.Signer
	switch alg {
	case jose.EdDSA:
		_, priv, _ = ed25519.GenerateKey(rand.Reader)
	default:
		priv, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	pub := jose.JSONWebKey{Key: priv.Public()}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: priv},
		(&jose.SignerOptions{}).WithType("dpop+jwt").WithHeader("jwk", pub))
	if err != nil {
		t.Fatal(err)
	}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return dpopKey{signer: s, jkt: base64.RawURLEncoding.EncodeToString(thumb)}
}

// proof makes a proof for one request; accessToken adds ath.
func (k dpopKey) proof(t *testing.T, method, htu, accessToken, nonce string) string {
	t.Helper()
	jti := make([]byte, 12)
	_, _ = rand.Read(jti)
	claims := map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti), "htm": method, "htu": htu, "iat": time.Now().Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	payload, _ := json.Marshal(claims)
	jws, err := k.signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// dpopClient sends requests with proofs and keeps the server's latest
// nonce, retrying once on use_dpop_nonce as §8 has clients do.
type dpopClient struct {
	t     *testing.T
	s     *server
	nonce string
	// retried counts the use_dpop_nonce answers met.
	retried int
}

type dpopAnswer struct {
	status int
	body   map[string]any
	header http.Header
}

func (c *dpopClient) send(build func(nonce string) *http.Request) dpopAnswer {
	c.t.Helper()
	for attempt := 0; ; attempt++ {
		resp, err := http.DefaultClient.Do(build(c.nonce))
		if err != nil {
			c.t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		a := dpopAnswer{status: resp.StatusCode, header: resp.Header}
		_ = json.Unmarshal(raw, &a.body)
		if n := resp.Header.Get("DPoP-Nonce"); n != "" {
			c.nonce = n
		}
		if a.body["error"] == "use_dpop_nonce" && attempt == 0 {
			c.retried++
			continue
		}
		return a
	}
}

// token posts form to /token with a proof of k (none when k is nil),
// with Basic authentication when secret is set.
func (c *dpopClient) token(k *dpopKey, clientID, secret string, form url.Values) dpopAnswer {
	return c.send(func(nonce string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, c.s.base+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if secret != "" {
			req.SetBasicAuth(clientID, secret)
		}
		if k != nil {
			req.Header.Set("DPoP", k.proof(c.t, http.MethodPost, c.s.base+"/token", "", nonce))
		}
		return req
	})
}

// userinfo calls GET /userinfo with scheme and, when proof is nil, a
// fresh proof of k for the token.
func (c *dpopClient) userinfo(scheme, token string, k *dpopKey, proof *string) dpopAnswer {
	return c.send(func(nonce string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, c.s.base+"/userinfo", nil)
		req.Header.Set("Authorization", scheme+" "+token)
		switch {
		case proof != nil:
			req.Header.Set("DPoP", *proof)
		case k != nil:
			req.Header.Set("DPoP", k.proof(c.t, http.MethodGet, c.s.base+"/userinfo", token, nonce))
		}
		return req
	})
}

func startDPoPServer(t *testing.T) (*server, *dpopClient) {
	t.Helper()
	s, _ := startDemoDirectoryServerWith(t, dpopClients, "op:\n  dpop: {enabled: true, nonce: true}\n")
	return s, &dpopClient{t: t, s: s}
}

// TestDPoPClientCredentials: a client_credentials token requested with a
// proof is DPoP-bound — token_type DPoP, cnf.jkt in the JWT and at
// introspection; a proof is taken once; the client that registered
// dpop_bound_access_tokens cannot do without one; the nonce round trip
// works; discovery lists the algorithms.
func TestDPoPClientCredentials(t *testing.T) {
	s, c := startDPoPServer(t)
	k := newDPoPKey(t, jose.ES256)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"api"}}

	a := c.token(&k, "dpop-service", demoSecret, form)
	if a.status != http.StatusOK || a.body["token_type"] != "DPoP" {
		t.Fatalf("token: %d %v", a.status, a.body)
	}
	if c.retried != 1 || a.header.Get("DPoP-Nonce") == "" {
		t.Errorf("nonce round trip: %d use_dpop_nonce answers, DPoP-Nonce %q", c.retried, a.header.Get("DPoP-Nonce"))
	}
	access := a.body["access_token"].(string)
	if cnf, _ := jwtClaims(t, access)["cnf"].(map[string]any); cnf["jkt"] != k.jkt {
		t.Errorf("cnf = %v, want jkt %s", cnf, k.jkt)
	}
	_, intro, _ := postForm(t, s, "/token/introspect", "dpop-service", demoSecret, url.Values{"token": {access}})
	if cnf, _ := intro["cnf"].(map[string]any); intro["active"] != true || intro["token_type"] != "DPoP" || cnf["jkt"] != k.jkt {
		t.Errorf("introspection: %v", intro)
	}

	// Without a nonce the server asks for one, with the header.
	noNonce := k.proof(t, http.MethodPost, s.base+"/token", "", "")
	req, _ := http.NewRequest(http.MethodPost, s.base+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("dpop-service", demoSecret)
	req.Header.Set("DPoP", noNonce)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || body["error"] != "use_dpop_nonce" || resp.Header.Get("DPoP-Nonce") == "" {
		t.Errorf("no nonce: %d %v nonce %q", resp.StatusCode, body, resp.Header.Get("DPoP-Nonce"))
	}

	// The same proof twice: the second is refused.
	proof := k.proof(t, http.MethodPost, s.base+"/token", "", c.nonce)
	replay := func() dpopAnswer {
		return c.send(func(string) *http.Request {
			req, _ := http.NewRequest(http.MethodPost, s.base+"/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("dpop-service", demoSecret)
			req.Header.Set("DPoP", proof)
			return req
		})
	}
	if a := replay(); a.status != http.StatusOK {
		t.Fatalf("first use: %d %v", a.status, a.body)
	}
	if a := replay(); a.status != http.StatusBadRequest || a.body["error"] != "invalid_dpop_proof" {
		t.Errorf("replayed proof: %d %v", a.status, a.body)
	}

	if a := c.token(nil, "dpop-service", demoSecret, form); a.status != http.StatusBadRequest || a.body["error"] != "invalid_dpop_proof" {
		t.Errorf("no proof from a client that registered dpop_bound_access_tokens: %d %v", a.status, a.body)
	}

	_, doc := s.get(t, "/.well-known/openid-configuration")
	var meta struct {
		Algs []string `json:"dpop_signing_alg_values_supported"`
	}
	if err := json.Unmarshal([]byte(doc), &meta); err != nil || !slices.Equal(meta.Algs, []string{"ES256", "EdDSA", "RS256", "PS256"}) {
		t.Errorf("dpop_signing_alg_values_supported = %v (%v)", meta.Algs, err)
	}
}

// TestDPoPCodeFlow: a code bound by dpop_jkt is redeemed only with a
// proof of that key; the DPoP token works at /userinfo with a proof, not
// as a Bearer token, not with a replayed proof nor another key's.
func TestDPoPCodeFlow(t *testing.T) {
	s, c := startDPoPServer(t)
	b := newBrowser(t, s)
	verifier, _ := pkce()
	k, other := newDPoPKey(t, jose.ES256), newDPoPKey(t, jose.EdDSA)
	redeem := func(code string, key *dpopKey) dpopAnswer {
		return c.token(key, "demo-rp", demoSecret, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {s.base + "/demo/callback"}, "code_verifier": {verifier}})
	}
	bound := url.Values{"scope": {"openid profile"}, "dpop_jkt": {k.jkt}}

	if a := redeem(codeForClient(t, s, b, "demo-rp", bound), &other); a.status != http.StatusBadRequest || a.body["error"] != "invalid_grant" {
		t.Errorf("code bound to another key: %d %v", a.status, a.body)
	}
	if a := redeem(codeForClient(t, s, b, "demo-rp", bound), nil); a.status != http.StatusBadRequest || a.body["error"] != "invalid_grant" {
		t.Errorf("bound code without a proof: %d %v", a.status, a.body)
	}
	a := redeem(codeForClient(t, s, b, "demo-rp", bound), &k)
	if a.status != http.StatusOK || a.body["token_type"] != "DPoP" {
		t.Fatalf("redeem: %d %v", a.status, a.body)
	}
	access := a.body["access_token"].(string)

	if u := c.userinfo("DPoP", access, &k, nil); u.status != http.StatusOK || u.body["sub"] == nil {
		t.Fatalf("userinfo with a proof: %d %v", u.status, u.body)
	}
	// No token at all: both schemes are offered (RFC 9449 §7.1).
	if resp, err := http.Get(s.base + "/userinfo"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		ch := resp.Header.Values("WWW-Authenticate")
		if resp.StatusCode != http.StatusUnauthorized || len(ch) != 2 || !strings.HasPrefix(ch[0], "Bearer ") || !strings.HasPrefix(ch[1], `DPoP algs="`) {
			t.Errorf("userinfo without a token: %d %q", resp.StatusCode, ch)
		}
	}
	u := c.userinfo("Bearer", access, nil, nil)
	if ch := u.header.Get("WWW-Authenticate"); u.status != http.StatusUnauthorized || !strings.HasPrefix(ch, `DPoP error="invalid_token"`) {
		t.Errorf("bound token as Bearer: %d %q", u.status, ch)
	}
	if u := c.userinfo("DPoP", access, &other, nil); u.status != http.StatusUnauthorized || u.body["error"] != "invalid_token" {
		t.Errorf("another key's proof: %d %v", u.status, u.body)
	}
	if u := c.userinfo("DPoP", access, nil, nil); u.status != http.StatusUnauthorized || u.body["error"] != "invalid_dpop_proof" {
		t.Errorf("no proof: %d %v", u.status, u.body)
	}
	proof := k.proof(t, http.MethodGet, s.base+"/userinfo", access, c.nonce)
	if u := c.userinfo("DPoP", access, nil, &proof); u.status != http.StatusOK {
		t.Fatalf("first use of a proof: %d %v", u.status, u.body)
	}
	if u := c.userinfo("DPoP", access, nil, &proof); u.status != http.StatusUnauthorized || u.body["error"] != "invalid_dpop_proof" ||
		!strings.HasPrefix(u.header.Get("WWW-Authenticate"), `DPoP error="invalid_dpop_proof"`) {
		t.Errorf("replayed proof: %d %v %q", u.status, u.body, u.header.Get("WWW-Authenticate"))
	}

	// An unbound token is refused under the DPoP scheme.
	plain := redeem(codeForClient(t, s, b, "demo-rp", url.Values{"scope": {"openid profile"}}), nil)
	if plain.status != http.StatusOK || plain.body["token_type"] != "Bearer" {
		t.Fatalf("redeem without DPoP: %d %v", plain.status, plain.body)
	}
	if u := c.userinfo("DPoP", plain.body["access_token"].(string), &k, nil); u.status != http.StatusUnauthorized || u.body["error"] != "invalid_token" {
		t.Errorf("unbound token under DPoP: %d %v", u.status, u.body)
	}
}

// TestDPoPPublicRefresh: a public client's refresh tokens are bound to
// the key of its code redemption: another key or no proof is refused,
// the right key rotates them.
func TestDPoPPublicRefresh(t *testing.T) {
	s, c := startDPoPServer(t)
	b := newBrowser(t, s)
	verifier, _ := pkce()
	k, other := newDPoPKey(t, jose.EdDSA), newDPoPKey(t, jose.ES256)
	code := codeForClient(t, s, b, "dpop-app", url.Values{"scope": {"openid offline_access"}})
	a := c.token(&k, "", "", url.Values{"grant_type": {"authorization_code"}, "client_id": {"dpop-app"}, "code": {code},
		"redirect_uri": {s.base + "/demo/callback"}, "code_verifier": {verifier}})
	if a.status != http.StatusOK || a.body["refresh_token"] == nil || a.body["token_type"] != "DPoP" {
		t.Fatalf("redeem: %d %v", a.status, a.body)
	}
	refresh := func(key *dpopKey, token string) dpopAnswer {
		return c.token(key, "", "", url.Values{"grant_type": {"refresh_token"}, "client_id": {"dpop-app"}, "refresh_token": {token}})
	}
	rt := a.body["refresh_token"].(string)
	if r := refresh(&other, rt); r.status != http.StatusBadRequest || r.body["error"] != "invalid_grant" {
		t.Errorf("another key: %d %v", r.status, r.body)
	}
	if r := refresh(nil, rt); r.status != http.StatusBadRequest || r.body["error"] != "invalid_grant" {
		t.Errorf("no proof: %d %v", r.status, r.body)
	}
	r := refresh(&k, rt)
	if r.status != http.StatusOK || r.body["token_type"] != "DPoP" {
		t.Fatalf("the bound key: %d %v", r.status, r.body)
	}
	if cnf, _ := jwtClaims(t, r.body["access_token"].(string))["cnf"].(map[string]any); cnf["jkt"] != k.jkt {
		t.Errorf("refreshed token cnf = %v", cnf)
	}
}
