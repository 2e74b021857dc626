package tokens

import (
	"context"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func benchmarkIDToken(b *testing.B, alg string) {
	m := newMinter(b, generatedSet(), newClock())
	in := sampleIDToken(client(func(md *oauth.Metadata) { md.IDTokenSignedResponseAlg = alg }))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.IDToken(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIDTokenRS256(b *testing.B) { benchmarkIDToken(b, "RS256") }
func BenchmarkIDTokenES256(b *testing.B) { benchmarkIDToken(b, "ES256") }
func BenchmarkIDTokenHS256(b *testing.B) { benchmarkIDToken(b, "HS256") }

func BenchmarkAccessTokenRS256(b *testing.B) {
	m := newMinter(b, generatedSet(), newClock())
	in := sampleAccessToken()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.AccessToken(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAccessToken(b *testing.B) {
	m := newMinter(b, generatedSet(), newClock())
	ctx := context.Background()
	token, _, err := m.AccessToken(ctx, sampleAccessToken())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.ParseAccessToken(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}
