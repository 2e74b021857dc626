package jwtbearer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Fixtures of the unit tests: a trusted issuer, its key, the token
// endpoint, and the one person the fake directory knows.
const (
	testIssuer   = "https://partner.example"
	testJWKSURL  = "https://partner.example/jwks.json"
	testTokenURL = "https://op.example/token"
	bobName      = "bob"
	bobSubject   = "1b2c-bob"
)

// staticKeys is a KeySets whose set the test chooses; refreshes counts
// fetches with refresh, err fails every fetch.
type staticKeys struct {
	set, refreshed jose.JSONWebKeySet
	refreshes      int
	err            error
}

func (k *staticKeys) KeySet(_ context.Context, uri string, refresh bool) (jose.JSONWebKeySet, error) {
	if k.err != nil {
		return jose.JSONWebKeySet{}, k.err
	}
	if uri != testJWKSURL {
		return jose.JSONWebKeySet{}, errors.New("unexpected URL " + uri)
	}
	if refresh {
		k.refreshes++
		if len(k.refreshed.Keys) > 0 {
			return k.refreshed, nil
		}
	}
	return k.set, nil
}

// fakePeople knows bob by name and by subject; err makes it an outage.
type fakePeople struct{ err error }

func (p fakePeople) Lookup(_ context.Context, subject string) (oauth.User, error) {
	if p.err != nil {
		return oauth.User{}, p.err
	}
	if subject == bobSubject {
		return oauth.User{Subject: bobSubject, Username: bobName}, nil
	}
	return oauth.User{}, storage.ErrNotFound
}

func (p fakePeople) LookupByUsername(_ context.Context, name string) (oauth.User, error) {
	if p.err != nil {
		return oauth.User{}, p.err
	}
	if name == bobName {
		return oauth.User{Subject: bobSubject, Username: bobName}, nil
	}
	return oauth.User{}, storage.ErrNotFound
}

// signer makes assertions with one EC key.
type signer struct {
	key *ecdsa.PrivateKey
	kid string
}

func newSigner(t testing.TB, kid string) signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signer{key: k, kid: kid}
}

func (s signer) public() jose.JSONWebKey {
	return jose.JSONWebKey{Key: &s.key.PublicKey, KeyID: s.kid, Algorithm: "ES256", Use: "sig"}
}

func (s signer) sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	return signWith(t, jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.kid}}, claims)
}

func signWith(t testing.TB, key jose.SigningKey, claims map[string]any) string {
	t.Helper()
	sig, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// goodClaims are an assertion's claims that pass every check at now.
func goodClaims(now time.Time, jti string) map[string]any {
	return map[string]any{
		"iss": testIssuer, "sub": bobName, "aud": testTokenURL, "jti": jti,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
}
