package tokens

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testIssuer = "https://op.example.com"
	// Secrets of 64 bytes and more are long enough for HS512.
	currentSecret  = "current-secret-0123456789-0123456789-0123456789-0123456789-abcdef"
	previousSecret = "previous-secret-0123456789-0123456789-0123456789-0123456789-abcde"
)

// testNow is the fixed time of the tests.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: testNow} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// fullSet is a key set with a signing key of every kind: RSA, and EC on
// P-256, P-384 and P-521, so that every algorithm can be tried. The set
// Generate makes has RSA and P-256 only.
var fullSet = sync.OnceValue(func() *keyset.Set {
	gen, err := keyset.Generate()
	if err != nil {
		panic(err)
	}
	doc, err := gen.MarshalJSON()
	if err != nil {
		panic(err)
	}
	var raw jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &raw); err != nil {
		panic(err)
	}
	for _, curve := range []elliptic.Curve{elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			panic(err)
		}
		jwk := jose.JSONWebKey{Key: k, Use: "sig"}
		tp, err := jwk.Thumbprint(crypto.SHA256)
		if err != nil {
			panic(err)
		}
		jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
		raw.Keys = append(raw.Keys, jwk)
	}
	doc, err = json.Marshal(raw)
	if err != nil {
		panic(err)
	}
	set, err := keyset.Parse(doc)
	if err != nil {
		panic(err)
	}
	return set
})

// generatedSet is a set as keyset.Generate makes it (RSA, P-256).
var generatedSet = sync.OnceValue(func() *keyset.Set {
	set, err := keyset.Generate()
	if err != nil {
		panic(err)
	}
	return set
})

// secretsByClient serves Options.Secrets from a map.
type secretsByClient map[string][]string

func (s secretsByClient) get(c oauth.Client) ([]string, error) { return s[c.ID], nil }

// testSecrets: "web" has a current and a previous secret, "short" one too
// short for HS256.
var testSecrets = secretsByClient{
	"web":   {currentSecret, previousSecret},
	"short": {"only-twenty-bytes-xx"},
}

// newMinter returns a Minter over set with the fixed clock c.
func newMinter(t testing.TB, set *keyset.Set, c *clock, mod ...func(*Options)) *Minter {
	t.Helper()
	o := Options{Issuer: testIssuer, Keys: set, Secrets: testSecrets.get, Now: c.Now}
	for _, f := range mod {
		f(&o)
	}
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// client returns a client "web" with the given metadata changes.
func client(mod func(*oauth.Metadata)) oauth.Client {
	c := oauth.Client{ID: "web", Metadata: oauth.Metadata{RedirectURIs: []string{"https://rp.example.com/cb"}}}
	if mod != nil {
		mod(&c.Metadata)
	}
	return c
}

// publicKey returns the key of the published set with this kid.
func publicKey(t *testing.T, set *keyset.Set, kid string) jose.JSONWebKey {
	t.Helper()
	keys := set.Public()
	found := keys.Key(kid)
	if len(found) != 1 {
		t.Fatalf("kid %q: %d published keys", kid, len(found))
	}
	return found[0]
}

// verifyJWS checks a compact JWS independently of the package and returns
// its header and claims.
func verifyJWS(t *testing.T, token string, alg jose.SignatureAlgorithm, key any) (jose.Header, map[string]any) {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{alg})
	if err != nil {
		t.Fatalf("parse JWS: %v", err)
	}
	payload, err := jws.Verify(key)
	if err != nil {
		t.Fatalf("verify %s: %v", alg, err)
	}
	return jws.Signatures[0].Protected, decodeClaims(t, payload)
}

func decodeClaims(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	var claims map[string]any
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	if err := d.Decode(&claims); err != nil {
		t.Fatalf("claims: %v", err)
	}
	return claims
}

// unverifiedHeader reads the header of a compact JWS or JWE.
func unverifiedHeader(t *testing.T, token string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.SplitN(token, ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return decodeClaims(t, b)
}

// numeric reads a JSON number claim.
func numeric(t *testing.T, claims map[string]any, name string) int64 {
	t.Helper()
	n, ok := claims[name].(json.Number)
	if !ok {
		t.Fatalf("claim %s = %#v, not a number", name, claims[name])
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

// normalized renders claims for a golden file, with the values that
// change from run to run replaced by their names.
func normalized(t *testing.T, claims map[string]any) []byte {
	t.Helper()
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		out[k] = v
	}
	for _, name := range []string{"iat", "exp", "jti"} {
		if _, ok := out[name]; ok {
			out[name] = "<" + name + ">"
		}
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(out); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rsaClientKey and ecClientKey are the client's encryption keys.
var (
	rsaClientKey = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	ecClientKey  = sync.OnceValue(func() *ecdsa.PrivateKey { return mustEC(elliptic.P256()) })
)

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEC(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// jwksOf renders public keys as a JWK set document.
func jwksOf(t testing.TB, keys ...jose.JSONWebKey) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
func sha384Sum(b []byte) [48]byte { return sha512.Sum384(b) }
func sha512Sum(b []byte) [64]byte { return sha512.Sum512(b) }
func rawURL(b []byte) string      { return base64.RawURLEncoding.EncodeToString(b) }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
