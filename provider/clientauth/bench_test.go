package clientauth

import (
	"context"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// benchBasic authenticates one client_secret_basic client whose secret is
// an Argon2id hash with the shipped parameters (op.secrets.argon2id:
// m=65536 t=1 p=2), with the verifier's cache on or off.
func benchBasic(b *testing.B, cache bool) {
	codec, err := secrets.New(secrets.Params{MemoryKiB: 65536, Iterations: 1, Parallelism: 2}, make([]byte, 32), "k1")
	if err != nil {
		b.Fatal(err)
	}
	stored, err := codec.Hash(basicSecret)
	if err != nil {
		b.Fatal(err)
	}
	client := oauth.Client{ID: "basic", Secret: stored, Version: "1"}
	opts := secrets.VerifierOptions{}
	if !cache {
		opts.CacheSize = -1
	}
	auth, err := New(Options{
		Clients: func(_ context.Context, id string) (oauth.Client, error) {
			if id != client.ID {
				return oauth.Client{}, storage.ErrNotFound
			}
			return client, nil
		},
		Verifier: secrets.NewVerifier(codec, opts),
		Methods:  []string{MethodSecretBasic},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	header := basicHeader("basic", basicSecret)
	if _, e := auth.Authenticate(ctx, header, nil); e != nil {
		b.Fatal(e)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, e := auth.Authenticate(ctx, header, nil); e != nil {
			b.Fatal(e)
		}
	}
}

func BenchmarkBasicArgon2idCold(b *testing.B) { benchBasic(b, false) }
func BenchmarkBasicArgon2idWarm(b *testing.B) { benchBasic(b, true) }
