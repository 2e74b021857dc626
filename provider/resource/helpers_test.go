package resource

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

const issuer = "https://id.example.com"

// Test clients: rp gets JSON from UserInfo, signer a signed JWT, sealer an
// encrypted one, nested a signed one encrypted; other is a second confidential client, public a client
// without a secret. Their secrets are "<id>-secret".
const (
	rp     = "rp"
	other  = "other"
	signer = "signer"
	sealer = "sealer"
	public = "public"
	nested = "nested"
	// introspector registered JWT introspection responses (RFC 9701), ES256-signed and encrypted.
	introspector = "introspector"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by every part of the test setup.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// users is a directory of fixed people.
type users map[string]oauth.User

func (u users) Lookup(_ context.Context, subject string) (oauth.User, error) {
	if p, ok := u[subject]; ok {
		return p, nil
	}
	return oauth.User{}, storage.ErrNotFound
}

var people = users{
	"ann": {Subject: "ann", Username: "ann", Claims: map[string]any{
		"name": "Ann Example", "preferred_username": "ann", "email": "ann@example.com",
		"email_verified": true, "groups": []string{"admins", "staff"}, "room": "4.12",
	}},
}

// fixed are the expensive parts, made once: RSA keys and the secret hashes.
type fixed struct {
	keys    *keyset.Set
	sealKey *rsa.PrivateKey
	codec   *secrets.Codec
	clients map[string]oauth.Client
}

var setup = sync.OnceValues(func() (fixed, error) {
	keys, err := keyset.Generate()
	if err != nil {
		return fixed{}, err
	}
	sealKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fixed{}, err
	}
	aesKey := make([]byte, 32)
	_, _ = rand.Read(aesKey)
	codec, err := secrets.New(secrets.Params{MemoryKiB: 256, Iterations: 1, Parallelism: 1}, aesKey, "test")
	if err != nil {
		return fixed{}, err
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &sealKey.PublicKey, KeyID: "seal", Use: "enc", Algorithm: "RSA-OAEP-256"},
	}})
	if err != nil {
		return fixed{}, err
	}
	metas := map[string]oauth.Metadata{
		rp:     {},
		other:  {},
		signer: {UserinfoSignedResponseAlg: "RS256"},
		sealer: {UserinfoEncryptedResponseAlg: "RSA-OAEP-256", UserinfoEncryptedResponseEnc: "A256GCM", JWKS: jwks},
		public: {TokenEndpointAuthMethod: clientauth.MethodNone},
		nested: {UserinfoSignedResponseAlg: "RS256", UserinfoEncryptedResponseAlg: "RSA-OAEP-256", JWKS: jwks},
		introspector: {JWKS: jwks, Extra: map[string]json.RawMessage{
			"introspection_signed_response_alg":    json.RawMessage(`"ES256"`),
			"introspection_encrypted_response_alg": json.RawMessage(`"RSA-OAEP-256"`),
		}},
	}
	clients := map[string]oauth.Client{}
	for id, m := range metas {
		c := oauth.Client{ID: id, Metadata: m}
		if m.TokenEndpointAuthMethod != clientauth.MethodNone {
			if c.Secret, err = codec.Hash(id + "-secret"); err != nil {
				return fixed{}, err
			}
		}
		clients[id] = c
	}
	return fixed{keys: keys, sealKey: sealKey, codec: codec, clients: clients}, nil
})

// env is one test's provider: the handler and what it was made of.
type env struct {
	t       testing.TB
	fx      fixed
	clock   *clock
	minter  *tokens.Minter
	handler *Handler
	kv      *session.Memory
}

type envOption func(*Options)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	fx, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: start}
	minter, err := tokens.New(tokens.Options{Issuer: issuer, Keys: fx.keys, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(_ context.Context, id string) (oauth.Client, error) {
		if c, ok := fx.clients[id]; ok {
			return c.Clone(), nil
		}
		return oauth.Client{}, storage.ErrNotFound
	}
	auth, err := clientauth.New(clientauth.Options{
		Clients:  lookup,
		Verifier: secrets.NewVerifier(fx.codec, secrets.VerifierOptions{}),
		Codec:    fx.codec,
		Methods:  []string{clientauth.MethodSecretBasic, clientauth.MethodSecretPost, clientauth.MethodNone},
		Issuer:   issuer,
		Now:      clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	kv := session.NewMemory(session.MemoryOptions{Clock: clk.Now})
	o := Options{
		Issuer: issuer, Minter: minter, Authenticator: auth, Users: people, Clients: lookup,
		Revocations: kv, GroupsClaim: "groups", Now: clk.Now,
	}
	for _, opt := range opts {
		opt(&o)
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, fx: fx, clock: clk, minter: minter, handler: h, kv: kv}
}

// accessToken mints an access token of client for ann.
func (e *env) accessToken(client string, scopes ...string) string {
	e.t.Helper()
	return e.mint(tokens.AccessToken{ClientID: client, Subject: "ann", Scopes: scopes})
}

// boundAccessToken mints a token bound to a certificate (RFC 8705 §3).
func (e *env) boundAccessToken(client string, scopes ...string) string {
	e.t.Helper()
	return e.mint(tokens.AccessToken{ClientID: client, Subject: "ann", Scopes: scopes,
		Cnf: map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}})
}

func (e *env) mint(in tokens.AccessToken) string {
	e.t.Helper()
	tok, _, err := e.minter.AccessToken(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// do serves one request and returns the recorded answer.
func do(h http.HandlerFunc, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h(rec, r)
	return rec
}

// clientPost is a form POST authenticated with client_secret_basic; an
// empty client sends no credentials.
func clientPost(target, client string, form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if client != "" {
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(client+":"+client+"-secret")))
	}
	return r
}

// introspect asks as client about token and returns the decoded answer.
func (e *env) introspect(client, token string) map[string]any {
	e.t.Helper()
	rec := do(e.handler.Introspect, clientPost("/token/introspect", client, url.Values{"token": {token}}))
	if rec.Code != http.StatusOK {
		e.t.Fatalf("introspection: %d %s", rec.Code, rec.Body)
	}
	checkNoStore(e.t, rec)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func checkNoStore(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}

// failingKV is a revocation store that cannot answer.
type failingKV struct{ session.KV }

var errDown = errors.New("store down")

func (failingKV) Get(context.Context, string) ([]byte, error) { return nil, errDown }
func (failingKV) Put(context.Context, string, []byte, time.Duration) error {
	return errDown
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return out
}
