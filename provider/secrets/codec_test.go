package secrets

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/secrets/secrettest"
	"golang.org/x/crypto/bcrypt"
)

// cheapParams keep tests fast under the race detector.
var cheapParams = Params{MemoryKiB: 256, Iterations: 1, Parallelism: 1}

func testKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func newTestCodec(t testing.TB) *Codec {
	t.Helper()
	c, err := New(cheapParams, testKey(t), "k1")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type fixture struct {
	plain  string
	stored string
}

// readFixture reads a testdata file of a hash beside its plain secret.
func readFixture(t *testing.T, name string) fixture {
	t.Helper()
	plain, stored := secrettest.Fixture(t, name)
	return fixture{plain: plain, stored: stored}
}

func TestRoundTrip(t *testing.T) {
	c := newTestCodec(t)
	const secret = "s3cret-Ünïcode-✓"
	tests := []struct {
		name   string
		encode func(string) (string, error)
		format Format
		reveal bool
	}{
		{name: "argon2id", encode: c.Hash, format: Argon2id},
		{name: "aes256gcm", encode: c.Encrypt, format: AESGCM, reveal: true},
		{name: "plain", encode: func(s string) (string, error) { return s, nil }, format: Plain, reveal: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stored, err := tc.encode(secret)
			if err != nil {
				t.Fatal(err)
			}
			if got := Kind(stored); got != tc.format {
				t.Fatalf("Kind = %s, want %s", got, tc.format)
			}
			for _, check := range []struct {
				presented string
				want      bool
			}{
				{secret, true},
				{secret + "x", false},
				{secret[:len(secret)-1], false},
				{"", false},
				{strings.Repeat("a", maxSecretLen+1), false},
			} {
				ok, err := c.Verify(stored, check.presented)
				if err != nil || ok != check.want {
					t.Errorf("Verify(%.20q) = %v, %v; want %v, nil", check.presented, ok, err, check.want)
				}
			}
			got, err := c.Reveal(stored)
			switch {
			case tc.reveal && (err != nil || got != secret):
				t.Errorf("Reveal = %q, %v; want the secret", got, err)
			case !tc.reveal && !errors.Is(err, ErrNotRecoverable):
				t.Errorf("Reveal error = %v, want ErrNotRecoverable", err)
			}
		})
	}
}

