package tokens

import (
	"context"
	"crypto/elliptic"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// clientEncKeys is the client's published set: a signing key to be passed
// over, and one encryption key of each type.
func clientEncKeys(t testing.TB) json.RawMessage {
	return jwksOf(t,
		jose.JSONWebKey{Key: &mustRSA(2048).PublicKey, KeyID: "client-sig", Use: "sig", Algorithm: "RS256"},
		jose.JSONWebKey{Key: &rsaClientKey().PublicKey, KeyID: "client-rsa", Use: "enc"},
		jose.JSONWebKey{Key: &ecClientKey().PublicKey, KeyID: "client-ec", Use: "enc"},
	)
}

func TestIDTokenEncryption(t *testing.T) {
	set := generatedSet()
	m := newMinter(t, set, newClock())
	tests := []struct {
		name    string
		signAlg string
		alg     string
		enc     string
		key     any // what the client decrypts with
		wantKID string
	}{
		{name: "RSA-OAEP-256", alg: "RSA-OAEP-256", key: rsaClientKey(), wantKID: "client-rsa"},
		{name: "RSA-OAEP A256GCM", alg: "RSA-OAEP", enc: "A256GCM", key: rsaClientKey(), wantKID: "client-rsa"},
		{name: "RSA1_5", alg: "RSA1_5", key: rsaClientKey(), wantKID: "client-rsa"},
		{name: "ECDH-ES", alg: "ECDH-ES", key: ecClientKey(), wantKID: "client-ec"},
		{name: "ECDH-ES A256CBC-HS512", alg: "ECDH-ES", enc: "A256CBC-HS512", key: ecClientKey(), wantKID: "client-ec"},
		{name: "ECDH-ES+A128KW", alg: "ECDH-ES+A128KW", key: ecClientKey(), wantKID: "client-ec"},
		{name: "ECDH-ES+A256KW ES256", signAlg: "ES256", alg: "ECDH-ES+A256KW", key: ecClientKey(), wantKID: "client-ec"},
		{name: "dir", alg: "dir", key: authorize.ClientSecretKey(currentSecret, 256)},
		{name: "dir A256GCM", alg: "dir", enc: "A256GCM", key: authorize.ClientSecretKey(currentSecret, 256)},
		{name: "dir A256CBC-HS512", alg: "dir", enc: "A256CBC-HS512", key: authorize.ClientSecretKey(currentSecret, 512)},
		{name: "dir A128GCM HS256", signAlg: "HS256", alg: "dir", enc: "A128GCM", key: authorize.ClientSecretKey(currentSecret, 128)},
		{name: "A128KW", alg: "A128KW", key: authorize.ClientSecretKey(currentSecret, 128)},
		{name: "A256KW", alg: "A256KW", key: authorize.ClientSecretKey(currentSecret, 256)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := client(func(md *oauth.Metadata) {
				md.JWKS = clientEncKeys(t)
				md.IDTokenSignedResponseAlg = tc.signAlg
				md.IDTokenEncryptedResponseAlg = tc.alg
				md.IDTokenEncryptedResponseEnc = tc.enc
			})
			token, err := m.IDToken(context.Background(), sampleIDToken(c))
			if err != nil {
				t.Fatal(err)
			}
			wantEnc := tc.enc
			if wantEnc == "" {
				wantEnc = "A128CBC-HS256"
			}
			jwe, err := jose.ParseEncryptedCompact(token, []jose.KeyAlgorithm{jose.KeyAlgorithm(tc.alg)},
				[]jose.ContentEncryption{jose.ContentEncryption(wantEnc)})
			if err != nil {
				t.Fatalf("parse JWE: %v", err)
			}
			if cty := jwe.Header.ExtraHeaders[jose.HeaderContentType]; cty != "JWT" {
				t.Errorf("cty = %v, want JWT (a nested JWT)", cty)
			}
			if jwe.Header.KeyID != tc.wantKID {
				t.Errorf("kid = %q, want %q", jwe.Header.KeyID, tc.wantKID)
			}
			inner, err := jwe.Decrypt(tc.key)
			if err != nil {
				t.Fatalf("decrypt: %v", err)
			}
			signAlg := tc.signAlg
			var verifyKey any
			switch signAlg {
			case "":
				signAlg = "RS256"
				fallthrough
			case "ES256":
				verifyKey = publicKey(t, set, unverifiedHeader(t, string(inner))["kid"].(string))
			case "HS256":
				verifyKey = []byte(currentSecret)
			}
			_, claims := verifyJWS(t, string(inner), jose.SignatureAlgorithm(signAlg), verifyKey)
			if claims["sub"] != "248289761001" || claims["aud"] != "web" {
				t.Errorf("claims = %v", claims)
			}
		})
	}
}

