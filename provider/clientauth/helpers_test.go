package clientauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

const (
	issuer        = "https://id.example.com"
	tokenEndpoint = "https://id.example.com/token"
	introspection = "https://id.example.com/token/introspect"
)

var (
	start     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	allMethod = []string{MethodSecretBasic, MethodSecretPost, MethodSecretJWT, MethodPrivateKeyJWT, MethodNone}
)

// Plain secrets of the test clients. specialSecret needs every character
// of it form-urlencoded in a Basic header.
const (
	basicSecret    = "basic-secret-0123456789"
	specialID      = "a:b c/é"
	specialSecret  = "p:a+ss w%rd&=é"
	postSecret     = "post-secret-0123456789"
	newSecret      = "new-secret-0123456789"
	oldSecret      = "old-secret-0123456789"
	hmacSecret     = "hmac-secret-0123456789-0123456789-0123456789"
	hmacOldSecret  = "hmac-old-secret-0123456789-0123456789-012345"
	hmac512Secret  = "hmac512-secret-0123456789-0123456789-0123456789-0123456789-0123456789"
	rolloverWindow = time.Hour
)

// keySet holds the clients' private keys: rsa and ec are registered,
// rsa2 replaces rsa at jwks_uri, other belongs to nobody.
type keySet struct {
	rsa, rsa2, other *rsa.PrivateKey
	ec               *ecdsa.PrivateKey
	ed               ed25519.PrivateKey
}

