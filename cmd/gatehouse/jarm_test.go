package main

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
)

const (
	jarmRedirect = "http://127.0.0.1:9/jarm"
	jarmIssuer   = "http://127.0.0.1:8080"
)

// jarmClient is a client registered for JWT responses, with what the test
// needs to verify, decrypt and redeem them.
type jarmClient struct {
	id, secret string
	// decrypt is the client's private key, or the dir key, for encrypted
	// responses; nil when responses are only signed.
	decrypt any
}

// registerJARMClient registers a confidential code-flow client with extra
// metadata members (a JSON fragment, or "") and returns its ID and secret.
func registerJARMClient(t *testing.T, s *server, extra string) (jarmClient, int, map[string]any) {
	t.Helper()
	return registerJARMClientAt(t, s, jarmRedirect, extra)
}

// registerJARMClientAt is registerJARMClient with another redirect URI.
func registerJARMClientAt(t *testing.T, s *server, redirectURI, extra string) (jarmClient, int, map[string]any) {
	t.Helper()
	body := fmt.Sprintf(`{"redirect_uris":[%q],"scope":"openid profile","token_endpoint_auth_method":"client_secret_basic"%s}`,
		redirectURI, extra)
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
	id, _ := got["client_id"].(string)
	secret, _ := got["client_secret"].(string)
	return jarmClient{id: id, secret: secret}, resp.StatusCode, got
}

func mustRegisterJARMClient(t *testing.T, s *server, extra string) jarmClient {
	t.Helper()
	c, status, body := registerJARMClient(t, s, extra)
	if status != http.StatusCreated || c.id == "" || c.secret == "" {
		t.Fatalf("register %s: %d %v", extra, status, body)
	}
	return c
}

// jarmAuthorize runs the browser flow as alice for client and returns the
// page that carries the response to the client.
func jarmAuthorize(t *testing.T, b *browser, clientID string, extra url.Values) page {
	t.Helper()
	p := b.do(http.MethodGet, authorizeURL(clientID, jarmRedirect, extra), nil)
	if isLoginPage(p) {
		f := formFields(t, b.next(p))
		f.Set("username", "alice")
		f.Set("password", "alice-password")
		p = b.do(http.MethodPost, "/login", f)
	}
	if isConsentPage(p) {
		cf := formFields(t, b.next(p))
		cf.Set("decision", "allow")
		p = b.do(http.MethodPost, "/consent", cf)
	}
	return p
}

var responseField = regexp.MustCompile(`<form method="post" action="([^"]*)">\s*<input type="hidden" name="response" value="([^"]*)">`)

// responseJWT returns the one parameter "response" of a JWT response sent
// in mode (query, fragment or form_post), checking that nothing else is
// sent beside it.
func responseJWT(t *testing.T, p page, mode string) string {
	t.Helper()
	var params url.Values
	switch mode {
	case "query":
		params = callbackParams(t, p, jarmRedirect)
	case "fragment":
		params = fragmentParams(t, p, jarmRedirect)
	case "form_post":
		m := responseField.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || m == nil || html.UnescapeString(m[1]) != jarmRedirect {
			t.Fatalf("form_post: %d, want a form posting response to %s:\n%s", p.status, jarmRedirect, p.body)
		}
		params = url.Values{"response": {html.UnescapeString(m[2])}}
	default:
		t.Fatalf("mode %q", mode)
	}
	if len(params) != 1 || params.Get("response") == "" {
		t.Fatalf("%s response parameters %v, want response alone", mode, params)
	}
	return params.Get("response")
}

// jarmVerifier is what a client does with a JWT response (JARM §2.4):
// decrypt when encrypted, check the signature with the server's published
// keys (or its own secret for HS*), then iss, aud and exp.
type jarmVerifier struct {
	jwks   jose.JSONWebKeySet
	client jarmClient
	now    time.Time
}

func newJARMVerifier(t *testing.T, s *server, c jarmClient) jarmVerifier {
	t.Helper()
	status, body := s.get(t, "/jwks.json")
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(body), &set); status != http.StatusOK || err != nil {
		t.Fatalf("jwks: %d %v", status, err)
	}
	return jarmVerifier{jwks: set, client: c, now: time.Now()}
}

var (
	jarmSigAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.HS256}
	jarmKeyAlgs = []jose.KeyAlgorithm{jose.RSA_OAEP_256, jose.ECDH_ES, jose.DIRECT}
	jarmEncs    = []jose.ContentEncryption{jose.A128CBC_HS256, jose.A256GCM}
)

