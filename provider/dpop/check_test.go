package dpop

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func header(proofs ...string) http.Header {
	h := http.Header{}
	for _, p := range proofs {
		h.Add(HeaderName, p)
	}
	return h
}

// TestCheck: every check of RFC 9449 §4.3 refuses what it should and
// names it.
func TestCheck(t *testing.T) {
	const access = "an-access-token"
	b64 := base64.RawURLEncoding.EncodeToString
	ecPub := jose.JSONWebKey{Key: testKeys()["ES256"].Public()}
	noneProof := func() string {
		hd, _ := ecPub.MarshalJSON()
		return b64([]byte(`{"typ":"dpop+jwt","alg":"none","jwk":`+string(hd)+`}`)) + "." +
			b64([]byte(`{"jti":"x","htm":"POST","htu":"`+tokenURL+`","iat":1800000000}`)) + "."
	}
	tests := []struct {
		name     string
		proof    func(t *testing.T) string
		target   Target
		wantCode string
		wantDesc string
	}{
		{name: "ES256", proof: func(t *testing.T) string { return makeProof(t, proofSpec{}) }},
		{name: "EdDSA", proof: func(t *testing.T) string { return makeProof(t, proofSpec{alg: "EdDSA"}) }},
		{name: "RS256", proof: func(t *testing.T) string { return makeProof(t, proofSpec{alg: "RS256"}) }},
		{name: "PS256", proof: func(t *testing.T) string { return makeProof(t, proofSpec{alg: "PS256"}) }},
		{name: "htu of another case, default port, query", proof: func(t *testing.T) string {
			return makeProof(t, proofSpec{claims: map[string]any{"htu": "HTTPS://IDP.example.org:443/token?x=1#f"}})
		}},
		{name: "second URL (mTLS alias)", target: Target{URLs: []string{"https://other/token", tokenURL}},
			proof: func(t *testing.T) string { return makeProof(t, proofSpec{}) }},
		{name: "ath matches", target: Target{AccessToken: access}, proof: func(t *testing.T) string {
			return makeProof(t, proofSpec{claims: map[string]any{"ath": accessTokenHash(access)}})
		}},
		{name: "iat at the edge of the window", proof: func(t *testing.T) string {
			return makeProof(t, proofSpec{claims: map[string]any{"iat": testNow.Add(-DefaultMaxAge).Unix()}})
		}},

		{name: "bad typ", wantCode: "invalid_dpop_proof", wantDesc: "typ",
			proof: func(t *testing.T) string { return makeProof(t, proofSpec{typ: "JWT"}) }},
		{name: "alg none", wantCode: "invalid_dpop_proof", wantDesc: "accepted algorithm",
			proof: func(*testing.T) string { return noneProof() }},
		{name: "alg HS256", wantCode: "invalid_dpop_proof", wantDesc: "accepted algorithm",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{alg: "HS256", jwk: ecPub, signKey: []byte("0123456789abcdef0123456789abcdef")})
			}},
		{name: "alg not configured", wantCode: "invalid_dpop_proof", wantDesc: "accepted algorithm",
			proof: func(t *testing.T) string { return makeProof(t, proofSpec{alg: "ES384"}) }},
		{name: "private key in jwk", wantCode: "invalid_dpop_proof", wantDesc: "public key",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{jwk: jose.JSONWebKey{Key: testKeys()["ES256"]}})
			}},
		{name: "no jwk", wantCode: "invalid_dpop_proof", wantDesc: "jwk",
			proof: func(t *testing.T) string { return makeProof(t, proofSpec{jwk: "none"}) }},
		{name: "signed by another key", wantCode: "invalid_dpop_proof", wantDesc: "signature",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{jwk: jose.JSONWebKey{Key: testKeys()["ES384"].Public()}})
			}},
		{name: "tampered payload", wantCode: "invalid_dpop_proof", wantDesc: "signature",
			proof: func(t *testing.T) string {
				parts := strings.Split(makeProof(t, proofSpec{}), ".")
				parts[1] = b64([]byte(`{"jti":"x","htm":"POST","htu":"` + tokenURL + `","iat":1800000000}`))
				return strings.Join(parts, ".")
			}},
		{name: "wrong htm", wantCode: "invalid_dpop_proof", wantDesc: "htm",
			proof: func(t *testing.T) string { return makeProof(t, proofSpec{claims: map[string]any{"htm": "GET"}}) }},
		{name: "wrong htu", wantCode: "invalid_dpop_proof", wantDesc: "htu",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{claims: map[string]any{"htu": "https://idp.example.org/userinfo"}})
			}},
		{name: "htu on another port", wantCode: "invalid_dpop_proof", wantDesc: "htu",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{claims: map[string]any{"htu": "https://idp.example.org:8443/token"}})
			}},
		{name: "stale iat", wantCode: "invalid_dpop_proof", wantDesc: "iat",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{claims: map[string]any{"iat": testNow.Add(-DefaultMaxAge - time.Second).Unix()}})
			}},
		{name: "future iat", wantCode: "invalid_dpop_proof", wantDesc: "iat",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{claims: map[string]any{"iat": testNow.Add(DefaultClockSkew + time.Second).Unix()}})
			}},
		{name: "no iat", wantCode: "invalid_dpop_proof", wantDesc: "iat",
			proof: func(t *testing.T) string { return makeProof(t, proofSpec{drop: []string{"iat"}}) }},
		{name: "no jti", wantCode: "invalid_dpop_proof", wantDesc: "jti",
			proof: func(t *testing.T) string { return makeProof(t, proofSpec{drop: []string{"jti"}}) }},
		{name: "jti too long", wantCode: "invalid_dpop_proof", wantDesc: "jti",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{claims: map[string]any{"jti": strings.Repeat("j", 65)}})
			}},
		{name: "ath missing", target: Target{AccessToken: access}, wantCode: "invalid_dpop_proof", wantDesc: "ath",
			proof: func(t *testing.T) string { return makeProof(t, proofSpec{}) }},
		{name: "ath of another token", target: Target{AccessToken: access}, wantCode: "invalid_dpop_proof", wantDesc: "ath",
			proof: func(t *testing.T) string {
				return makeProof(t, proofSpec{claims: map[string]any{"ath": accessTokenHash("other")}})
			}},
		{name: "not a JWS", wantCode: "invalid_dpop_proof", proof: func(*testing.T) string { return "not.a.jws" }},
		{name: "too long", wantCode: "invalid_dpop_proof", wantDesc: "too long",
			proof: func(*testing.T) string { return strings.Repeat("a", 8<<10+1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newChecker(t, nil)
			target := tc.target
			target.Method = "POST"
			if target.URLs == nil {
				target.URLs = []string{tokenURL}
			}
			p, present, e := c.Check(context.Background(), header(tc.proof(t)), target)
			if !present {
				t.Fatal("the proof was not seen")
			}
			if tc.wantCode == "" {
				if e != nil {
					t.Fatalf("refused: %v", e)
				}
				if len(p.JKT) != 43 || p.JTI == "" {
					t.Errorf("proof %+v", p)
				}
				return
			}
			if e == nil || e.Code != tc.wantCode || !strings.Contains(e.Description, tc.wantDesc) {
				t.Fatalf("got %v, want %s naming %q", e, tc.wantCode, tc.wantDesc)
			}
		})
	}
}
