package secrets

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestNeedOf(t *testing.T) {
	tests := []struct {
		name string
		m    oauth.Metadata
		want Need
	}{
		{name: "default method is basic", m: oauth.Metadata{}, want: Hashed},
		{name: "basic", m: oauth.Metadata{TokenEndpointAuthMethod: "client_secret_basic"}, want: Hashed},
		{name: "post", m: oauth.Metadata{TokenEndpointAuthMethod: "client_secret_post"}, want: Hashed},
		{name: "secret JWT", m: oauth.Metadata{TokenEndpointAuthMethod: "client_secret_jwt"}, want: Recoverable},
		{name: "none", m: oauth.Metadata{TokenEndpointAuthMethod: "none"}, want: NoSecret},
		{name: "private key JWT", m: oauth.Metadata{TokenEndpointAuthMethod: "private_key_jwt"}, want: NoSecret},
		{name: "mTLS", m: oauth.Metadata{TokenEndpointAuthMethod: "tls_client_auth"}, want: NoSecret},
		{name: "self-signed mTLS", m: oauth.Metadata{TokenEndpointAuthMethod: "self_signed_tls_client_auth"}, want: NoSecret},
		{name: "basic with HS256 ID tokens", m: oauth.Metadata{IDTokenSignedResponseAlg: "HS256"}, want: Recoverable},
		{name: "basic with HS384 UserInfo", m: oauth.Metadata{UserinfoSignedResponseAlg: "HS384"}, want: Recoverable},
		{name: "HS512 request objects", m: oauth.Metadata{RequestObjectSigningAlg: "HS512"}, want: Recoverable},
		{name: "HS256 JARM", m: oauth.Metadata{AuthorizationSignedResponseAlg: "HS256"}, want: Recoverable},
		{name: "private key JWT with HS ID tokens",
			m: oauth.Metadata{TokenEndpointAuthMethod: "private_key_jwt", IDTokenSignedResponseAlg: "HS256"}, want: Recoverable},
		{name: "dir ID token encryption", m: oauth.Metadata{IDTokenEncryptedResponseAlg: "dir"}, want: Recoverable},
		{name: "dir UserInfo encryption", m: oauth.Metadata{UserinfoEncryptedResponseAlg: "dir"}, want: Recoverable},
		{name: "dir request objects", m: oauth.Metadata{RequestObjectEncryptionAlg: "dir"}, want: Recoverable},
		{name: "dir JARM", m: oauth.Metadata{AuthorizationEncryptedResponseAlg: "dir"}, want: Recoverable},
		{name: "RS256 and RSA-OAEP", m: oauth.Metadata{IDTokenSignedResponseAlg: "RS256", IDTokenEncryptedResponseAlg: "RSA-OAEP"}, want: Hashed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NeedOf(tc.m); got != tc.want {
				t.Errorf("NeedOf = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGenerateForLength(t *testing.T) {
	tests := []struct {
		m        oauth.Metadata
		minChars int
	}{
		{m: oauth.Metadata{}, minChars: 43},
		{m: oauth.Metadata{TokenEndpointAuthMethod: "client_secret_jwt"}, minChars: 43},
		{m: oauth.Metadata{IDTokenSignedResponseAlg: "HS384"}, minChars: 48},
		{m: oauth.Metadata{TokenEndpointAuthMethod: "client_secret_jwt", TokenEndpointAuthSigningAlg: "HS512"}, minChars: 64},
	}
	for _, tc := range tests {
		s, err := GenerateFor(tc.m)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) < tc.minChars || len(s) < MinSecretLen(tc.m) {
			t.Errorf("%+v: secret of %d characters, want at least %d", tc.m, len(s), tc.minChars)
		}
	}
	a, _ := GenerateFor(oauth.Metadata{})
	b, _ := GenerateFor(oauth.Metadata{})
	if a == b {
		t.Error("two generated secrets are equal")
	}
}

func TestEncodeFor(t *testing.T) {
	c := newTestCodec(t)
	tests := []struct {
		m    oauth.Metadata
		want Format
	}{
		{m: oauth.Metadata{TokenEndpointAuthMethod: "client_secret_post"}, want: Argon2id},
		{m: oauth.Metadata{TokenEndpointAuthMethod: "client_secret_jwt"}, want: AESGCM},
	}
	for _, tc := range tests {
		stored, err := c.EncodeFor(tc.m, "s3cret-value")
		if err != nil {
			t.Fatal(err)
		}
		if Kind(stored) != tc.want {
			t.Errorf("%s: stored as %v, want %v", tc.m.TokenEndpointAuthMethod, Kind(stored), tc.want)
		}
	}
	if _, err := c.EncodeFor(oauth.Metadata{TokenEndpointAuthMethod: "none"}, "x"); !errors.Is(err, ErrNoSecretNeeded) {
		t.Errorf("none: err = %v", err)
	}
}

func TestCheckClientRollover(t *testing.T) {
	c := newTestCodec(t)
	v := NewVerifier(c, VerifierOptions{})
	ctx := context.Background()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	current, _ := c.Hash("new-secret")
	previous, _ := c.Hash("old-secret")
	client := oauth.Client{ID: "rp", Version: "v1", Secret: current,
		PreviousSecret: previous, PreviousSecretExpiresAt: now.Add(30 * time.Minute)}
	tests := []struct {
		name      string
		presented string
		at        time.Time
		edit      func(*oauth.Client)
		want      bool
	}{
		{name: "current", presented: "new-secret", at: now, want: true},
		{name: "previous inside the window", presented: "old-secret", at: now.Add(29 * time.Minute), want: true},
		{name: "previous at the end of the window", presented: "old-secret", at: now.Add(30 * time.Minute), want: false},
		{name: "previous after the window", presented: "old-secret", at: now.Add(31 * time.Minute), want: false},
		{name: "current after the window", presented: "new-secret", at: now.Add(24 * time.Hour), want: true},
		{name: "wrong", presented: "other", at: now, want: false},
		{name: "empty", presented: "", at: now, want: false},
		{name: "expired current", presented: "new-secret", at: now,
			edit: func(c *oauth.Client) { c.SecretExpiresAt = now.Add(-time.Second) }, want: false},
		{name: "previous when the current expired", presented: "old-secret", at: now,
			edit: func(c *oauth.Client) { c.SecretExpiresAt = now.Add(-time.Second) }, want: true},
		{name: "current not yet expired", presented: "new-secret", at: now,
			edit: func(c *oauth.Client) { c.SecretExpiresAt = now.Add(time.Second) }, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cl := client
			if tc.edit != nil {
				tc.edit(&cl)
			}
			got, err := v.CheckClient(ctx, cl, tc.presented, tc.at)
			if err != nil || got != tc.want {
				t.Errorf("CheckClient = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestCheckClientErrors(t *testing.T) {
	c := newTestCodec(t)
	v := NewVerifier(c, VerifierOptions{})
	now := time.Now()
	good, _ := c.Hash("good")
	broken := "$argon2id$v=19$m=broken"
	tests := []struct {
		name    string
		client  oauth.Client
		wantOK  bool
		wantErr bool
	}{
		{name: "match beats a malformed previous", client: oauth.Client{ID: "a", Secret: good,
			PreviousSecret: broken, PreviousSecretExpiresAt: now.Add(time.Hour)}, wantOK: true},
		{name: "match in the previous beats a malformed current", client: oauth.Client{ID: "b", Secret: broken,
			PreviousSecret: good, PreviousSecretExpiresAt: now.Add(time.Hour)}, wantOK: true},
		{name: "malformed and no match", client: oauth.Client{ID: "c", Secret: broken}, wantErr: true},
		{name: "no secret at all", client: oauth.Client{ID: "d"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := v.CheckClient(context.Background(), tc.client, "good", now)
			if ok != tc.wantOK || (err != nil) != tc.wantErr {
				t.Errorf("CheckClient = %v, %v", ok, err)
			}
			if tc.wantErr && !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

// A cached success counts for the version it was made with only.
func TestCheckClientCacheFollowsVersion(t *testing.T) {
	v, slow := countingVerifier(t, VerifierOptions{})
	stored := mustHash(t, v, "secret")
	now := time.Now()
	cl := oauth.Client{ID: "rp", Version: "1", Secret: stored}
	for range 3 {
		if ok, err := v.CheckClient(context.Background(), cl, "secret", now); !ok || err != nil {
			t.Fatalf("CheckClient = %v, %v", ok, err)
		}
	}
	if n := slow.Load(); n != 1 {
		t.Errorf("%d slow checks for one secret, want 1", n)
	}
	cl.Version = "2"
	if ok, _ := v.CheckClient(context.Background(), cl, "secret", now); !ok {
		t.Fatal("refused after the version changed")
	}
	if n := slow.Load(); n != 2 {
		t.Errorf("%d slow checks after a version change, want 2", n)
	}
}

func TestRecoverableSecrets(t *testing.T) {
	c := newTestCodec(t)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	enc := func(s string) string { v, _ := c.Encrypt(s); return v }
	hashed, _ := c.Hash("hashed")
	tests := []struct {
		name   string
		client oauth.Client
		at     time.Time
		want   []string
	}{
		{name: "current and previous", at: now, want: []string{"cur", "prev"},
			client: oauth.Client{Secret: enc("cur"), PreviousSecret: enc("prev"), PreviousSecretExpiresAt: now.Add(time.Minute)}},
		{name: "previous expired", at: now.Add(time.Minute), want: []string{"cur"},
			client: oauth.Client{Secret: enc("cur"), PreviousSecret: enc("prev"), PreviousSecretExpiresAt: now.Add(time.Minute)}},
		{name: "hashed previous skipped", at: now, want: []string{"cur"},
			client: oauth.Client{Secret: enc("cur"), PreviousSecret: hashed, PreviousSecretExpiresAt: now.Add(time.Minute)}},
		{name: "legacy plain", at: now, want: []string{"plain-legacy"},
			client: oauth.Client{Secret: "plain-legacy"}},
		{name: "none", at: now, want: nil, client: oauth.Client{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.RecoverableSecrets(tc.client, tc.at)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("RecoverableSecrets = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := c.RecoverableSecrets(oauth.Client{Secret: "$aes256gcm$v=1$kid=other$AAAA"}, now); err == nil {
		t.Error("a value under an unknown key gave no error")
	}
}

func TestReencode(t *testing.T) {
	c := newTestCodec(t)
	basic := oauth.Metadata{TokenEndpointAuthMethod: "client_secret_basic"}
	jwt := oauth.Metadata{TokenEndpointAuthMethod: "client_secret_jwt"}
	hashed, _ := c.Hash("x")
	encrypted, _ := c.Encrypt("x")
	tests := []struct {
		name   string
		m      oauth.Metadata
		stored string
		want   Format
		same   bool
	}{
		{name: "plain for basic is hashed", m: basic, stored: "x", want: Argon2id},
		{name: "plain for JWT is encrypted", m: jwt, stored: "x", want: AESGCM},
		{name: "hash stays", m: jwt, stored: hashed, want: Argon2id, same: true},
		{name: "encrypted for JWT stays", m: jwt, stored: encrypted, want: AESGCM, same: true},
		{name: "encrypted for basic is hashed", m: basic, stored: encrypted, want: Argon2id},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Reencode(tc.m, tc.stored)
			if err != nil {
				t.Fatal(err)
			}
			if Kind(got) != tc.want || (got == tc.stored) != tc.same {
				t.Errorf("Reencode = %v (same %v), want %v (same %v)", Kind(got), got == tc.stored, tc.want, tc.same)
			}
			if ok, _ := c.Verify(got, "x"); !ok {
				t.Error("the re-encoded value does not verify")
			}
		})
	}
}