func TestNestedJWTParsesWithJWTPackage(t *testing.T) {
	// The symmetric case reads back through go-jose's nested JWT parser,
	// which checks cty.
	m := newMinter(t, generatedSet(), newClock())
	c := client(func(md *oauth.Metadata) { md.IDTokenEncryptedResponseAlg = "dir" })
	token, err := m.IDToken(context.Background(), sampleIDToken(c))
	if err != nil {
		t.Fatal(err)
	}
	nested, err := jwt.ParseSignedAndEncrypted(token, []jose.KeyAlgorithm{jose.DIRECT},
		[]jose.ContentEncryption{jose.A128CBC_HS256}, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := nested.Decrypt(authorize.ClientSecretKey(currentSecret, 256))
	if err != nil {
		t.Fatal(err)
	}
	var claims jwt.Claims
	if err := tok.Claims(publicKey(t, generatedSet(), tok.Headers[0].KeyID), &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Subject != "248289761001" {
		t.Errorf("sub = %q", claims.Subject)
	}
}

func TestEncryptionKeyChoice(t *testing.T) {
	weak := mustRSA(1024)
	strong := rsaClientKey()
	other := mustRSA(2048)
	p384 := mustEC(elliptic.P384())
	tests := []struct {
		name    string
		alg     string
		keys    []jose.JSONWebKey
		wantKID string
	}{
		{name: "signing keys are passed over", alg: "RSA-OAEP-256", keys: []jose.JSONWebKey{
			{Key: &other.PublicKey, KeyID: "sig", Use: "sig"},
			{Key: &strong.PublicKey, KeyID: "enc"},
		}, wantKID: "enc"},
		{name: "exact alg beats explicit use", alg: "RSA-OAEP-256", keys: []jose.JSONWebKey{
			{Key: &other.PublicKey, KeyID: "use-enc", Use: "enc"},
			{Key: &strong.PublicKey, KeyID: "alg-match", Algorithm: "RSA-OAEP-256"},
		}, wantKID: "alg-match"},
		{name: "keys for another alg are passed over", alg: "RSA-OAEP-256", keys: []jose.JSONWebKey{
			{Key: &other.PublicKey, KeyID: "oaep", Use: "enc", Algorithm: "RSA-OAEP"},
			{Key: &strong.PublicKey, KeyID: "any"},
		}, wantKID: "any"},
		{name: "explicit use beats no use", alg: "RSA-OAEP-256", keys: []jose.JSONWebKey{
			{Key: &other.PublicKey, KeyID: "no-use"},
			{Key: &strong.PublicKey, KeyID: "use-enc", Use: "enc"},
		}, wantKID: "use-enc"},
		{name: "first of equals wins", alg: "RSA-OAEP-256", keys: []jose.JSONWebKey{
			{Key: &strong.PublicKey, KeyID: "first", Use: "enc"},
			{Key: &other.PublicKey, KeyID: "second", Use: "enc"},
		}, wantKID: "first"},
		{name: "short RSA keys are passed over", alg: "RSA-OAEP", keys: []jose.JSONWebKey{
			{Key: &weak.PublicKey, KeyID: "weak", Use: "enc", Algorithm: "RSA-OAEP"},
			{Key: &strong.PublicKey, KeyID: "strong"},
		}, wantKID: "strong"},
		{name: "EC for ECDH, whatever the curve", alg: "ECDH-ES", keys: []jose.JSONWebKey{
			{Key: &strong.PublicKey, KeyID: "rsa", Use: "enc"},
			{Key: &p384.PublicKey, KeyID: "p384", Use: "enc"},
		}, wantKID: "p384"},
		{name: "a private key is used by its public half", alg: "ECDH-ES", keys: []jose.JSONWebKey{
			{Key: p384, KeyID: "private", Use: "enc"},
		}, wantKID: "private"},
		{name: "nothing fits", alg: "ECDH-ES", keys: []jose.JSONWebKey{
			{Key: &strong.PublicKey, KeyID: "rsa", Use: "enc"},
			{Key: []byte("0123456789abcdef"), KeyID: "oct"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := pickEncryptionKey(jose.JSONWebKeySet{Keys: tc.keys}, tc.alg)
			if got.KeyID != tc.wantKID || ok != (tc.wantKID != "") {
				t.Fatalf("picked %q (%v), want %q", got.KeyID, ok, tc.wantKID)
			}
			if ok && !got.IsPublic() {
				t.Error("picked key is not public")
			}
		})
	}
}

// jwksServer serves a JWK set that the test can change, and counts fetches.
type jwksServer struct {
	*httptest.Server
	doc     atomic.Value // json.RawMessage
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T, doc json.RawMessage) *jwksServer {
	s := &jwksServer{}
	s.doc.Store(doc)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(s.doc.Load().(json.RawMessage))
	}))
	t.Cleanup(s.Close)
	return s
}

