package resource

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// introspectJWT asks as client with the given Accept header.
func (e *env) introspectAccept(client, token, accept string) (int, http.Header, string) {
	e.t.Helper()
	r := clientPost("/token/introspect", client, url.Values{"token": {token}})
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	rec := do(e.handler.Introspect, r)
	return rec.Code, rec.Header(), rec.Body.String()
}

func TestIntrospectJWT(t *testing.T) {
	e := newEnv(t)
	tok := e.accessToken(rp, "openid")
	pub := e.fx.keys.Public()

	// verify checks the signature with the published keys and returns the claims.
	verify := func(t *testing.T, raw string, wantAlg string) map[string]any {
		t.Helper()
		jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		h := jws.Signatures[0].Header
		if h.Algorithm != wantAlg || h.ExtraHeaders["typ"] != "token-introspection+jwt" {
			t.Fatalf("header %+v", h)
		}
		keys := pub.Key(h.KeyID)
		if len(keys) != 1 {
			t.Fatalf("signed with unpublished key %q", h.KeyID)
		}
		payload, err := jws.Verify(keys[0])
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		return claims
	}

	t.Run("JSON without the Accept header", func(t *testing.T) {
		status, h, body := e.introspectAccept(rp, tok, "application/json")
		if status != http.StatusOK || h.Get("Content-Type") != "application/json" || body[0] != '{' {
			t.Errorf("%d %v %s", status, h, body)
		}
	})
	t.Run("signed, RS256 by default", func(t *testing.T) {
		status, h, body := e.introspectAccept(rp, tok, "application/json;q=0.5, application/token-introspection+jwt")
		if status != http.StatusOK || h.Get("Content-Type") != "application/token-introspection+jwt" || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %v %s", status, h, body)
		}
		claims := verify(t, body, "RS256")
		ti, _ := claims["token_introspection"].(map[string]any)
		if claims["iss"] != issuer || claims["aud"] != rp || claims["iat"] != float64(start.Unix()) ||
			ti["active"] != true || ti["client_id"] != rp || ti["sub"] != "ann" {
			t.Errorf("claims %v", claims)
		}
		if _, ok := claims["sub"]; ok {
			t.Error("the token's claims leaked to the top level")
		}
	})
	t.Run("inactive", func(t *testing.T) {
		_, _, body := e.introspectAccept(rp, "not-a-token", "application/token-introspection+jwt")
		claims := verify(t, body, "RS256")
		if !reflect.DeepEqual(claims["token_introspection"], map[string]any{"active": false}) {
			t.Errorf("claims %v", claims)
		}
	})
	t.Run("the client's algorithms, encrypted", func(t *testing.T) {
		status, _, body := e.introspectAccept(introspector, e.accessToken(introspector), "application/token-introspection+jwt")
		if status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		jwe, err := jose.ParseEncryptedCompact(body, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A128CBC_HS256})
		if err != nil {
			t.Fatal(err)
		}
		inner, err := jwe.Decrypt(e.fx.sealKey)
		if err != nil {
			t.Fatal(err)
		}
		claims := verify(t, string(inner), "ES256")
		if ti, _ := claims["token_introspection"].(map[string]any); ti["client_id"] != introspector || claims["aud"] != introspector {
			t.Errorf("claims %v", claims)
		}
	})
}

func TestWantsJWT(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                    false,
		"application/json":                    false,
		"application/token-introspection+jwt": true,
		"text/html, application/token-introspection+jwt; charset=utf-8": true,
		"application/token-introspection+jwt;q=0":                       false,
		"application/jwt": false,
	} {
		r, _ := http.NewRequest(http.MethodPost, "/", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := wantsJWT(r); got != want {
			t.Errorf("Accept %q: %v, want %v", accept, got, want)
		}
	}
}
