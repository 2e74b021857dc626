package secrets

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// defaultParams are the shipped defaults (conf: op.secrets.argon2id).
var defaultParams = Params{MemoryKiB: 65536, Iterations: 1, Parallelism: 2}

func benchCodec(b *testing.B) *Codec {
	c, err := New(defaultParams, testKey(b), "k1")
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func benchVerify(b *testing.B, c *Codec, stored, presented string) {
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := c.Verify(stored, presented); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkVerifyArgon2idCold(b *testing.B) {
	c := benchCodec(b)
	stored, err := c.Hash("good")
	if err != nil {
		b.Fatal(err)
	}
	benchVerify(b, c, stored, "good")
}

func BenchmarkVerifyArgon2idCached(b *testing.B) {
	c := benchCodec(b)
	stored, err := c.Hash("good")
	if err != nil {
		b.Fatal(err)
	}
	v := NewVerifier(c, VerifierOptions{})
	ctx := context.Background()
	if ok, err := v.Verify(ctx, "client", "1", stored, "good"); !ok || err != nil {
		b.Fatal(ok, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := v.Verify(ctx, "client", "1", stored, "good"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkVerifyBCrypt10Cold(b *testing.B) {
	c := benchCodec(b)
	stored, err := bcrypt.GenerateFromPassword([]byte("good"), 10)
	if err != nil {
		b.Fatal(err)
	}
	benchVerify(b, c, string(stored), "good")
}

func BenchmarkVerifyPlain(b *testing.B) {
	benchVerify(b, benchCodec(b), "legacy-secret", "legacy-secret")
}

func BenchmarkRevealAES(b *testing.B) {
	c := benchCodec(b)
	stored, err := c.Encrypt("a-43-character-generated-client-secret-xyz")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Reveal(stored); err != nil {
			b.Fatal(err)
		}
	}
}