func TestEncryptionToJWKSURI(t *testing.T) {
	c := newClock()
	srv := newJWKSServer(t, clientEncKeys(t))
	fetcher := &authorize.HTTPFetcher{Now: c.Now}
	m := newMinter(t, generatedSet(), c, func(o *Options) { o.Fetcher = fetcher })
	cl := client(func(md *oauth.Metadata) {
		md.JWKSURI = srv.URL + "/jwks.json"
		md.IDTokenEncryptedResponseAlg = "ECDH-ES+A128KW"
	})
	for range 2 {
		token, err := m.IDToken(context.Background(), sampleIDToken(cl))
		if err != nil {
			t.Fatal(err)
		}
		jwe, err := jose.ParseEncryptedCompact(token, []jose.KeyAlgorithm{jose.ECDH_ES_A128KW}, []jose.ContentEncryption{jose.A128CBC_HS256})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jwe.Decrypt(ecClientKey()); err != nil {
			t.Fatalf("decrypt with the client's key: %v", err)
		}
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Errorf("jwks_uri fetched %d times, want once (then cached)", n)
	}

	// A client whose set has no fitting key gets the set fetched again,
	// once the cache allows it, before the ID token fails.
	srv.doc.Store(jwksOf(t, jose.JSONWebKey{Key: &rsaClientKey().PublicKey, KeyID: "rsa-only", Use: "enc"}))
	c.Set(testNow.Add(authorizeCacheTTL))
	before := srv.fetches.Load()
	cl.Metadata.IDTokenEncryptedResponseAlg = "ECDH-ES"
	if _, err := m.IDToken(context.Background(), sampleIDToken(cl)); err == nil || !strings.Contains(err.Error(), "publishes no key for ECDH-ES") {
		t.Fatalf("IDToken error = %v, want no key for ECDH-ES", err)
	}
	if n := srv.fetches.Load() - before; n != 1 {
		t.Errorf("%d fetches for a set without a fitting key, want 1", n)
	}
	// A key added since the last fetch is found by the refresh.
	srv.doc.Store(clientEncKeys(t))
	c.Set(testNow.Add(2 * authorizeCacheTTL))
	if _, err := m.IDToken(context.Background(), sampleIDToken(cl)); err != nil {
		t.Fatalf("after the client added a key: %v", err)
	}
}

// authorizeCacheTTL is beyond HTTPFetcher's default cache lifetime.
const authorizeCacheTTL = 6 * time.Minute

