package tokens

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

func sampleAccessToken() AccessToken {
	return AccessToken{
		ClientID: "web",
		Subject:  "248289761001",
		Scopes:   []string{"openid", "profile", "email"},
		Audience: []string{"https://api.example.com"},
		AuthTime: testNow.Add(-5 * time.Minute),
		Cnf:      map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"},
		Extra:    map[string]any{"acr": "urn:gatehouse:acr:pwd", "iss": "forged", "client_id": "forged", "scope": "admin"},
	}
}

func TestAccessTokenClaims(t *testing.T) {
	set := generatedSet()
	m := newMinter(t, set, newClock())
	token, ac, err := m.AccessToken(context.Background(), sampleAccessToken())
	if err != nil {
		t.Fatal(err)
	}
	rsa, _ := set.SigningKey(jose.RS256)
	h, claims := verifyJWS(t, token, jose.RS256, publicKey(t, set, rsa.KeyID))
	if typ := h.ExtraHeaders[jose.HeaderType]; typ != "at+jwt" {
		t.Errorf("typ = %v, want at+jwt (RFC 9068 §2.1)", typ)
	}
	if h.KeyID != rsa.KeyID {
		t.Errorf("kid = %q, want the current RSA key %q", h.KeyID, rsa.KeyID)
	}
	jti, err := base64.RawURLEncoding.DecodeString(claims["jti"].(string))
	if err != nil || len(jti) != 16 {
		t.Errorf("jti %v: want 128 bits, base64url", claims["jti"])
	}
	if iat, exp := numeric(t, claims, "iat"), numeric(t, claims, "exp"); iat != testNow.Unix() || exp-iat != int64(DefaultAccessTokenLifetime/time.Second) {
		t.Errorf("iat %d exp %d: want now and %v", iat, exp, DefaultAccessTokenLifetime)
	}
	if ac.JTI != claims["jti"] || !ac.ExpiresAt.Equal(testNow.Add(DefaultAccessTokenLifetime)) || ac.Subject != "248289761001" {
		t.Errorf("returned claims %+v do not match the token", ac)
	}
	golden(t, "access_token_claims.json", normalized(t, claims))
}

