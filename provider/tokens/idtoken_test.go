package tokens

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// sampleIDToken is a full ID token request for client c.
func sampleIDToken(c oauth.Client) IDToken {
	return IDToken{
		Client:   c,
		Subject:  "248289761001",
		AuthTime: testNow.Add(-5 * time.Minute),
		Nonce:    "n-0S6_WzA2Mj",
		ACR:      "urn:gatehouse:acr:pwd",
		AMR:      []string{"pwd"},
		SID:      "08a5019c-17e1-4977-8f42-65a12843ea02",
		Claims: map[string]any{
			"name":           "Jane Doe",
			"email":          "janedoe@example.com",
			"email_verified": true,
			"groups":         []string{"admins", "staff"},
		},
		// The values of OpenID Connect Core Appendix A.3 and A.4.
		AccessToken: "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
		Code:        "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk",
	}
}

func TestIDTokenSigningAlgorithms(t *testing.T) {
	set := fullSet()
	m := newMinter(t, set, newClock())
	tests := []struct {
		alg      string
		hashSize int // bytes of the full hash: at_hash has half of them
	}{
		{alg: "", hashSize: 32}, // the default, RS256
		{alg: "RS256", hashSize: 32},
		{alg: "RS384", hashSize: 48},
		{alg: "RS512", hashSize: 64},
		{alg: "PS256", hashSize: 32},
		{alg: "PS384", hashSize: 48},
		{alg: "PS512", hashSize: 64},
		{alg: "ES256", hashSize: 32},
		{alg: "ES384", hashSize: 48},
		{alg: "ES512", hashSize: 64},
		{alg: "HS256", hashSize: 32},
		{alg: "HS384", hashSize: 48},
		{alg: "HS512", hashSize: 64},
	}
	for _, tc := range tests {
		name := tc.alg
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			c := client(func(md *oauth.Metadata) { md.IDTokenSignedResponseAlg = tc.alg })
			token, err := m.IDToken(context.Background(), sampleIDToken(c))
			if err != nil {
				t.Fatal(err)
			}
			alg := tc.alg
			if alg == "" {
				alg = "RS256"
			}
			head := unverifiedHeader(t, token)
			var key any
			if strings.HasPrefix(alg, "HS") {
				if _, ok := head["kid"]; ok {
					t.Errorf("HMAC token names a kid: %v", head)
				}
				key = []byte(currentSecret)
			} else {
				kid, _ := head["kid"].(string)
				want, _ := set.SigningKey(jose.SignatureAlgorithm(alg))
				if kid != want.KeyID {
					t.Errorf("kid = %q, want %q", kid, want.KeyID)
				}
				key = publicKey(t, set, kid)
			}
			h, claims := verifyJWS(t, token, jose.SignatureAlgorithm(alg), key)
			if typ := h.ExtraHeaders[jose.HeaderType]; typ != "JWT" {
				t.Errorf("typ = %v, want JWT", typ)
			}
			for _, name := range []string{"at_hash", "c_hash"} {
				s, _ := claims[name].(string)
				if got := len(s); got != base64Len(tc.hashSize/2) {
					t.Errorf("%s %q has %d characters, want half a %d-byte hash", name, s, got, tc.hashSize)
				}
			}
			want := independentHalfHash(alg, sampleIDToken(c).AccessToken)
			if claims["at_hash"] != want {
				t.Errorf("at_hash = %v, want %v", claims["at_hash"], want)
			}
		})
	}
}

func base64Len(n int) int { return (n*8 + 5) / 6 }

// TestHashClaimsMatchSpecExamples uses the values of OpenID Connect Core
// Appendix A.3 (at_hash) and A.4 (c_hash), both RS256.
func TestHashClaimsMatchSpecExamples(t *testing.T) {
	m := newMinter(t, generatedSet(), newClock())
	token, err := m.IDToken(context.Background(), sampleIDToken(client(nil)))
	if err != nil {
		t.Fatal(err)
	}
	_, claims := verifyJWS(t, token, jose.RS256, publicKey(t, generatedSet(), unverifiedHeader(t, token)["kid"].(string)))
	if got := claims["at_hash"]; got != "77QmUPtjPfzWtF2AnpK9RQ" {
		t.Errorf("at_hash = %v, want the spec's 77QmUPtjPfzWtF2AnpK9RQ", got)
	}
	if got := claims["c_hash"]; got != "LDktKdoQak3Pk0cnXxCltA" {
		t.Errorf("c_hash = %v, want the spec's LDktKdoQak3Pk0cnXxCltA", got)
	}
}