func TestEncryptionRefusals(t *testing.T) {
	tests := []struct {
		name    string
		meta    func(*oauth.Metadata)
		opts    func(*Options)
		wantErr string
	}{
		{name: "enc without alg", meta: func(m *oauth.Metadata) { m.IDTokenEncryptedResponseEnc = "A128GCM" },
			wantErr: "without a key management algorithm"},
		{name: "unknown alg", meta: func(m *oauth.Metadata) { m.IDTokenEncryptedResponseAlg = "PBES2-HS256+A128KW" },
			wantErr: `JWE algorithm "PBES2-HS256+A128KW" is not supported`},
		{name: "unknown enc", meta: func(m *oauth.Metadata) {
			m.IDTokenEncryptedResponseAlg, m.IDTokenEncryptedResponseEnc = "dir", "A128CTR"
		}, wantErr: `content encryption "A128CTR" is not supported`},
		{name: "no client keys", meta: func(m *oauth.Metadata) { m.IDTokenEncryptedResponseAlg = "RSA-OAEP-256" },
			wantErr: "registered no jwks or jwks_uri"},
		{name: "jwks_uri without a fetcher", meta: func(m *oauth.Metadata) {
			m.IDTokenEncryptedResponseAlg, m.JWKSURI = "RSA-OAEP-256", "https://rp.example.com/jwks"
		}, wantErr: "fetches none"},
		{name: "malformed jwks", meta: func(m *oauth.Metadata) {
			m.IDTokenEncryptedResponseAlg, m.JWKS = "RSA-OAEP-256", json.RawMessage(`{"keys":[{"kty":"RSA"}]}`)
		}, wantErr: "jwks cannot be read"},
		{name: "dir without secrets", meta: func(m *oauth.Metadata) { m.IDTokenEncryptedResponseAlg = "dir" },
			opts: func(o *Options) { o.Secrets = nil }, wantErr: "uses none as a key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods := []func(*Options){}
			if tc.opts != nil {
				mods = append(mods, tc.opts)
			}
			m := newMinter(t, generatedSet(), newClock(), mods...)
			_, err := m.IDToken(context.Background(), sampleIDToken(client(tc.meta)))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("IDToken error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestSecureModes(t *testing.T) {
	m := newMinter(t, generatedSet(), newClock())
	c := client(func(md *oauth.Metadata) { md.JWKS = clientEncKeys(t) })
	claims := map[string]any{"sub": "alice", "email": "alice@example.com"}
	ctx := context.Background()

	t.Run("signed only", func(t *testing.T) {
		token, err := m.Secure(ctx, c, claims, "PS256", "", "", "JWT")
		if err != nil {
			t.Fatal(err)
		}
		_, got := verifyJWS(t, token, jose.PS256, publicKey(t, generatedSet(), unverifiedHeader(t, token)["kid"].(string)))
		if got["email"] != "alice@example.com" {
			t.Errorf("claims = %v", got)
		}
	})
	t.Run("encrypted only", func(t *testing.T) {
		// OpenID Connect Core §5.3.2: a UserInfo response may be encrypted
		// without a signature; then it holds the JSON claims, not a JWT.
		token, err := m.Secure(ctx, c, claims, "", "RSA-OAEP-256", "A256GCM", "")
		if err != nil {
			t.Fatal(err)
		}
		jwe, err := jose.ParseEncryptedCompact(token, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := jwe.Header.ExtraHeaders[jose.HeaderContentType]; ok {
			t.Error("cty set on a JWE that holds JSON")
		}
		plain, err := jwe.Decrypt(rsaClientKey())
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeClaims(t, plain); got["sub"] != "alice" {
			t.Errorf("claims = %v", got)
		}
	})
	t.Run("neither", func(t *testing.T) {
		if _, err := m.Secure(ctx, c, claims, "", "", "", "JWT"); err == nil {
			t.Fatal("Secure made a token without signing or encryption")
		}
	})
	t.Run("none", func(t *testing.T) {
		if _, err := m.Secure(ctx, c, claims, "none", "RSA-OAEP-256", "", "JWT"); err == nil {
			t.Fatal(`Secure accepted alg "none"`)
		}
	})
}

func TestEncryptionListsForDiscovery(t *testing.T) {
	if got := strings.Join(EncryptionAlgs(), " "); got != "RSA-OAEP-256 RSA-OAEP RSA1_5 ECDH-ES ECDH-ES+A128KW ECDH-ES+A192KW ECDH-ES+A256KW dir A128KW A192KW A256KW" {
		t.Errorf("EncryptionAlgs = %s", got)
	}
	encs := EncryptionEncs()
	encs[0] = "changed"
	if EncryptionEncs()[0] != "A128CBC-HS256" {
		t.Error("EncryptionEncs hands out its own slice")
	}
}