func TestAccessTokenDefaults(t *testing.T) {
	tests := []struct {
		name     string
		opts     func(*Options)
		in       AccessToken
		wantAud  any
		wantSub  string
		wantLife time.Duration
	}{
		{name: "client credentials", in: AccessToken{ClientID: "svc", Scopes: []string{"read"}},
			wantAud: testIssuer, wantSub: "svc", wantLife: DefaultAccessTokenLifetime},
		{name: "configured audience and lifetime",
			opts: func(o *Options) {
				o.DefaultAudience = []string{"https://api.example.com", "https://files.example.com"}
				o.AccessTokenLifetime = time.Hour
			},
			in:      AccessToken{ClientID: "web", Subject: "alice"},
			wantAud: []any{"https://api.example.com", "https://files.example.com"}, wantSub: "alice", wantLife: time.Hour},
		{name: "lifetime of the request", in: AccessToken{ClientID: "web", Subject: "alice", Lifetime: 90 * time.Second},
			wantAud: testIssuer, wantSub: "alice", wantLife: 90 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mods []func(*Options)
			if tc.opts != nil {
				mods = append(mods, tc.opts)
			}
			m := newMinter(t, generatedSet(), newClock(), mods...)
			token, _, err := m.AccessToken(context.Background(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			rsa, _ := generatedSet().SigningKey(jose.RS256)
			_, claims := verifyJWS(t, token, jose.RS256, publicKey(t, generatedSet(), rsa.KeyID))
			if got := claims["aud"]; !equalJSON(got, tc.wantAud) {
				t.Errorf("aud = %#v, want %#v", got, tc.wantAud)
			}
			if claims["sub"] != tc.wantSub || claims["client_id"] != tc.in.ClientID {
				t.Errorf("sub %v client_id %v", claims["sub"], claims["client_id"])
			}
			if d := numeric(t, claims, "exp") - numeric(t, claims, "iat"); d != int64(tc.wantLife/time.Second) {
				t.Errorf("lifetime %ds, want %v", d, tc.wantLife)
			}
			if _, ok := claims["scope"]; ok != (len(tc.in.Scopes) > 0) {
				t.Errorf("scope = %v for scopes %v", claims["scope"], tc.in.Scopes)
			}
		})
	}
}

func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		if len(as) != len(bs) {
			return false
		}
		for i := range as {
			if as[i] != bs[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

func TestParseAccessTokenRoundTrip(t *testing.T) {
	m := newMinter(t, generatedSet(), newClock())
	token, minted, err := m.AccessToken(context.Background(), sampleAccessToken())
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := m.ParseAccessToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if !sameAccessClaims(parsed, minted) {
		t.Errorf("parsed %+v\nminted %+v", parsed, minted)
	}
	if strings.Join(parsed.Scopes, " ") != "openid profile email" || parsed.Cnf["x5t#S256"] == nil || !parsed.AuthTime.Equal(testNow.Add(-5*time.Minute)) {
		t.Errorf("parsed %+v", parsed)
	}
}

func sameAccessClaims(a, b AccessClaims) bool {
	return a.Issuer == b.Issuer && a.Subject == b.Subject && a.ClientID == b.ClientID && a.JTI == b.JTI &&
		strings.Join(a.Audience, " ") == strings.Join(b.Audience, " ") && strings.Join(a.Scopes, " ") == strings.Join(b.Scopes, " ") &&
		a.IssuedAt.Equal(b.IssuedAt) && a.ExpiresAt.Equal(b.ExpiresAt) && a.AuthTime.Equal(b.AuthTime) && len(a.Cnf) == len(b.Cnf)
}

func TestParseAccessTokenRefuses(t *testing.T) {
	set := generatedSet()
	c := newClock()
	m := newMinter(t, set, c)
	ctx := context.Background()
	good, _, err := m.AccessToken(ctx, sampleAccessToken())
	if err != nil {
		t.Fatal(err)
	}
	idToken, err := m.IDToken(ctx, sampleIDToken(client(nil)))
	if err != nil {
		t.Fatal(err)
	}
	otherIssuer := newMinter(t, set, c, func(o *Options) { o.Issuer = "https://evil.example.com" })
	foreign, _, err := otherIssuer.AccessToken(ctx, sampleAccessToken())
	if err != nil {
		t.Fatal(err)
	}
	unknownKey, _, err := newMinter(t, fullSet(), c).AccessToken(ctx, sampleAccessToken())
	if err != nil {
		t.Fatal(err)
	}
	rsa, _ := set.SigningKey(jose.RS256)
	ec, _ := set.SigningKey(jose.ES256)
	mismatched := ec
	mismatched.KeyID = rsa.KeyID
	tests := []struct {
		name  string
		token string
		at    time.Time
	}{
		{name: "an ID token", token: idToken},
		{name: "another issuer", token: foreign},
		{name: "expired", token: good, at: testNow.Add(DefaultAccessTokenLifetime + leeway + time.Second)},
		{name: "issued in the future", token: good, at: testNow.Add(-leeway - time.Second)},
		{name: "tampered payload", token: tamper(t, good)},
		{name: "signed by an unknown key", token: unknownKey},
		{name: "typ at+jwt, but RS384", token: signRaw(t, jose.RS384, rsa, "at+jwt", accessPayload(t))},
		{name: "ES256 under a kid of an RSA key", token: signRaw(t, jose.ES256, mismatched, "at+jwt", accessPayload(t))},
		{name: "typ JWT", token: signRaw(t, jose.RS256, rsa, "JWT", accessPayload(t))},
		{name: "no typ", token: signRaw(t, jose.RS256, rsa, "", accessPayload(t))},
		{name: "HS256 keyed with our public key", token: signRaw(t, jose.HS256, publicKeyBytes(t, set), "at+jwt", accessPayload(t))},
		{name: "no client_id", token: signRaw(t, jose.RS256, rsa, "at+jwt", withoutClaim(t, "client_id"))},
		{name: "no exp", token: signRaw(t, jose.RS256, rsa, "at+jwt", withoutClaim(t, "exp"))},
		{name: "alg none", token: unsigned(t, accessPayload(t))},
		{name: "garbage", token: "not.a.jwt"},
		{name: "empty", token: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.at
			if at.IsZero() {
				at = testNow
			}
			c.Set(at)
			defer c.Set(testNow)
			claims, err := m.ParseAccessToken(ctx, tc.token)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("ParseAccessToken = %+v, %v; want ErrInvalidToken", claims, err)
			}
			t.Log(err)
		})
	}
	t.Run("within the leeway", func(t *testing.T) {
		c.Set(testNow.Add(DefaultAccessTokenLifetime + leeway - time.Second))
		defer c.Set(testNow)
		if _, err := m.ParseAccessToken(ctx, good); err != nil {
			t.Fatalf("token %v past exp refused: %v", leeway-time.Second, err)
		}
	})
	t.Run("application/at+jwt", func(t *testing.T) {
		if _, err := m.ParseAccessToken(ctx, signRaw(t, jose.RS256, rsa, "application/AT+JWT", accessPayload(t))); err != nil {
			t.Fatalf("full media type refused: %v", err)
		}
	})
}

func TestAccessTokenSurvivesKeyRotation(t *testing.T) {
	old := generatedSet()
	fresh, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	token, _, err := newMinter(t, old, c).AccessToken(context.Background(), sampleAccessToken())
	if err != nil {
		t.Fatal(err)
	}
	rotated := newMinter(t, old.Rotate(fresh), c)
	if _, err := rotated.ParseAccessToken(context.Background(), token); err != nil {
		t.Fatalf("token of the old key refused after rotation: %v", err)
	}
	newToken, _, err := rotated.AccessToken(context.Background(), sampleAccessToken())
	if err != nil {
		t.Fatal(err)
	}
	freshRSA, _ := fresh.SigningKey(jose.RS256)
	if kid := unverifiedHeader(t, newToken)["kid"]; kid != freshRSA.KeyID {
		t.Errorf("rotated set signs with %v, want the new key %s", kid, freshRSA.KeyID)
	}
	// Once the old key is gone from the set, its tokens are refused.
	if _, err := newMinter(t, fresh, c).ParseAccessToken(context.Background(), token); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of a removed key: %v", err)
	}
}