// verify returns the claims of raw and the JWS algorithm it was signed with.
func (v jarmVerifier) verify(raw string) (map[string]any, string, error) {
	if strings.Count(raw, ".") == 4 {
		if v.client.decrypt == nil {
			return nil, "", errors.New("encrypted, but the client has no decryption key")
		}
		jwe, err := jose.ParseEncryptedCompact(raw, jarmKeyAlgs, jarmEncs)
		if err != nil {
			return nil, "", err
		}
		if jwe.Header.ExtraHeaders["cty"] != "JWT" {
			return nil, "", fmt.Errorf("JWE cty %v, want JWT", jwe.Header.ExtraHeaders["cty"])
		}
		inner, err := jwe.Decrypt(v.client.decrypt)
		if err != nil {
			return nil, "", err
		}
		raw = string(inner)
	}
	jws, err := jose.ParseSignedCompact(raw, jarmSigAlgs)
	if err != nil {
		return nil, "", err
	}
	h := jws.Signatures[0].Header
	if h.ExtraHeaders["typ"] != "JWT" {
		return nil, "", fmt.Errorf("JWS typ %v, want JWT", h.ExtraHeaders["typ"])
	}
	var key any
	if strings.HasPrefix(h.Algorithm, "HS") {
		key = []byte(v.client.secret)
	} else {
		keys := v.jwks.Key(h.KeyID)
		if len(keys) != 1 {
			return nil, "", fmt.Errorf("signed with unpublished key %q", h.KeyID)
		}
		key = keys[0]
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, "", err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, "", err
	}
	exp, _ := claims["exp"].(float64)
	switch {
	case claims["iss"] != jarmIssuer:
		return nil, "", fmt.Errorf("iss %v", claims["iss"])
	case claims["aud"] != v.client.id:
		return nil, "", fmt.Errorf("aud %v, want %s", claims["aud"], v.client.id)
	case !v.now.Before(time.Unix(int64(exp), 0)):
		return nil, "", fmt.Errorf("expired at %v", exp)
	case time.Unix(int64(exp), 0).After(v.now.Add(10*time.Minute + time.Minute)):
		return nil, "", fmt.Errorf("exp %v is more than ten minutes away", exp)
	}
	return claims, h.Algorithm, nil
}

func (v jarmVerifier) mustVerify(t *testing.T, raw string) (map[string]any, string) {
	t.Helper()
	claims, alg, err := v.verify(raw)
	if err != nil {
		t.Fatalf("JWT response %q: %v", raw, err)
	}
	return claims, alg
}

// redeem exchanges a code from a JWT response at the token endpoint.
func redeem(t *testing.T, s *server, c jarmClient, code string) {
	t.Helper()
	redeemAt(t, s, c, jarmRedirect, code)
}

// redeemAt is redeem for a code sent to another redirect URI.
func redeemAt(t *testing.T, s *server, c jarmClient, redirectURI, code string) {
	t.Helper()
	verifier, _ := pkce()
	status, body, _ := tokenRequest(t, s, c.id, c.secret, url.Values{
		"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirectURI}, "code_verifier": {verifier},
	})
	if status != http.StatusOK || body["access_token"] == nil || body["id_token"] == nil {
		t.Fatalf("redeem code: %d %v", status, body)
	}
}

