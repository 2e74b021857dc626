package secrets

import (
	"errors"
	"testing"
)

// fuzzSeeds are stored values of every kind, well formed and broken.
var fuzzSeeds = []string{
	"",
	"plain-secret",
	"$",
	"{SSHA}x",
	"$6$salt$hash",
	"$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY",
	"$argon2i$v=19$m=4096,t=3,p=1$Z2F0ZWhvdXNlU0FMVDAyeQ$NOqPWy9sW/d61S10tu8jFXe0z1KExtezfSl3I7kMFHc",
	"$argon2id$v=19$m=4294967295,t=4294967295,p=255$AAAA$AAAA",
	"$argon2id$v=19$m=,t=,p=$$",
	"$2y$10$DtgcEUXGHRlZIP1HeoMHP.vVGN3NNMoQtcKt2eEGE7eTcN1NYIL3O",
	"$2b$31$DtgcEUXGHRlZIP1HeoMHP.vVGN3NNMoQtcKt2eEGE7eTcN1NYIL3O",
	"$2a$",
	"$aes256gcm$v=1$kid=k1$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	"$aes256gcm$v=1$kid=$",
	"$aes256gcm$$$$$",
}

func FuzzKind(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Kind(s)
		if IsHash(s) && !k.hashed() {
			t.Errorf("IsHash(%q) but Kind = %s", s, k)
		}
		if k == Plain && (s == "" || looksTagged(s)) {
			t.Errorf("Kind(%q) = plain for an empty or tagged value", s)
		}
	})
}

func FuzzVerify(f *testing.F) {
	c := newTestCodec(f)
	for _, s := range fuzzSeeds {
		f.Add(s, "secret")
	}
	f.Fuzz(func(t *testing.T, stored, presented string) {
		m, err := c.matcher(stored)
		if err == nil {
			if h, ok := m.(argon2Hash); ok && uint64(h.memory)*uint64(h.passes) > 1<<16 {
				t.Skip("valid but too costly to compute while fuzzing")
			}
			if h, ok := m.(bcryptHash); ok && h[4:6] > "06" {
				t.Skip("valid but too costly to compute while fuzzing")
			}
		}
		ok, verr := c.Verify(stored, presented)
		if (err == nil) != (verr == nil) {
			t.Fatalf("parse error %v but Verify error %v", err, verr)
		}
		if verr != nil && ok {
			t.Fatal("Verify reported a match with an error")
		}
		if verr != nil && !errors.Is(verr, ErrMalformed) && !errors.Is(verr, ErrUnsupported) && !errors.Is(verr, ErrUnknownKey) {
			t.Fatalf("Verify error %v is none of the stored-value errors", verr)
		}
		if Kind(stored) == Plain && ok != (stored == presented) {
			t.Fatalf("plain Verify = %v for equal=%v", ok, stored == presented)
		}
	})
}

func FuzzEncryptReveal(f *testing.F) {
	c := newTestCodec(f)
	f.Add("secret")
	f.Add("$aes256gcm$v=1$kid=k1$")
	f.Add("\x00\xff")
	f.Fuzz(func(t *testing.T, plain string) {
		stored, err := c.Encrypt(plain)
		if err != nil {
			if errors.Is(err, ErrSecretLength) {
				return
			}
			t.Fatal(err)
		}
		if got, err := c.Reveal(stored); err != nil || got != plain {
			t.Fatalf("Reveal = %q, %v; want %q", got, err, plain)
		}
		if ok, err := c.Verify(stored, plain); !ok || err != nil {
			t.Fatalf("Verify = %v, %v", ok, err)
		}
	})
}
