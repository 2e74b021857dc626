package authorize

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
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

const (
	testIssuer   = "https://op.example.com"
	webCallback  = "https://rp.example.com/cb"
	testSecret   = "a-client-secret-of-forty-three-characters-x"
	oldSecret    = "the-previous-client-secret-still-in-rollover"
	validPKCE    = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSW-cM7c" // RFC 7636 Appendix B
	testClientID = "web"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Keys of the tests: the client's signing keys, and one it does not own.
var (
	rsaKey   = mustRSA()
	ecKey    = mustEC()
	edKey    = mustEd()
	otherRSA = mustRSA()
)

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEC() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEd() ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// clientJWKS is the public key set the request object clients register.
func clientJWKS() json.RawMessage {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &rsaKey.PublicKey, KeyID: "rsa1", Use: "sig", Algorithm: "RS256"},
		{Key: &ecKey.PublicKey, KeyID: "ec1", Use: "sig", Algorithm: "ES256"},
		{Key: edKey.Public(), KeyID: "ed1", Use: "sig", Algorithm: "EdDSA"},
	}}
	b, err := json.Marshal(set)
	if err != nil {
		panic(err)
	}
	return b
}

// testClients are the clients the lookup knows, by id.
func testClients() map[string]oauth.Client {
	maxAge := 600
	clients := []oauth.Client{
		{ID: "web", Metadata: oauth.Metadata{
			RedirectURIs:            []string{webCallback, "https://rp.example.com/other?x=1"},
			TokenEndpointAuthMethod: "client_secret_basic",
			ResponseTypes:           []string{"code", "code id_token", "id_token"},
		}},
		{ID: "single", Metadata: oauth.Metadata{
			RedirectURIs: []string{"https://single.example.com/cb"},
		}},
		{ID: "noredirect", Metadata: oauth.Metadata{}},
		{ID: "public", Metadata: oauth.Metadata{
			RedirectURIs: []string{"https://spa.example.com/cb"}, TokenEndpointAuthMethod: "none",
		}},
		{ID: "native", Metadata: oauth.Metadata{
			ApplicationType: "native", TokenEndpointAuthMethod: "none",
			RedirectURIs: []string{"http://127.0.0.1/cb", "http://[::1]/cb", "http://localhost/cb", "com.example.app:/cb"},
		}},
		{ID: "webloop", Metadata: oauth.Metadata{
			RedirectURIs: []string{"http://127.0.0.1/cb", "http://127.0.0.1:9000/cb"},
		}},
		{ID: "scoped", Metadata: oauth.Metadata{
			RedirectURIs: []string{webCallback}, Scope: []string{"profile"},
		}},
		{ID: "defaults", Metadata: oauth.Metadata{
			RedirectURIs: []string{webCallback}, DefaultMaxAge: &maxAge, DefaultACRValues: []string{"urn:acr:pwd"},
		}},
		{ID: "par", Metadata: oauth.Metadata{
			RedirectURIs: []string{webCallback}, RequirePushedAuthorizationRequests: true,
		}},
		{ID: "jar", Metadata: oauth.Metadata{
			RedirectURIs:  []string{webCallback, "https://rp.example.com/jar"},
			ResponseTypes: []string{"code", "code id_token"},
			JWKS:          clientJWKS(),
			RequestURIs:   []string{"https://objects.example.com/ro/"},
		}},
		{ID: "jarhs", Metadata: oauth.Metadata{
			RedirectURIs: []string{webCallback}, RequestObjectSigningAlg: "HS256",
		}},
		{ID: "jarnokeys", Metadata: oauth.Metadata{RedirectURIs: []string{webCallback}}},
	}
	out := map[string]oauth.Client{}
	for _, c := range clients {
		out[c.ID] = c
	}
	return out
}

// lookup finds test clients; "down" plays a directory outage.
func lookup(clients map[string]oauth.Client) ClientLookup {
	return func(_ context.Context, id string) (oauth.Client, error) {
		if id == "down" {
			return oauth.Client{}, fmt.Errorf("dial: %w", storage.ErrUnavailable)
		}
		c, ok := clients[id]
		if !ok {
			return oauth.Client{}, storage.ErrNotFound
		}
		return c.Clone(), nil
	}
}

