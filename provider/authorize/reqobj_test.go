package authorize

import (
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestRequestObjectAccepted(t *testing.T) {
	hsClaims := jarClaims("iss", "jarhs", "client_id", "jarhs")
	for _, tc := range []struct {
		name   string
		object string
		outer  []string // changes to the outer query
		check  func(t *testing.T, req Request)
	}{
		{name: "RS256 with kid", object: sign(t, jose.RS256, rsaKey, "rsa1", jarClaims()), check: func(t *testing.T, req Request) {
			ro := req.RequestObject
			if ro == nil || ro.Source != "request" || ro.Alg != "RS256" || ro.KeyID != "rsa1" || ro.ExpiresAt != testNow.Add(5*time.Minute).Unix() {
				t.Errorf("object info = %+v", ro)
			}
		}},
		{name: "ES256", object: sign(t, jose.ES256, ecKey, "ec1", jarClaims()), check: func(t *testing.T, req Request) {
			if req.RequestObject.Alg != "ES256" {
				t.Errorf("alg = %q", req.RequestObject.Alg)
			}
		}},
		{name: "EdDSA (RFC 8037)", object: sign(t, jose.EdDSA, edKey, "ed1", jarClaims()), check: func(t *testing.T, req Request) {
			if req.RequestObject.Alg != "EdDSA" || req.RequestObject.KeyID != "ed1" {
				t.Errorf("object info = %+v", req.RequestObject)
			}
		}},
		{name: "RS256 without kid", object: sign(t, jose.RS256, rsaKey, "", jarClaims()), check: func(t *testing.T, req Request) {
			if req.RequestObject.KeyID != "rsa1" {
				t.Errorf("kid = %q", req.RequestObject.KeyID)
			}
		}},
		{name: "only the object's parameters count", object: sign(t, jose.RS256, rsaKey, "rsa1", jarClaims("response_type", "code id_token")),
			outer: []string{"scope", "bogus", "response_type", "code", "nonce", "outer-nonce", "prompt", "none"},
			check: func(t *testing.T, req Request) {
				if req.State != "inner-state" || req.Nonce != "inner-nonce" || req.ResponseType != "code id_token" ||
					strings.Join(req.Scopes, " ") != "openid email" || req.Prompt != nil || req.RedirectURI != webCallback {
					t.Errorf("request = %+v", req)
				}
			}},
		{name: "without iss, aud, exp and client_id", object: sign(t, jose.RS256, rsaKey, "rsa1", jarClaims("iss", nil, "aud", nil, "exp", nil, "client_id", nil)),
			check: func(t *testing.T, req Request) {
				if req.ClientID != "jar" || req.RequestObject.ExpiresAt != 0 {
					t.Errorf("request = %+v", req)
				}
			}},
		{name: "aud as an array", object: sign(t, jose.RS256, rsaKey, "rsa1", jarClaims("aud", []string{"https://other.example", testIssuer})),
			check: func(t *testing.T, req Request) {}},
		{name: "expired within the leeway", object: sign(t, jose.RS256, rsaKey, "rsa1", jarClaims("exp", testNow.Add(-30*time.Second).Unix())),
			check: func(t *testing.T, req Request) {}},
		{name: "typed members", object: sign(t, jose.RS256, rsaKey, "rsa1", jarClaims("max_age", 300, "claims", map[string]any{"userinfo": map[string]any{"email": nil}},
			"authorization_details", []any{map[string]any{"type": "x"}})),
			check: func(t *testing.T, req Request) {
				if req.MaxAge == nil || *req.MaxAge != 300 || strings.Join(req.Claims.UserInfoNames(), ",") != "email" {
					t.Errorf("max_age %v claims %+v", req.MaxAge, req.Claims)
				}
			}},
		{name: "HS256 with the client secret", object: sign(t, jose.HS256, []byte(testSecret), "", hsClaims), outer: []string{"client_id", "jarhs", "redirect_uri", webCallback},
			check: func(t *testing.T, req Request) {
				if req.RequestObject.Alg != "HS256" {
					t.Errorf("alg = %q", req.RequestObject.Alg)
				}
			}},
		{name: "HS256 with the previous secret", object: sign(t, jose.HS256, []byte(oldSecret), "", hsClaims), outer: []string{"client_id", "jarhs", "redirect_uri", webCallback},
			check: func(t *testing.T, req Request) {}},
		{name: "encrypted with dir", object: encrypt(t, sign(t, jose.RS256, rsaKey, "rsa1", jarClaims()), jose.DIRECT, jose.A128CBC_HS256, ClientSecretKey(testSecret, 256)),
			check: func(t *testing.T, req Request) {
				ro := req.RequestObject
				if ro.EncAlg != "dir" || ro.Enc != "A128CBC-HS256" || ro.Alg != "RS256" || req.State != "inner-state" {
					t.Errorf("object info = %+v", ro)
				}
			}},
		{name: "encrypted with dir, A256CBC-HS512", object: encrypt(t, sign(t, jose.RS256, rsaKey, "rsa1", jarClaims()), jose.DIRECT, jose.A256CBC_HS512, ClientSecretKey(testSecret, 512)),
			check: func(t *testing.T, req Request) {}},
		{name: "encrypted with A256KW", object: encrypt(t, sign(t, jose.ES256, ecKey, "ec1", jarClaims()), jose.A256KW, jose.A256GCM, ClientSecretKey(oldSecret, 256)),
			check: func(t *testing.T, req Request) {
				if req.RequestObject.EncAlg != "A256KW" {
					t.Errorf("object info = %+v", req.RequestObject)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := mustParse(t, getRequest(jarQuery(tc.object, tc.outer...)), testDeps())
			tc.check(t, req)
		})
	}
}

func TestRequestObjectRefused(t *testing.T) {
	good := func(kv ...any) string { return sign(t, jose.RS256, rsaKey, "rsa1", jarClaims(kv...)) }
	inner := good()
	hsClaims := jarClaims("iss", "jarhs", "client_id", "jarhs")
	const jarURI = "https://rp.example.com/jar"
	for _, tc := range []struct {
		name   string
		object string
		outer  []string
		want   string // error code, invalid_request_object unless set
		desc   string // a part of the description
	}{
		{name: "not a JWT", object: "not-a-jwt", desc: "not a JWT"},
		{name: "garbage in three parts", object: "a.b.c", desc: "header"},
		{name: "alg none", object: unsigned(jarClaims()), desc: "alg none"},
		{name: "signed by another key", object: sign(t, jose.RS256, otherRSA, "rsa1", jarClaims()), desc: "does not verify"},
		{name: "PS256 with a key registered for RS256", object: sign(t, jose.PS256, rsaKey, "rsa1", jarClaims()), desc: "does not verify"},
		{name: "kid of another key", object: sign(t, jose.RS256, rsaKey, "ec1", jarClaims()), desc: "does not verify"},
		{name: "tampered payload", object: tamper(inner), desc: "does not verify"},
		{name: "HS256 without registering it", object: sign(t, jose.HS256, []byte(testSecret), "", jarClaims()), desc: "request_object_signing_alg"},
		{name: "RS256 when HS256 is registered", object: sign(t, jose.RS256, rsaKey, "rsa1", hsClaims), outer: []string{"client_id", "jarhs", "redirect_uri", webCallback}, desc: "registered"},
		{name: "HS256 with a wrong secret", object: sign(t, jose.HS256, []byte(strings.Repeat("w", 43)), "", hsClaims), outer: []string{"client_id", "jarhs", "redirect_uri", webCallback}, desc: "does not verify"},
		{name: "no keys registered", object: sign(t, jose.RS256, rsaKey, "rsa1", jarClaims("iss", "jarnokeys", "client_id", "jarnokeys")), outer: []string{"client_id", "jarnokeys", "redirect_uri", webCallback}, desc: "no keys"},
		{name: "sub is the client_id", object: good("sub", "jar"), desc: "sub"},
		{name: "iss is not the client", object: good("iss", "someone"), desc: "iss"},
		{name: "aud is another server", object: good("aud", "https://other.example"), desc: "aud"},
		{name: "aud array without us", object: good("aud", []string{"https://other.example"}), desc: "aud"},
		{name: "expired", object: good("exp", testNow.Add(-time.Hour).Unix()), desc: "expired"},
		{name: "not valid yet", object: good("nbf", testNow.Add(time.Hour).Unix()), desc: "nbf"},
		{name: "client_id differs", object: good("client_id", "web"), desc: "client_id"},
		{name: "exp of the wrong type", object: good("exp", "tomorrow"), desc: "wrong type"},
		{name: "nested request", object: good("request", "x.y.z"), desc: "must not hold request"},
		{name: "nested request_uri", object: good("request_uri", "https://objects.example.com/ro/1"), desc: "must not hold request_uri"},
		{name: "state not a string", object: good("state", 7), desc: "state must be a string"},
		{name: "max_age not a number", object: good("max_age", true), desc: "max_age"},
		{name: "encrypted to a key of ours", object: encrypt(t, inner, jose.RSA_OAEP_256, jose.A128CBC_HS256, &otherRSA.PublicKey), desc: "publishes no encryption key"},
		{name: "encrypted with an unknown algorithm", object: encrypt(t, inner, jose.PBES2_HS256_A128KW, jose.A128GCM, []byte("password")), desc: "not supported"},
		{name: "encrypted under a wrong secret", object: encrypt(t, inner, jose.DIRECT, jose.A128CBC_HS256, ClientSecretKey("not the secret", 256)), desc: "could not be decrypted"},
		{name: "encrypted by a client without a recoverable secret", object: encrypt(t, inner, jose.DIRECT, jose.A128GCM, ClientSecretKey(testSecret, 128)),
			outer: []string{"client_id", "jarnokeys", "redirect_uri", webCallback}, desc: "no secret"},
		{name: "encrypted but not signed", object: encrypt(t, `{"client_id":"jar"}`, jose.DIRECT, jose.A128GCM, ClientSecretKey(testSecret, 128)), desc: "signed JWT"},
		{name: "encrypted alg none", object: encrypt(t, unsigned(jarClaims()), jose.DIRECT, jose.A128GCM, ClientSecretKey(testSecret, 128)), desc: "alg none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := jarQuery(tc.object, tc.outer...)
			_, f := parse(t, getRequest(q), testDeps())
			want := tc.want
			if want == "" {
				want = "invalid_request_object"
			}
			uri := q.Get("redirect_uri")
			if uri == "" {
				uri = jarURI
			}
			checkFailure(t, f, errorCase{query: q, code: want, param: "request", uri: uri})
			if !strings.Contains(f.Err.Description, tc.desc) {
				t.Errorf("description %q lacks %q", f.Err.Description, tc.desc)
			}
		})
	}
}

// tamper changes the payload of a compact JWS, keeping its signature.
func tamper(jws string) string {
	parts := strings.Split(jws, ".")
	parts[1] = parts[1][:len(parts[1])-2] + "AA"
	return strings.Join(parts, ".")
}

func TestRequestObjectRedirectTarget(t *testing.T) {
	t.Run("error goes to the only registered URI", func(t *testing.T) {
		q := jarQuery(unsigned(nil), "client_id", "jarhs", "redirect_uri", "-")
		_, f := parse(t, getRequest(q), testDeps())
		checkFailure(t, f, errorCase{query: q, code: "invalid_request_object", param: "request"})
	})
	t.Run("error is shown when the outer request names no registered URI", func(t *testing.T) {
		q := jarQuery(unsigned(nil), "redirect_uri", "-")
		_, f := parse(t, getRequest(q), testDeps())
		checkFailure(t, f, errorCase{query: q, code: "invalid_request", shown: true, param: "redirect_uri"})
	})
	t.Run("the object's redirect_uri must be registered", func(t *testing.T) {
		q := jarQuery(sign(t, jose.RS256, rsaKey, "rsa1", jarClaims("redirect_uri", "https://evil.example.com/cb")))
		_, f := parse(t, getRequest(q), testDeps())
		checkFailure(t, f, errorCase{query: q, code: "invalid_request", shown: true, param: "redirect_uri"})
	})
	t.Run("later errors use the object's redirect URI, state and mode", func(t *testing.T) {
		q := jarQuery(sign(t, jose.RS256, rsaKey, "rsa1", jarClaims("response_mode", ModeFormPost, "prompt", "none login")))
		_, f := parse(t, getRequest(q), testDeps())
		checkFailure(t, f, errorCase{query: with(q, "state", "inner-state"), code: "invalid_request", param: "prompt", mode: ModeFormPost})
	})
	t.Run("outer parameters repeated", func(t *testing.T) {
		q := jarQuery(sign(t, jose.RS256, rsaKey, "rsa1", jarClaims()))
		_, f := parse(t, rawRequest(q.Encode()+"&nonce=a&nonce=b"), testDeps())
		checkFailure(t, f, errorCase{query: q, code: "invalid_request", param: "nonce", uri: "https://rp.example.com/jar"})
	})
}

func TestClientSecretKey(t *testing.T) {
	for _, bits := range []int{128, 192, 256, 384, 512} {
		if got := len(ClientSecretKey("s", bits)); got != bits/8 {
			t.Errorf("%d bits: %d bytes", bits, got)
		}
	}
	// The 128-bit key is the left half of the 256-bit one (Core §10.2).
	if a, b := ClientSecretKey("s", 128), ClientSecretKey("s", 256); string(a) != string(b[:16]) {
		t.Error("shorter keys are not left-most bits of SHA-256")
	}
	if a, b := ClientSecretKey("s", 384), ClientSecretKey("s", 512); string(a) == string(b[:48]) {
		t.Error("384 and 512 bits should come from different hashes")
	}
}

// jwksJSON is the JWK set document of the given keys.
func jwksJSON(t *testing.T, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func publicJWK(k *rsa.PrivateKey, kid string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Use: "sig", Algorithm: "RS256"}
}