func TestJARMResponseModes(t *testing.T) {
	s := startSignInServer(t)
	status, body := s.get(t, "/.well-known/openid-configuration")
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); status != http.StatusOK || err != nil {
		t.Fatalf("discovery: %d %v", status, err)
	}
	for member, want := range map[string][]string{
		"response_modes_supported":                      {"query", "fragment", "form_post", "query.jwt", "fragment.jwt", "form_post.jwt", "jwt"},
		"authorization_signing_alg_values_supported":    {"RS256", "PS256", "ES256", "HS256"},
		"authorization_encryption_alg_values_supported": {"RSA-OAEP-256", "ECDH-ES", "dir"},
		"authorization_encryption_enc_values_supported": {"A128CBC-HS256", "A256GCM"},
	} {
		if got := fmt.Sprint(doc[member]); got != fmt.Sprint(want) {
			t.Errorf("discovery %s = %s, want %v", member, got, want)
		}
	}

	c := mustRegisterJARMClient(t, s, "")
	b := newBrowser(t, s)
	v := newJARMVerifier(t, s, c)
	for _, tc := range []struct {
		name, mode, carrier string
	}{
		{name: "query.jwt", mode: "query.jwt", carrier: "query"},
		{name: "fragment.jwt", mode: "fragment.jwt", carrier: "fragment"},
		{name: "form_post.jwt", mode: "form_post.jwt", carrier: "form_post"},
		{name: "jwt is query.jwt for code", mode: "jwt", carrier: "query"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := jarmAuthorize(t, b, c.id, url.Values{"response_mode": {tc.mode}})
			claims, alg := v.mustVerify(t, responseJWT(t, p, tc.carrier))
			if alg != "RS256" || claims["state"] != "st-123" || claims["code"] == "" {
				t.Fatalf("alg %s, claims %v", alg, claims)
			}
			redeem(t, s, c, claims["code"].(string))
		})
	}

	t.Run("error response", func(t *testing.T) {
		// prompt=none without a session: login_required, JWT-wrapped.
		p := newBrowser(t, s).do(http.MethodGet, authorizeURL(c.id, jarmRedirect,
			url.Values{"response_mode": {"query.jwt"}, "prompt": {"none"}}), nil)
		claims, _ := v.mustVerify(t, responseJWT(t, p, "query"))
		if claims["error"] != "login_required" || claims["state"] != "st-123" || claims["code"] != nil {
			t.Errorf("claims %v", claims)
		}
	})

	t.Run("tampered or expired", func(t *testing.T) {
		raw := responseJWT(t, jarmAuthorize(t, b, c.id, url.Values{"response_mode": {"jwt"}}), "query")
		parts := strings.Split(raw, ".")
		claims, _ := v.mustVerify(t, raw)
		claims["state"] = "forged"
		payload, _ := json.Marshal(claims)
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
		if _, _, err := v.verify(forged); err == nil {
			t.Error("a response with a changed payload verifies")
		}
		later := v
		later.now = time.Now().Add(10*time.Minute + time.Second)
		if _, _, err := later.verify(raw); err == nil {
			t.Error("a response verifies after ten minutes")
		}
	})
}

func TestJARMSigningAlgorithms(t *testing.T) {
	s := startSignInServer(t)
	b := newBrowser(t, s)
	for _, alg := range []string{"RS256", "PS256", "ES256", "HS256"} {
		t.Run(alg, func(t *testing.T) {
			c := mustRegisterJARMClient(t, s, fmt.Sprintf(`,"authorization_signed_response_alg":%q`, alg))
			v := newJARMVerifier(t, s, c)
			// The client asks for no JWT mode; having registered the
			// algorithm, it gets one anyway, in the query for code.
			claims, got := v.mustVerify(t, responseJWT(t, jarmAuthorize(t, b, c.id, nil), "query"))
			if got != alg || claims["state"] != "st-123" {
				t.Fatalf("alg %s, claims %v", got, claims)
			}
			redeem(t, s, c, claims["code"].(string))
			// response_mode=form_post becomes form_post.jwt.
			p := jarmAuthorize(t, b, c.id, url.Values{"response_mode": {"form_post"}})
			if claims, _ := v.mustVerify(t, responseJWT(t, p, "form_post")); claims["code"] == nil {
				t.Fatalf("form_post claims %v", claims)
			}
		})
	}
	t.Run("request errors are JWT responses too", func(t *testing.T) {
		c := mustRegisterJARMClient(t, s, `,"authorization_signed_response_alg":"ES256"`)
		p := b.do(http.MethodGet, authorizeURL(c.id, jarmRedirect, url.Values{"prompt": {"sometimes"}}), nil)
		claims, alg := newJARMVerifier(t, s, c).mustVerify(t, responseJWT(t, p, "query"))
		if alg != "ES256" || claims["error"] != "invalid_request" || claims["state"] != "st-123" {
			t.Errorf("alg %s, claims %v", alg, claims)
		}
	})
	t.Run("algorithm not allowed", func(t *testing.T) {
		_, status, body := registerJARMClient(t, s, `,"authorization_signed_response_alg":"RS512"`)
		if status != http.StatusBadRequest || body["error"] != "invalid_client_metadata" {
			t.Errorf("RS512: %d %v", status, body)
		}
		_, status, body = registerJARMClient(t, s, `,"authorization_encrypted_response_alg":"RSA1_5","jwks":{"keys":[]}`)
		if status != http.StatusBadRequest || body["error"] != "invalid_client_metadata" {
			t.Errorf("RSA1_5: %d %v", status, body)
		}
	})
}