func TestIDTokenClaimsGolden(t *testing.T) {
	m := newMinter(t, generatedSet(), newClock())
	in := sampleIDToken(client(nil))
	// Claims that try to replace registered ones are dropped.
	for _, name := range []string{"iss", "sub", "aud", "exp", "iat", "nonce", "acr", "azp", "at_hash", "jti", "cnf"} {
		in.Claims[name] = "forged"
	}
	token, err := m.IDToken(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	_, claims := verifyJWS(t, token, jose.RS256, publicKey(t, generatedSet(), unverifiedHeader(t, token)["kid"].(string)))
	if iat, exp := numeric(t, claims, "iat"), numeric(t, claims, "exp"); iat != testNow.Unix() || exp-iat != int64(DefaultIDTokenLifetime/time.Second) {
		t.Errorf("iat %d, exp %d: want iat now and a lifetime of %v", iat, exp, DefaultIDTokenLifetime)
	}
	for name, v := range claims {
		if v == "forged" {
			t.Errorf("user claim replaced %s", name)
		}
	}
	golden(t, "id_token_claims.json", normalized(t, claims))
}

func TestIDTokenOmitsAbsentClaims(t *testing.T) {
	m := newMinter(t, generatedSet(), newClock())
	token, err := m.IDToken(context.Background(), IDToken{Client: client(nil), Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	_, claims := verifyJWS(t, token, jose.RS256, publicKey(t, generatedSet(), unverifiedHeader(t, token)["kid"].(string)))
	for _, name := range []string{"auth_time", "nonce", "acr", "amr", "sid", "at_hash", "c_hash"} {
		if _, ok := claims[name]; ok {
			t.Errorf("claim %s present though not given", name)
		}
	}
	for _, name := range []string{"iss", "sub", "aud", "azp", "exp", "iat"} {
		if _, ok := claims[name]; !ok {
			t.Errorf("claim %s missing", name)
		}
	}
}

func TestIDTokenRefusals(t *testing.T) {
	tests := []struct {
		name    string
		set     *keyset.Set
		secrets func(oauth.Client) ([]string, error)
		in      IDToken
		wantErr string
	}{
		{name: "alg none", in: sampleIDToken(client(func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "none" })),
			wantErr: `alg "none"`},
		{name: "unknown alg", in: sampleIDToken(client(func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "ES256K" })),
			wantErr: "not supported"},
		{name: "ES384 without a P-384 key", set: generatedSet(),
			in:      sampleIDToken(client(func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "ES384" })),
			wantErr: "no key for ES384 (an EC P-384 key)"},
		{name: "ES512 without a P-521 key", set: generatedSet(),
			in:      sampleIDToken(client(func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "ES512" })),
			wantErr: "no key for ES512 (an EC P-521 key)"},
		{name: "HS256 secret too short", in: func() IDToken {
			in := sampleIDToken(client(func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "HS256" }))
			in.Client.ID = "short"
			return in
		}(), wantErr: "has 20 bytes, too short for HS256 (at least 32)"},
		{name: "HS512 secret of 48 bytes", secrets: func(oauth.Client) ([]string, error) { return []string{strings.Repeat("s", 48)}, nil },
			in:      sampleIDToken(client(func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "HS512" })),
			wantErr: "too short for HS512 (at least 64)"},
		{name: "HS256 without recoverable secret", secrets: func(oauth.Client) ([]string, error) { return nil, nil },
			in:      sampleIDToken(client(func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "HS256" })),
			wantErr: "none this server can recover"},
		{name: "HS256 with a broken secret store", secrets: func(oauth.Client) ([]string, error) { return nil, errors.New("bad ciphertext") },
			in:      sampleIDToken(client(func(m *oauth.Metadata) { m.IDTokenSignedResponseAlg = "HS256" })),
			wantErr: "bad ciphertext"},
		{name: "no subject", in: IDToken{Client: client(nil)}, wantErr: "needs a client and a subject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := tc.set
			if set == nil {
				set = fullSet()
			}
			m := newMinter(t, set, newClock(), func(o *Options) {
				if tc.secrets != nil {
					o.Secrets = tc.secrets
				}
			})
			token, err := m.IDToken(context.Background(), tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("IDToken = %q, %v; want an error containing %q", token, err, tc.wantErr)
			}
		})
	}
}

func TestIDTokenLifetimeOption(t *testing.T) {
	m := newMinter(t, generatedSet(), newClock(), func(o *Options) { o.IDTokenLifetime = 5 * time.Minute })
	token, err := m.IDToken(context.Background(), IDToken{Client: client(nil), Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	_, claims := verifyJWS(t, token, jose.RS256, publicKey(t, generatedSet(), unverifiedHeader(t, token)["kid"].(string)))
	if d := numeric(t, claims, "exp") - numeric(t, claims, "iat"); d != 300 {
		t.Errorf("lifetime %ds, want 300", d)
	}
}

func TestSigningAlgs(t *testing.T) {
	full := newMinter(t, fullSet(), newClock())
	gen := newMinter(t, generatedSet(), newClock(), func(o *Options) { o.Secrets = nil })
	if got, want := strings.Join(full.SigningAlgs(), " "), "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA HS256 HS384 HS512"; got != want {
		t.Errorf("full set: %s, want %s", got, want)
	}
	if got, want := strings.Join(gen.SigningAlgs(), " "), "RS256 RS384 RS512 PS256 PS384 PS512 ES256 EdDSA"; got != want {
		t.Errorf("generated set without secrets: %s, want %s", got, want)
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{name: "no issuer", o: Options{Keys: generatedSet()}},
		{name: "no keys", o: Options{Issuer: testIssuer}},
		{name: "negative lifetime", o: Options{Issuer: testIssuer, Keys: generatedSet(), IDTokenLifetime: -time.Second}},
		{name: "empty audience", o: Options{Issuer: testIssuer, Keys: generatedSet(), DefaultAudience: []string{""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.o); err == nil {
				t.Fatal("New accepted the options")
			}
		})
	}
}

// independentHalfHash computes at_hash without the package's helper.
func independentHalfHash(alg, value string) string {
	var sum []byte
	switch alg[2:] {
	case "256":
		h := sha256Sum([]byte(value))
		sum = h[:16]
	case "384":
		h := sha384Sum([]byte(value))
		sum = h[:24]
	default:
		h := sha512Sum([]byte(value))
		sum = h[:32]
	}
	return rawURL(sum)
}