func TestAccessTokenRefusesBadInput(t *testing.T) {
	m := newMinter(t, generatedSet(), newClock())
	for name, in := range map[string]AccessToken{
		"no client":      {Subject: "alice"},
		"empty audience": {ClientID: "web", Audience: []string{""}},
		"negative life":  {ClientID: "web", Lifetime: -time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := m.AccessToken(context.Background(), in); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// accessPayload is a valid access token payload.
func accessPayload(t *testing.T) map[string]any {
	return map[string]any{
		"iss": testIssuer, "sub": "alice", "client_id": "web", "aud": "https://api.example.com",
		"jti": "abc", "iat": testNow.Unix(), "exp": testNow.Add(time.Minute).Unix(),
	}
}

func withoutClaim(t *testing.T, name string) map[string]any {
	p := accessPayload(t)
	delete(p, name)
	return p
}

// signRaw signs a payload with any key, bypassing the Minter.
func signRaw(t *testing.T, alg jose.SignatureAlgorithm, key any, typ string, payload map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts.WithType(jose.ContentType(typ))
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := jsonMarshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unsigned makes an alg "none" JWT by hand: go-jose will not.
func unsigned(t *testing.T, payload map[string]any) string {
	t.Helper()
	b, err := jsonMarshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"at+jwt"}`)) + "." + enc(b) + "."
}

// tamper changes the payload of a compact JWS, keeping the signature.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(payload), `"sub":"248289761001"`, `"sub":"248289761002"`, 1)
	if changed == string(payload) {
		t.Fatal("nothing to tamper with")
	}
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(changed))
	return strings.Join(parts, ".")
}

// publicKeyBytes is our RSA public key as JSON, the key of the classic
// algorithm confusion attack.
func publicKeyBytes(t *testing.T, set *keyset.Set) []byte {
	t.Helper()
	rsa, _ := set.SigningKey(jose.RS256)
	b, err := rsa.Public().MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAccessTokenAlgs: each configurable algorithm signs access tokens with
// the matching key and reads them back; a token minted under an earlier
// setting still verifies.
func TestAccessTokenAlgs(t *testing.T) {
	set, c := generatedSet(), newClock()
	ctx := context.Background()
	rs256, _, err := newMinter(t, set, c).AccessToken(ctx, sampleAccessToken())
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range AccessTokenAlgs {
		t.Run(alg, func(t *testing.T) {
			m := newMinter(t, set, c, func(o *Options) { o.AccessTokenAlg = alg })
			token, _, err := m.AccessToken(ctx, sampleAccessToken())
			if err != nil {
				t.Fatal(err)
			}
			if got := unverifiedHeader(t, token)["alg"]; got != alg {
				t.Errorf("alg %v, want %s", got, alg)
			}
			for _, tok := range []string{token, rs256} {
				if _, err := m.ParseAccessToken(ctx, tok); err != nil {
					t.Errorf("ParseAccessToken: %v", err)
				}
			}
		})
	}
	if _, err := New(Options{Issuer: "https://op.example.com", Keys: set, AccessTokenAlg: "HS256"}); err == nil {
		t.Error("HS256 accepted for access tokens")
	}
}