// secretsOf plays the secret codec: clients with HS or dir get their
// secrets back, current first; others have none.
func secretsOf(_ context.Context, c oauth.Client) ([]string, error) {
	switch c.ID {
	case "jarhs", "jar":
		return []string{testSecret, oldSecret}, nil
	}
	return nil, errors.New("no recoverable secret")
}

func testDeps() Deps {
	return Deps{
		Config: Config{
			Issuer:              testIssuer,
			ResponseModes:       []string{ModeQuery, ModeFragment, ModeFormPost},
			RequestParameter:    true,
			RequestURIParameter: true,
		},
		Clients: lookup(testClients()),
		Secrets: secretsOf,
		Now:     func() time.Time { return testNow },
	}
}

// baseQuery is a valid code request by the web client.
func baseQuery() url.Values {
	return url.Values{
		"client_id":     {testClientID},
		"redirect_uri":  {webCallback},
		"response_type": {"code"},
		"scope":         {"openid profile"},
		"state":         {"xyz"},
	}
}

// with returns base changed by key/value pairs; the value "-" removes a
// parameter.
func with(base url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range base {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "-" {
			out.Del(kv[i])
			continue
		}
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func getRequest(v url.Values) *http.Request {
	return httptest.NewRequest(http.MethodGet, "/authorize?"+v.Encode(), nil)
}

func rawRequest(rawQuery string) *http.Request {
	return httptest.NewRequest(http.MethodGet, "/authorize?"+rawQuery, nil)
}

func postRequest(v url.Values, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/authorize", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", contentType)
	return r
}

func parse(t *testing.T, r *http.Request, deps Deps) (Request, *Failure) {
	t.Helper()
	req, err := Parse(context.Background(), r, deps)
	if err == nil {
		return req, nil
	}
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("Parse returned %T %v, want a *Failure", err, err)
	}
	return req, f
}

func mustParse(t *testing.T, r *http.Request, deps Deps) Request {
	t.Helper()
	req, f := parse(t, r, deps)
	if f != nil {
		t.Fatalf("Parse: %v", f)
	}
	return req
}

// sign makes a request object signed with key under alg, naming kid.
func sign(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("oauth-authz-req+jwt")
	if kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// encrypt wraps a signed object in a JWE (Core §6.1: signed, then
// encrypted) with a key derived from secret.
func encrypt(t *testing.T, inner string, alg jose.KeyAlgorithm, enc jose.ContentEncryption, key any) string {
	t.Helper()
	opts := (&jose.EncrypterOptions{}).WithContentType("JWT")
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := e.Encrypt([]byte(inner))
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unsigned makes an "alg none" object.
func unsigned(claims map[string]any) string {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	body, _ := json.Marshal(claims)
	return head + "." + base64.RawURLEncoding.EncodeToString(body) + "."
}

// objectClaims returns the claims of a valid request object of the jar
// client, changed by kv (a nil value removes the claim).
func jarClaims(kv ...any) map[string]any {
	c := map[string]any{
		"iss":           "jar",
		"aud":           testIssuer,
		"exp":           testNow.Add(5 * time.Minute).Unix(),
		"iat":           testNow.Unix(),
		"client_id":     "jar",
		"response_type": "code",
		"redirect_uri":  webCallback,
		"scope":         "openid email",
		"state":         "inner-state",
		"nonce":         "inner-nonce",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		if kv[i+1] == nil {
			delete(c, name)
			continue
		}
		c[name] = kv[i+1]
	}
	return c
}

// jarQuery is the outer request carrying a request object by value.
func jarQuery(object string, kv ...string) url.Values {
	return with(url.Values{
		"client_id":     {"jar"},
		"response_type": {"code"},
		"redirect_uri":  {"https://rp.example.com/jar"},
		"state":         {"outer-state"},
		"request":       {object},
	}, kv...)
}
