package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/session"
)

const tokenURL = "https://idp.example.org/token"

var testNow = time.Unix(1_800_000_000, 0)

// keys are made once: RSA key generation is slow.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	return map[string]crypto.Signer{"ES256": ec, "ES384": ec384, "EdDSA": ed, "RS256": rk, "PS256": rk}
})

// proofSpec describes a proof to make; zero fields take good values.
type proofSpec struct {
	alg     string
	typ     string
	claims  map[string]any
	drop    []string // claims to leave out
	jwk     any      // the header's jwk: default the public key; "none" for no jwk
	signKey any      // default the private key of alg
}

func goodClaims(now time.Time) map[string]any {
	return map[string]any{"jti": "jti-" + base64.RawURLEncoding.EncodeToString(randomBytes(9)),
		"htm": "POST", "htu": tokenURL, "iat": now.Unix()}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// makeProof signs a proof as a client following RFC 9449 §4.2 would.
func makeProof(t *testing.T, p proofSpec) string {
	t.Helper()
	if p.alg == "" {
		p.alg = "ES256"
	}
	if p.typ == "" {
		p.typ = "dpop+jwt"
	}
	if key, ok := testKeys()[p.alg]; ok {
		if p.jwk == nil {
			p.jwk = jose.JSONWebKey{Key: key.Public()}
		}
		if p.signKey == nil {
			p.signKey = key
		}
	}
	cl := goodClaims(testNow)
	for k, v := range p.claims {
		cl[k] = v
	}
	for _, k := range p.drop {
		delete(cl, k)
	}
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(p.typ))
	if p.jwk != "none" {
		opts = opts.WithHeader("jwk", p.jwk)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(p.alg), Key: p.signKey}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(cl)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newChecker(t *testing.T, edit func(*Options)) *Checker {
	t.Helper()
	o := Options{
		Replay: session.NewMemory(session.MemoryOptions{}),
		Now:    func() time.Time { return testNow },
	}
	if edit != nil {
		edit(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