// testKeys are made once: RSA key generation is slow.
var testKeys = sync.OnceValue(func() keySet {
	gen := func() *rsa.PrivateKey {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return key
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return keySet{rsa: gen(), rsa2: gen(), other: gen(), ec: ec, ed: ed}
})

// publicJWKS is a JWK set of the public halves of keys, by kid.
func publicJWKS(t testing.TB, keys map[string]any) json.RawMessage {
	t.Helper()
	var set jose.JSONWebKeySet
	for kid, k := range keys {
		jwk := jose.JSONWebKey{Key: k, KeyID: kid, Use: "sig"}
		set.Keys = append(set.Keys, jwk.Public())
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwksServer serves a key set that a test may replace, and counts fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	set     json.RawMessage
	fetches atomic.Int64
}

func newJWKSServer(t testing.TB, set json.RawMessage) *jwksServer {
	s := &jwksServer{set: set}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(s.set)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) publish(set json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set = set
}

// fixture is an Authenticator over fixed clients, a fake clock, a real
// codec and verifier, an in-memory replay store and a jwks_uri server.
type fixture struct {
	auth    *Authenticator
	opts    Options
	clock   *sessiontest.FakeClock
	codec   *secrets.Codec
	clients map[string]oauth.Client
	jwks    *jwksServer
	lookups atomic.Int64
}

// newFixture builds the fixture; change tweaks the options first.
func newFixture(t testing.TB, change ...func(*Options)) *fixture {
	t.Helper()
	codec, err := secrets.New(secrets.Params{MemoryKiB: 256, Iterations: 1, Parallelism: 1}, make([]byte, 32), "k1")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{clock: sessiontest.NewFakeClock(start), codec: codec}
	keys := testKeys()
	f.jwks = newJWKSServer(t, publicJWKS(t, map[string]any{"uri-1": &keys.rsa.PublicKey}))
	f.clients = f.makeClients(t)
	f.opts = Options{
		Clients:       f.lookup,
		Verifier:      secrets.NewVerifier(codec, secrets.VerifierOptions{}),
		Codec:         codec,
		Keys:          &authorize.HTTPFetcher{Now: f.clock.Now},
		Replay:        session.NewMemory(session.MemoryOptions{Clock: f.clock.Now}),
		Methods:       allMethod,
		Issuer:        issuer,
		TokenEndpoint: tokenEndpoint,
		Audiences:     []string{introspection},
		Now:           f.clock.Now,
	}
	for _, c := range change {
		c(&f.opts)
	}
	if f.auth, err = New(f.opts); err != nil {
		t.Fatal(err)
	}
	return f
}

// lookup is the client store: fixed clients, and "down" for an outage.
func (f *fixture) lookup(_ context.Context, id string) (oauth.Client, error) {
	f.lookups.Add(1)
	if id == "down" {
		return oauth.Client{}, fmt.Errorf("ldap: dial: %w", storage.ErrUnavailable)
	}
	c, ok := f.clients[id]
	if !ok {
		return oauth.Client{}, storage.ErrNotFound
	}
	return c.Clone(), nil
}

func (f *fixture) makeClients(t testing.TB) map[string]oauth.Client {
	keys := testKeys()
	hash := func(plain string) string {
		s, err := f.codec.Hash(plain)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	encrypt := func(plain string) string {
		s, err := f.codec.Encrypt(plain)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	meta := func(method string) oauth.Metadata { return oauth.Metadata{TokenEndpointAuthMethod: method} }
	clients := []oauth.Client{
		{ID: "basic", Secret: hash(basicSecret), Version: "1"},
		{ID: specialID, Secret: hash(specialSecret), Version: "1"},
		{ID: "post", Secret: hash(postSecret), Metadata: meta(MethodSecretPost), Version: "1"},
		{ID: "rolled", Secret: hash(newSecret), PreviousSecret: hash(oldSecret),
			PreviousSecretExpiresAt: start.Add(rolloverWindow), Version: "2"},
		{ID: "expired", Secret: hash(basicSecret), SecretExpiresAt: start.Add(-time.Second), Version: "1"},
		{ID: "public", Metadata: meta(MethodNone)},
		{ID: "hmac", Secret: encrypt(hmacSecret), PreviousSecret: encrypt(hmacOldSecret),
			PreviousSecretExpiresAt: start.Add(rolloverWindow), Metadata: meta(MethodSecretJWT)},
		{ID: "hmac512", Secret: encrypt(hmac512Secret), Metadata: oauth.Metadata{
			TokenEndpointAuthMethod: MethodSecretJWT, TokenEndpointAuthSigningAlg: "HS512"}},
		{ID: "pk", Metadata: oauth.Metadata{TokenEndpointAuthMethod: MethodPrivateKeyJWT,
			JWKS: publicJWKS(t, map[string]any{"rsa-1": &keys.rsa.PublicKey, "ec-1": &keys.ec.PublicKey})}},
		{ID: "pk-es", Metadata: oauth.Metadata{TokenEndpointAuthMethod: MethodPrivateKeyJWT, TokenEndpointAuthSigningAlg: "ES256",
			JWKS: publicJWKS(t, map[string]any{"ec-1": &keys.ec.PublicKey, "rsa-1": &keys.rsa.PublicKey})}},
		{ID: "pk-ed", Metadata: oauth.Metadata{TokenEndpointAuthMethod: MethodPrivateKeyJWT, TokenEndpointAuthSigningAlg: "EdDSA",
			JWKS: publicJWKS(t, map[string]any{"ed-1": keys.ed.Public(), "ec-1": &keys.ec.PublicKey})}},
		{ID: "pk-uri", Metadata: oauth.Metadata{TokenEndpointAuthMethod: MethodPrivateKeyJWT, JWKSURI: f.jwks.URL}},
	}
	m := make(map[string]oauth.Client, len(clients))
	for _, c := range clients {
		m[c.ID] = c
	}
	return m
}

// basicHeader is an Authorization header made as RFC 6749 §2.3.1 says:
// id and secret form-urlencoded, then joined and base64-encoded.
func basicHeader(id, secret string) http.Header {
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return rawBasic(raw)
}

func rawBasic(raw string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}}
}

// form builds url.Values from name, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

var jtiCounter atomic.Int64

// claims are the assertion claims of a good assertion by client id at now;
// change adjusts them (nil values delete a claim).
func claims(id string, now time.Time, change map[string]any) map[string]any {
	c := map[string]any{
		"iss": id,
		"sub": id,
		"aud": tokenEndpoint,
		"iat": now.Unix(),
		"exp": now.Add(time.Minute).Unix(),
		"jti": fmt.Sprintf("jti-%d", jtiCounter.Add(1)),
	}
	for k, v := range change {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// sign makes a compact JWS of claims.
func sign(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, c map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsigned makes an alg "none" JWT of claims.
func unsigned(t testing.TB, c map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// assertionForm is the body of a request authenticated by assertion.
func assertionForm(assertion string, kv ...string) url.Values {
	return form(append([]string{"client_assertion_type", AssertionType, "client_assertion", assertion}, kv...)...)
}

// outcome is what a test expects of Authenticate.
type outcome struct {
	method string // the Result's method on success
	client string // the Result's client id on success
	code   string // the error code on failure
	status int
	cause  error // errors.Is the error's cause, when set
}

func ok(method, client string) outcome { return outcome{method: method, client: client} }

func refused(status int, cause error) outcome {
	return outcome{code: "invalid_client", status: status, cause: cause}
}

func (o outcome) check(t *testing.T, res Result, e *oauth.Error) {
	t.Helper()
	if o.code == "" {
		if e != nil {
			t.Fatalf("refused: %v (cause %v)", e, errors.Unwrap(e))
		}
		if res.Method != o.method || res.Client.ID != o.client {
			t.Fatalf("result = %s %q, want %s %q", res.Method, res.Client.ID, o.method, o.client)
		}
		return
	}
	if e == nil {
		t.Fatalf("accepted as %s %q, want %s", res.Method, res.Client.ID, o.code)
	}
	if e.Code != o.code || e.Status != o.status {
		t.Errorf("error = %s %d (%v), want %s %d", e.Code, e.Status, errors.Unwrap(e), o.code, o.status)
	}
	if o.cause != nil && !errors.Is(e, o.cause) {
		t.Errorf("cause = %v, want %v", errors.Unwrap(e), o.cause)
	}
	if res.Client.ID != "" {
		t.Errorf("a refusal returned client %q", res.Client.ID)
	}
	if cause := errors.Unwrap(e); cause != nil && strings.Contains(e.Description, cause.Error()) {
		t.Errorf("description %q shows the cause", e.Description)
	}
}
