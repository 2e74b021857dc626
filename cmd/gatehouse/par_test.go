package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// parPush posts form to /par, with basic credentials when secret is set,
// and returns the status, the JSON body and the headers.
func parPush(t *testing.T, s *server, clientID, secret string, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/par", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("/par answer is not JSON (%d): %v", resp.StatusCode, err)
	}
	return resp.StatusCode, body, resp.Header
}

// parRequest is a valid code request for the JARM test client's redirect URI.
func parRequest(clientID, state string) url.Values {
	_, challenge := pkce()
	return url.Values{
		"client_id": {clientID}, "redirect_uri": {jarmRedirect}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {state}, "nonce": {"n-par"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
}

// mustPush pushes and returns the request_uri, checking the RFC 9126 §2.2 answer.
func mustPush(t *testing.T, s *server, c jarmClient, form url.Values, wantExpiresIn float64) string {
	t.Helper()
	status, body, h := parPush(t, s, c.id, c.secret, form)
	uri, _ := body["request_uri"].(string)
	if status != http.StatusCreated || !strings.HasPrefix(uri, "urn:ietf:params:oauth:request_uri:") ||
		body["expires_in"] != wantExpiresIn || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("push: %d %v %v", status, body, h)
	}
	return uri
}

// pushedAuthorize sends the browser to /authorize with client_id and
// request_uri (and extra parameters, which must be ignored) and returns the
// page that carries the response, signing in and consenting on the way.
func pushedAuthorize(t *testing.T, b *browser, clientID, requestURI string, extra url.Values) page {
	t.Helper()
	q := url.Values{"client_id": {clientID}, "request_uri": {requestURI}}
	for k, v := range extra {
		q[k] = v
	}
	p := b.do(http.MethodGet, "/authorize?"+q.Encode(), nil)
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

func TestPushedAuthorizationRequests(t *testing.T) {
	s, _ := startSignInServerWith(t, "  par: {lifetime: 1s}\n")
	status, doc := s.get(t, "/.well-known/openid-configuration")
	if status != http.StatusOK || !strings.Contains(doc, `"pushed_authorization_request_endpoint": "http://127.0.0.1:8080/par"`) ||
		strings.Contains(doc, "require_pushed_authorization_requests") {
		t.Fatalf("discovery: %d\n%s", status, doc)
	}
	c := mustRegisterJARMClient(t, s, "")
	other := mustRegisterJARMClient(t, s, "")
	b := newBrowser(t, s)

	t.Run("code flow through the request_uri", func(t *testing.T) {
		uri := mustPush(t, s, c, parRequest(c.id, "pushed-state"), 1)
		// Parameters beside client_id and request_uri are ignored (RFC 9126 §4).
		got := callbackParams(t, pushedAuthorize(t, b, c.id, uri, url.Values{"state": {"outer"}, "scope": {"openid"}}), jarmRedirect)
		if got.Get("code") == "" || got.Get("state") != "pushed-state" {
			t.Fatalf("callback: %v", got)
		}
		redeem(t, s, c, got.Get("code"))

		// One-time use.
		if p := b.do(http.MethodGet, "/authorize?"+url.Values{"client_id": {c.id}, "request_uri": {uri}}.Encode(), nil); p.status != http.StatusBadRequest || p.location != "" {
			t.Errorf("reused request_uri: %d %q", p.status, p.location)
		}
	})

	t.Run("bound to the client that pushed it", func(t *testing.T) {
		uri := mustPush(t, s, c, parRequest(c.id, "bound"), 1)
		if p := b.do(http.MethodGet, "/authorize?"+url.Values{"client_id": {other.id}, "request_uri": {uri}}.Encode(), nil); p.status != http.StatusBadRequest || p.location != "" {
			t.Errorf("another client's request_uri: %d %q", p.status, p.location)
		}
		// The other client's attempt did not use it up.
		if got := callbackParams(t, pushedAuthorize(t, b, c.id, uri, nil), jarmRedirect); got.Get("state") != "bound" {
			t.Errorf("callback: %v", got)
		}
	})

	t.Run("expires", func(t *testing.T) {
		pushed := time.Now()
		uri := mustPush(t, s, c, parRequest(c.id, "late"), 1)
		// Waiting out the lifetime is what is under test; nothing races.
		<-time.After(time.Until(pushed.Add(time.Second + 100*time.Millisecond)))
		if p := b.do(http.MethodGet, "/authorize?"+url.Values{"client_id": {c.id}, "request_uri": {uri}}.Encode(), nil); p.status != http.StatusBadRequest || p.location != "" {
			t.Errorf("expired request_uri: %d %q", p.status, p.location)
		}
	})

	t.Run("errors are JSON from /par", func(t *testing.T) {
		for _, tc := range []struct {
			name, secret string
			form         url.Values
			status       int
			code         string
		}{
			{"wrong secret", "wrong", parRequest(c.id, "x"), http.StatusUnauthorized, "invalid_client"},
			{"unregistered redirect_uri", c.secret, with(parRequest(c.id, "x"), "redirect_uri", "http://127.0.0.1:9/elsewhere"), http.StatusBadRequest, "invalid_request"},
			{"request_uri in the push", c.secret, with(parRequest(c.id, "x"), "request_uri", "urn:ietf:params:oauth:request_uri:abc"), http.StatusBadRequest, "invalid_request"},
			{"bad response_type", c.secret, with(parRequest(c.id, "x"), "response_type", "bogus"), http.StatusBadRequest, "unsupported_response_type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body, _ := parPush(t, s, c.id, tc.secret, tc.form)
				if status != tc.status || body["error"] != tc.code {
					t.Errorf("%d %v, want %d %s", status, body, tc.status, tc.code)
				}
			})
		}
	})

	t.Run("private_key_jwt and a signed request object", func(t *testing.T) {
		key, jwks := ecKeySet(t)
		pk, status, reg := registerJARMClient(t, s, `,"token_endpoint_auth_method":"private_key_jwt","request_object_signing_alg":"ES256","jwks":`+jwks)
		if status != http.StatusCreated {
			t.Fatalf("register: %d %v", status, reg)
		}
		_, challenge := pkce()
		object := signJWT(t, key, map[string]any{
			"iss": pk.id, "aud": jarmIssuer, "exp": time.Now().Add(time.Minute).Unix(),
			"client_id": pk.id, "response_type": "code", "redirect_uri": jarmRedirect, "scope": "openid profile",
			"state": "from-object", "nonce": "n", "code_challenge": challenge, "code_challenge_method": "S256",
		})
		form := url.Values{
			"client_id": {pk.id}, "request": {object},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {clientAssertion(t, key, pk.id, jarmIssuer+"/par")},
		}
		status, body, _ := parPush(t, s, pk.id, "", form)
		uri, _ := body["request_uri"].(string)
		if status != http.StatusCreated || uri == "" {
			t.Fatalf("push: %d %v", status, body)
		}
		got := callbackParams(t, pushedAuthorize(t, newBrowser(t, s), pk.id, uri, nil), jarmRedirect)
		if got.Get("code") == "" || got.Get("state") != "from-object" {
			t.Errorf("callback: %v", got)
		}

		// An object signed by another key is refused at /par, as JSON.
		stranger, _ := ecKeySet(t)
		form.Set("request", signJWT(t, stranger, map[string]any{"iss": pk.id, "aud": jarmIssuer, "client_id": pk.id, "response_type": "code"}))
		form.Set("client_assertion", clientAssertion(t, key, pk.id, jarmIssuer+"/par"))
		if status, body, _ := parPush(t, s, pk.id, "", form); status != http.StatusBadRequest || body["error"] != "invalid_request_object" {
			t.Errorf("foreign signature: %d %v", status, body)
		}
	})

	t.Run("JWT introspection verified with the JWKS", func(t *testing.T) {
		ic := mustRegisterJARMClient(t, s, `,"introspection_signed_response_alg":"ES256"`)
		uri := mustPush(t, s, ic, parRequest(ic.id, "intro"), 1)
		code := callbackParams(t, pushedAuthorize(t, b, ic.id, uri, nil), jarmRedirect).Get("code")
		verifier, _ := pkce()
		status, tokens, _ := tokenRequest(t, s, ic.id, ic.secret, url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {jarmRedirect}, "code_verifier": {verifier},
		})
		access, _ := tokens["access_token"].(string)
		if status != http.StatusOK || access == "" {
			t.Fatalf("token: %d %v", status, tokens)
		}
		req, _ := http.NewRequest(http.MethodPost, s.base+"/token/introspect", strings.NewReader(url.Values{"token": {access}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/token-introspection+jwt")
		req.SetBasicAuth(url.QueryEscape(ic.id), url.QueryEscape(ic.secret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/token-introspection+jwt" {
			t.Fatalf("introspection: %d %v %s", resp.StatusCode, resp.Header, raw)
		}
		jws, err := jose.ParseSignedCompact(string(raw), []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		h := jws.Signatures[0].Header
		_, jwksBody := s.get(t, "/jwks.json")
		var set jose.JSONWebKeySet
		if err := json.Unmarshal([]byte(jwksBody), &set); err != nil || len(set.Key(h.KeyID)) != 1 || h.ExtraHeaders["typ"] != "token-introspection+jwt" {
			t.Fatalf("header %+v, jwks %v", h, err)
		}
		payload, err := jws.Verify(set.Key(h.KeyID)[0])
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Iss, Aud string
			Iat      int64
			TI       map[string]any `json:"token_introspection"`
		}
		if err := json.Unmarshal(payload, &claims); err != nil || claims.Iss != jarmIssuer || claims.Aud != ic.id || claims.Iat == 0 ||
			claims.TI["active"] != true || claims.TI["client_id"] != ic.id {
			t.Errorf("claims %s (%v)", payload, err)
		}
	})

	t.Run("client that requires pushed requests", func(t *testing.T) {
		req := mustRegisterJARMClient(t, s, `,"require_pushed_authorization_requests":true`)
		got := callbackParams(t, b.do(http.MethodGet, authorizeURL(req.id, jarmRedirect, nil), nil), jarmRedirect)
		if got.Get("error") != "invalid_request" {
			t.Errorf("plain request: %v", got)
		}
		uri := mustPush(t, s, req, parRequest(req.id, "required"), 1)
		if got := callbackParams(t, pushedAuthorize(t, b, req.id, uri, nil), jarmRedirect); got.Get("code") == "" {
			t.Errorf("pushed request: %v", got)
		}
	})
}

func TestPushedAuthorizationRequestsRequired(t *testing.T) {
	s, _ := startSignInServerWith(t, "  par: {require: true}\n")
	if _, doc := s.get(t, "/.well-known/openid-configuration"); !strings.Contains(doc, `"require_pushed_authorization_requests": true`) {
		t.Errorf("discovery:\n%s", doc)
	}
	c := mustRegisterJARMClient(t, s, "")
	b := newBrowser(t, s)
	got := callbackParams(t, b.do(http.MethodGet, authorizeURL(c.id, jarmRedirect, nil), nil), jarmRedirect)
	if got.Get("error") != "invalid_request" || !strings.Contains(got.Get("error_description"), "pushed") {
		t.Errorf("plain request: %v", got)
	}
	uri := mustPush(t, s, c, parRequest(c.id, "ok"), 60)
	if got := callbackParams(t, pushedAuthorize(t, b, c.id, uri, nil), jarmRedirect); got.Get("code") == "" {
		t.Errorf("pushed request: %v", got)
	}
}

// ecKeySet makes a P-256 key and the JWK set (JSON) of its public half.
func ecKeySet(t *testing.T) (jose.JSONWebKey, string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := jose.JSONWebKey{Key: priv, KeyID: fmt.Sprintf("k%d", time.Now().UnixNano()), Algorithm: "ES256", Use: "sig"}
	raw, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.Public()}})
	if err != nil {
		t.Fatal(err)
	}
	return k, string(raw)
}

func signJWT(t *testing.T, key jose.JSONWebKey, claims map[string]any) string {
	t.Helper()
	alg := jose.ES256
	if key.Algorithm != "" {
		alg = jose.SignatureAlgorithm(key.Algorithm)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", key.KeyID))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// clientAssertion is an RFC 7523 assertion for private_key_jwt.
func clientAssertion(t *testing.T, key jose.JSONWebKey, clientID, aud string) string {
	t.Helper()
	now := time.Now()
	return signJWT(t, key, map[string]any{
		"iss": clientID, "sub": clientID, "aud": aud, "jti": fmt.Sprintf("j%d", now.UnixNano()),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	})
}

// with returns a copy of base with key set to value.
func with(base url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, v := range base {
		out[k] = v
	}
	out.Set(key, value)
	return out
}
