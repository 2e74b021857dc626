package token

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// BenchmarkClientCredentials measures a whole client_credentials request —
// form parsing, client_secret_basic against an Argon2id hash at the default
// cost, the grant, an RS256 access token, the JSON answer — with the
// verification cache off (every request pays Argon2id) and on.
func BenchmarkClientCredentials(b *testing.B) {
	for _, bc := range []struct {
		name      string
		cacheSize int
	}{{name: "cold", cacheSize: -1}, {name: "warm", cacheSize: 0}} {
		b.Run(bc.name, func(b *testing.B) {
			h := benchHandler(b, bc.cacheSize)
			body := url.Values{"grant_type": {"client_credentials"}, "scope": {"api"}}.Encode()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth("svc", "svc-secret")
				rec := httptest.NewRecorder()
				h.Token(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

func benchHandler(b *testing.B, cacheSize int) *Handler {
	b.Helper()
	keys, err := keyset.Generate()
	if err != nil {
		b.Fatal(err)
	}
	codec, err := secrets.New(secrets.Params{MemoryKiB: 65536, Iterations: 1, Parallelism: 2}, keys.SecretKey(), keys.SecretKeyID())
	if err != nil {
		b.Fatal(err)
	}
	hash, err := codec.Hash("svc-secret")
	if err != nil {
		b.Fatal(err)
	}
	client := oauth.Client{ID: "svc", Secret: hash, Version: "v1", Metadata: oauth.Metadata{
		TokenEndpointAuthMethod: "client_secret_basic", GrantTypes: []string{"client_credentials"}, Scope: []string{"api"},
	}}
	lookup := func(_ context.Context, id string) (oauth.Client, error) {
		if id != client.ID {
			return oauth.Client{}, storage.ErrNotFound
		}
		return client, nil
	}
	kv := session.NewMemory(session.MemoryOptions{})
	auth, err := clientauth.New(clientauth.Options{
		Clients: lookup, Codec: codec, Verifier: secrets.NewVerifier(codec, secrets.VerifierOptions{CacheSize: cacheSize}),
		Replay: kv, Methods: []string{"client_secret_basic"},
		Issuer: "https://idp.example", TokenEndpoint: "https://idp.example/token",
	})
	if err != nil {
		b.Fatal(err)
	}
	minter, err := tokens.New(tokens.Options{Issuer: "https://idp.example", Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	h, err := New(Options{Auth: auth, Codes: session.NewCodes(kv, nil), Minter: minter, Users: noUsers{}})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

type noUsers struct{}

func (noUsers) Lookup(context.Context, string) (oauth.User, error) {
	return oauth.User{}, storage.ErrNotFound
}