func TestHashShape(t *testing.T) {
	c, err := New(Params{MemoryKiB: 1024, Iterations: 2, Parallelism: 3}, testKey(t), "k1")
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Hash("secret")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Hash("secret")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("two hashes of one secret are equal: salt not random")
	}
	shape := regexp.MustCompile(`^\$argon2id\$v=19\$m=1024,t=2,p=3\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !shape.MatchString(a) {
		t.Errorf("hash %q does not have the expected shape", a)
	}
	if !IsHash(a) {
		t.Error("IsHash is false for our own hash")
	}
}

func TestFixtures(t *testing.T) {
	c := newTestCodec(t)
	tests := []struct {
		file   string
		format Format
	}{
		{file: "bcrypt-htpasswd.txt", format: BCrypt},
		{file: "argon2id-cli.txt", format: Argon2id},
		{file: "argon2i-cli.txt", format: Argon2i},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f := readFixture(t, tc.file)
			if got := Kind(f.stored); got != tc.format {
				t.Fatalf("Kind = %s, want %s", got, tc.format)
			}
			if !IsHash(f.stored) {
				t.Error("IsHash = false")
			}
			if ok, err := c.Verify(f.stored, f.plain); !ok || err != nil {
				t.Errorf("Verify(right secret) = %v, %v", ok, err)
			}
			if ok, err := c.Verify(f.stored, f.plain+"!"); ok || err != nil {
				t.Errorf("Verify(wrong secret) = %v, %v", ok, err)
			}
			if _, err := c.Reveal(f.stored); !errors.Is(err, ErrNotRecoverable) {
				t.Errorf("Reveal error = %v, want ErrNotRecoverable", err)
			}
			if c.NeedsReencode(f.stored) {
				t.Error("NeedsReencode = true for an imported hash")
			}
		})
	}
}

// TestBCryptVariants checks that $2a$, $2b$ and $2y$ all verify: they name
// the same algorithm, and x/crypto accepts each prefix.
func TestBCryptVariants(t *testing.T) {
	c := newTestCodec(t)
	made, err := bcrypt.GenerateFromPassword([]byte("pa55"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range bcryptPrefixes {
		t.Run(prefix, func(t *testing.T) {
			stored := prefix + string(made[4:])
			if ok, err := c.Verify(stored, "pa55"); !ok || err != nil {
				t.Errorf("Verify = %v, %v", ok, err)
			}
			if ok, err := c.Verify(stored, "pa56"); ok || err != nil {
				t.Errorf("Verify(wrong) = %v, %v", ok, err)
			}
		})
	}
}

func TestEncryptTwice(t *testing.T) {
	c := newTestCodec(t)
	a, err := c.Encrypt("same")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Encrypt("same")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two encryptions are equal: nonce not random")
	}
	if !strings.HasPrefix(a, "$aes256gcm$v=1$kid=k1$") {
		t.Errorf("encrypted value %q lacks the documented header", a)
	}
	for _, stored := range []string{a, b} {
		if got, err := c.Reveal(stored); err != nil || got != "same" {
			t.Errorf("Reveal = %q, %v", got, err)
		}
	}
}

func TestTamperedCiphertext(t *testing.T) {
	c := newTestCodec(t)
	stored, err := c.Encrypt("do not touch")
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.LastIndexByte(stored, '$') + 1
	header, payload := stored[:cut], stored[cut:]
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	for _, pos := range []int{0, nonceLen, len(raw) - gcmTagLen, len(raw) - 1} {
		bad := bytes.Clone(raw)
		bad[pos] ^= 0x01
		stored := header + base64.RawURLEncoding.EncodeToString(bad)
		if _, err := c.Reveal(stored); !errors.Is(err, ErrMalformed) {
			t.Errorf("byte %d flipped: Reveal error = %v, want ErrMalformed", pos, err)
		}
		if ok, err := c.Verify(stored, "do not touch"); ok || !errors.Is(err, ErrMalformed) {
			t.Errorf("byte %d flipped: Verify = %v, %v", pos, ok, err)
		}
	}
}

// TestAssociatedData shows that a ciphertext made under the same key but
// without our purpose and header does not open.
func TestAssociatedData(t *testing.T) {
	key := testKey(t)
	c, err := New(cheapParams, key, "k1")
	if err != nil {
		t.Fatal(err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, ad := range []string{"", aesPurpose, aesPurpose + "\x00" + aesHeader("k2")} {
		stored := sealWithAD(t, aead, "k1", "secret", []byte(ad))
		if _, err := c.Reveal(stored); !errors.Is(err, ErrMalformed) {
			t.Errorf("associated data %q: Reveal error = %v, want ErrMalformed", ad, err)
		}
	}
	good := sealWithAD(t, aead, "k1", "secret", aesAD(aesHeader("k1")))
	if got, err := c.Reveal(good); err != nil || got != "secret" {
		t.Errorf("control: Reveal = %q, %v", got, err)
	}
}

func sealWithAD(t *testing.T, aead cipher.AEAD, kid, plain string, ad []byte) string {
	t.Helper()
	nonce := make([]byte, nonceLen)
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	return aesHeader(kid) + "$" + base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), ad))
}

func TestKeyRotation(t *testing.T) {
	oldKey, newKey := testKey(t), testKey(t)
	before, err := New(cheapParams, oldKey, "old")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := before.Encrypt("kept")
	if err != nil {
		t.Fatal(err)
	}
	after, err := New(cheapParams, newKey, "new", Key{ID: "old", Secret: oldKey})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Reveal(stored); err != nil || got != "kept" {
		t.Errorf("Reveal under a retired key = %q, %v", got, err)
	}
	if !after.NeedsReencode(stored) {
		t.Error("NeedsReencode = false for a value under a retired key")
	}
	rewritten, err := after.Encrypt("kept")
	if err != nil {
		t.Fatal(err)
	}
	if after.NeedsReencode(rewritten) {
		t.Error("NeedsReencode = true for a value under the current key")
	}
	forgetful, err := New(cheapParams, newKey, "new")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := forgetful.Reveal(stored); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Reveal without the old key: error = %v, want ErrUnknownKey", err)
	}
}

func TestMalformedStoredValues(t *testing.T) {
	c := newTestCodec(t)
	argon := readFixture(t, "argon2id-cli.txt").stored
	bc := readFixture(t, "bcrypt-htpasswd.txt").stored
	enc, err := c.Encrypt("x")
	if err != nil {
		t.Fatal(err)
	}
	const salt, tag = "c2FsdHNhbHRzYWx0c2FsdA", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"
	phc := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + tag }
	otherKey, err := New(cheapParams, testKey(t), "k2")
	if err != nil {
		t.Fatal(err)
	}
	unknownKID, err := otherKey.Encrypt("x")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		stored string
		want   error
	}{
		{"control is well formed", phc("m=4096,t=3,p=1"), nil},
		{"argon2 truncated", argon[:len(argon)/2], ErrMalformed},
		{"argon2 missing tag", argon[:strings.LastIndexByte(argon, '$')], ErrMalformed},
		{"argon2 extra field", argon + "$x", ErrMalformed},
		{"argon2 bad salt base64", "$argon2id$v=19$m=4096,t=3,p=1$c2Fs*dHNhbHQ$" + tag, ErrMalformed},
		{"argon2 bad tag base64", "$argon2id$v=19$m=4096,t=3,p=1$" + salt + "$" + tag[:len(tag)-1] + "!", ErrMalformed},
		{"argon2 padded base64", "$argon2id$v=19$m=4096,t=3,p=1$" + salt + "==$" + tag, ErrMalformed},
		{"argon2 short salt", "$argon2id$v=19$m=4096,t=3,p=1$YWJj$" + tag, ErrMalformed},
		{"argon2 short tag", "$argon2id$v=19$m=4096,t=3,p=1$" + salt + "$YWJjZA", ErrMalformed},
		{"argon2 version 16", strings.Replace(argon, "v=19", "v=16", 1), ErrMalformed},
		{"argon2 no version", "$argon2id$m=4096,t=3,p=1$" + salt + "$" + tag + "$", ErrMalformed},
		{"argon2 memory over 1 GiB", phc("m=1048577,t=1,p=1"), ErrMalformed},
		{"argon2 memory overflow", phc("m=99999999999,t=1,p=1"), ErrMalformed},
		{"argon2 memory under 8 per lane", phc("m=15,t=1,p=2"), ErrMalformed},
		{"argon2 passes over 100", phc("m=4096,t=101,p=1"), ErrMalformed},
		{"argon2 zero passes", phc("m=4096,t=0,p=1"), ErrMalformed},
		{"argon2 lanes over 64", phc("m=4096,t=1,p=65"), ErrMalformed},
		{"argon2 zero lanes", phc("m=4096,t=1,p=0"), ErrMalformed},
		{"argon2 work over 4 GiB", phc("m=1048576,t=5,p=1"), ErrMalformed},
		{"argon2 leading zero", phc("m=04096,t=3,p=1"), ErrMalformed},
		{"argon2 signed number", phc("m=+4096,t=3,p=1"), ErrMalformed},
		{"argon2 params reordered", phc("t=3,m=4096,p=1"), ErrMalformed},
		{"argon2 extra param", phc("m=4096,t=3,p=1,keyid=x"), ErrMalformed},
		{"argon2 trailing garbage", phc("m=4096,t=3,p=1x"), ErrMalformed},
		{"bcrypt truncated", bc[:40], ErrMalformed},
		{"bcrypt too long", bc + "a", ErrMalformed},
		{"bcrypt cost 31", bc[:4] + "31" + bc[6:], ErrMalformed},
		{"bcrypt cost 16", bc[:4] + "16" + bc[6:], ErrMalformed},
		{"bcrypt cost 03", bc[:4] + "03" + bc[6:], ErrMalformed},
		{"bcrypt cost not digits", bc[:4] + "1a" + bc[6:], ErrMalformed},
		{"bcrypt bad character", bc[:20] + "!" + bc[21:], ErrMalformed},
		{"aes truncated header", "$aes256gcm$v=1$kid=k1", ErrMalformed},
		{"aes bad version", strings.Replace(enc, "v=1", "v=2", 1), ErrMalformed},
		{"aes empty kid", strings.Replace(enc, "kid=k1", "kid=", 1), ErrMalformed},
		{"aes no kid", strings.Replace(enc, "kid=k1", "k1", 1), ErrMalformed},
		{"aes bad base64", enc[:len(enc)-2] + "+/", ErrMalformed},
		{"aes short payload", "$aes256gcm$v=1$kid=k1$AAAA", ErrMalformed},
		{"aes truncated tag", enc[:len(enc)-4], ErrMalformed},
		{"aes unknown kid", unknownKID, ErrUnknownKey},
		{"empty", "", ErrUnsupported},
		{"sha512-crypt", "$6$salt$hash", ErrUnsupported},
		{"argon2d", "$argon2d$v=19$m=4096,t=3,p=1$" + salt + "$" + tag, ErrUnsupported},
		{"bcrypt 2x", "$2x$10$" + bc[7:], ErrUnsupported},
		{"ldap scheme", "{SSHA}abcdefgh", ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := c.Verify(tc.stored, "x")
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify error = %v, want none", err)
				}
				return
			}
			if ok || !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, %v; want false, %v", ok, err, tc.want)
			}
			if Kind(tc.stored).hashed() {
				if IsHash(tc.stored) {
					t.Error("IsHash = true")
				}
				return
			}
			if _, err := c.Reveal(tc.stored); !errors.Is(err, tc.want) {
				t.Errorf("Reveal error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		stored string
		want   Format
	}{
		{"", Unknown},
		{"$argon2id$v=19$...", Argon2id},
		{"$argon2i$v=19$...", Argon2i},
		{"$2a$10$...", BCrypt},
		{"$2b$10$...", BCrypt},
		{"$2y$10$...", BCrypt},
		{"$aes256gcm$v=1$...", AESGCM},
		{"$6$rounds=5000$x", Unknown},
		{"$argon2d$v=19$x", Unknown},
		{"$pbkdf2-sha256$x", Unknown},
		{"{SSHA}x", Unknown},
		{"{crypt}x", Unknown},
		{"plain-secret", Plain},
		{"$", Plain},
		{"$$", Plain},
		{"$no-closing-dollar", Plain},
		{"${not an id}$", Plain},
		{"{}", Plain},
		{"{a b}", Plain},
		{"Zm9vYmFy_-", Plain},
	}
	for _, tc := range tests {
		t.Run(tc.stored, func(t *testing.T) {
			if got := Kind(tc.stored); got != tc.want {
				t.Errorf("Kind(%q) = %s, want %s", tc.stored, got, tc.want)
			}
		})
	}
}

func TestIsHash(t *testing.T) {
	c := newTestCodec(t)
	ours, err := c.Hash("x")
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt("x")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"argon2id ours", ours, true},
		{"argon2id cli", readFixture(t, "argon2id-cli.txt").stored, true},
		{"argon2i cli", readFixture(t, "argon2i-cli.txt").stored, true},
		{"bcrypt htpasswd", readFixture(t, "bcrypt-htpasswd.txt").stored, true},
		{"encrypted", enc, false},
		{"plain", "hunter2", false},
		{"empty", "", false},
		{"bcrypt prefix only", "$2y$10$", false},
		{"argon2 absurd memory", strings.Replace(ours, "m=256", "m=4000000", 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsHash(tc.s); got != tc.want {
				t.Errorf("IsHash = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNeedsReencode(t *testing.T) {
	c := newTestCodec(t)
	hashed, err := c.Hash("x")
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt("x")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		stored string
		want   bool
	}{
		{"plain", "legacy-secret", true},
		{"argon2id", hashed, false},
		{"bcrypt", readFixture(t, "bcrypt-htpasswd.txt").stored, false},
		{"argon2i", readFixture(t, "argon2i-cli.txt").stored, false},
		{"encrypted under current key", enc, false},
		{"malformed encrypted", "$aes256gcm$v=1$kid=k1$@@", false},
		{"unknown scheme", "$6$x$y", false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.NeedsReencode(tc.stored); got != tc.want {
				t.Errorf("NeedsReencode = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPlainLegacy(t *testing.T) {
	c := newTestCodec(t)
	if got, err := c.Reveal("legacy"); err != nil || got != "legacy" {
		t.Errorf("Reveal = %q, %v", got, err)
	}
	if ok, err := c.Verify("legacy", "legacy"); !ok || err != nil {
		t.Errorf("Verify = %v, %v", ok, err)
	}
	if ok, err := c.Verify("legacy", "Legacy"); ok || err != nil {
		t.Errorf("Verify(wrong) = %v, %v", ok, err)
	}
}

func TestNew(t *testing.T) {
	key := testKey(t)
	tests := []struct {
		name    string
		params  Params
		key     []byte
		kid     string
		retired []Key
		ok      bool
	}{
		{name: "defaults", params: Params{MemoryKiB: 65536, Iterations: 1, Parallelism: 2}, key: key, kid: "secret-abc_DEF-1.2", ok: true},
		{name: "retired key", params: cheapParams, key: key, kid: "a", retired: []Key{{ID: "b", Secret: key}}, ok: true},
		{name: "short key", params: cheapParams, key: key[:16], kid: "a"},
		{name: "no key", params: cheapParams, kid: "a"},
		{name: "empty kid", params: cheapParams, key: key},
		{name: "kid with dollar", params: cheapParams, key: key, kid: "a$b"},
		{name: "kid too long", params: cheapParams, key: key, kid: strings.Repeat("a", maxKIDLen+1)},
		{name: "duplicate kid", params: cheapParams, key: key, kid: "a", retired: []Key{{ID: "a", Secret: key}}},
		{name: "bad retired key", params: cheapParams, key: key, kid: "a", retired: []Key{{ID: "b", Secret: key[:31]}}},
		{name: "zero params", key: key, kid: "a"},
		{name: "memory over 1 GiB", params: Params{MemoryKiB: 2 << 20, Iterations: 1, Parallelism: 1}, key: key, kid: "a"},
		{name: "memory below 8 per lane", params: Params{MemoryKiB: 64, Iterations: 1, Parallelism: 16}, key: key, kid: "a"},
		{name: "lanes over 64", params: Params{MemoryKiB: 65536, Iterations: 1, Parallelism: 65}, key: key, kid: "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.params, tc.key, tc.kid, tc.retired...)
			if (err == nil) != tc.ok {
				t.Errorf("New error = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestSecretLength(t *testing.T) {
	c := newTestCodec(t)
	for _, plain := range []string{"", strings.Repeat("a", maxSecretLen+1)} {
		if _, err := c.Hash(plain); !errors.Is(err, ErrSecretLength) {
			t.Errorf("Hash(len %d) error = %v", len(plain), err)
		}
		if _, err := c.Encrypt(plain); !errors.Is(err, ErrSecretLength) {
			t.Errorf("Encrypt(len %d) error = %v", len(plain), err)
		}
	}
	long := strings.Repeat("z", maxSecretLen)
	stored, err := c.Encrypt(long)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Reveal(stored); err != nil || got != long {
		t.Errorf("Reveal of a %d-byte secret failed: %v", maxSecretLen, err)
	}
}

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		s, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
		if err != nil || len(raw) != 32 || len(s) != 43 {
			t.Fatalf("Generate = %q: want 43 base64url characters for 32 bytes", s)
		}
		if Kind(s) != Plain || seen[s] {
			t.Fatalf("Generate = %q: kind %s, seen before %v", s, Kind(s), seen[s])
		}
		seen[s] = true
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{Unknown: "unknown", Plain: "plain", Argon2id: "argon2id", Argon2i: "argon2i", BCrypt: "bcrypt", AESGCM: "aes256gcm", Format(99): "invalid", Format(-1): "invalid"} {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", int(f), got, want)
		}
	}
}