func TestJARMEncryption(t *testing.T) {
	s := startSignInServer(t)
	b := newBrowser(t, s)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, alg, enc string
		private        any
		public         any
	}{
		{name: "RSA-OAEP-256 default enc", alg: "RSA-OAEP-256", private: rsaKey, public: &rsaKey.PublicKey},
		{name: "RSA-OAEP-256 A256GCM", alg: "RSA-OAEP-256", enc: "A256GCM", private: rsaKey, public: &rsaKey.PublicKey},
		{name: "ECDH-ES A128CBC-HS256", alg: "ECDH-ES", enc: "A128CBC-HS256", private: ecKey, public: &ecKey.PublicKey},
		{name: "ECDH-ES A256GCM", alg: "ECDH-ES", enc: "A256GCM", private: ecKey, public: &ecKey.PublicKey},
		{name: "dir A128CBC-HS256", alg: "dir", enc: "A128CBC-HS256"},
		{name: "dir A256GCM", alg: "dir", enc: "A256GCM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := fmt.Sprintf(`,"authorization_encrypted_response_alg":%q`, tc.alg)
			if tc.enc != "" {
				extra += fmt.Sprintf(`,"authorization_encrypted_response_enc":%q`, tc.enc)
			}
			if tc.public != nil {
				jwk, err := json.Marshal(jose.JSONWebKey{Key: tc.public, KeyID: "enc-1", Use: "enc", Algorithm: tc.alg})
				if err != nil {
					t.Fatal(err)
				}
				extra += fmt.Sprintf(`,"jwks":{"keys":[%s]}`, jwk)
			}
			c := mustRegisterJARMClient(t, s, extra)
			c.decrypt = tc.private
			if tc.alg == "dir" {
				bits := map[string]int{"A128CBC-HS256": 256, "A256GCM": 256}[tc.enc]
				c.decrypt = authorize.ClientSecretKey(c.secret, bits)
			}
			v := newJARMVerifier(t, s, c)
			raw := responseJWT(t, jarmAuthorize(t, b, c.id, url.Values{"response_mode": {"fragment.jwt"}}), "fragment")
			jwe, err := jose.ParseEncryptedCompact(raw, jarmKeyAlgs, jarmEncs)
			if err != nil {
				t.Fatalf("not a JWE: %v", err)
			}
			wantEnc := cmp.Or(tc.enc, "A128CBC-HS256")
			if jwe.Header.Algorithm != tc.alg || jwe.Header.ExtraHeaders["enc"] != wantEnc {
				t.Errorf("JWE header alg %s enc %v, want %s %s", jwe.Header.Algorithm, jwe.Header.ExtraHeaders["enc"], tc.alg, wantEnc)
			}
			claims, alg := v.mustVerify(t, raw)
			if alg != "RS256" || claims["state"] != "st-123" {
				t.Fatalf("alg %s, claims %v", alg, claims)
			}
			redeem(t, s, c, claims["code"].(string))
			// Without the key the response stays closed.
			c.decrypt = map[bool]any{true: []byte(strings.Repeat("x", 32)), false: mustRSAKey(t)}[tc.alg == "dir"]
			if _, _, err := newJARMVerifier(t, s, c).verify(raw); err == nil {
				t.Error("decrypted with the wrong key")
			}
		})
	}
}

func mustRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestJARMFragmentInChromium: a fragment.jwt response reaches the client
// in a real browser, with the JWT whole in the fragment.
func TestJARMFragmentInChromium(t *testing.T) {
	s := startSignInServer(t)
	cb := callbackServer(t)
	redirectURI := cb.URL + "/callback"
	c, status, body := registerJARMClientAt(t, s, redirectURI, `,"authorization_signed_response_alg":"PS256"`)
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, body)
	}
	ctx := browsertest.New(t, 2*time.Minute)
	start := s.base + authorizeURL(c.id, redirectURI, url.Values{"ui_locales": {"en"}, "response_mode": {"fragment.jwt"}})
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
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(loc, redirectURI+"#") {
		t.Fatalf("landed on %s, want %s#…", loc, redirectURI)
	}
	params, err := url.ParseQuery(u.Fragment)
	if err != nil || len(params) != 1 {
		t.Fatalf("fragment %q: %v", u.Fragment, err)
	}
	claims, alg := newJARMVerifier(t, s, c).mustVerify(t, params.Get("response"))
	if alg != "PS256" || claims["state"] != "st-123" || claims["code"] == nil {
		t.Fatalf("alg %s, claims %v", alg, claims)
	}
	redeemAt(t, s, c, redirectURI, claims["code"].(string))
}
