package tokens

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// rollover is the setting of a secret rotation at testNow: the client's
// new secret is current, the old one accepted for rolloverWindow more.
const rolloverWindow = 30 * time.Minute

// hintFixture is a server whose client "web" had its secret rotated.
type hintFixture struct {
	set    *keyset.Set
	clock  *clock
	codec  *secrets.Codec
	before oauth.Client // the client until the rotation
	after  oauth.Client // the client since
	m      *Minter      // stores "after"
}

func newHintFixture(t *testing.T, alg string, mod func(*oauth.Metadata)) *hintFixture {
	t.Helper()
	set := generatedSet()
	codec, err := secrets.New(secrets.Params{MemoryKiB: 256, Iterations: 1, Parallelism: 1}, set.SecretKey(), set.SecretKeyID())
	if err != nil {
		t.Fatal(err)
	}
	encrypt := func(plain string) string {
		s, err := codec.Encrypt(plain)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	f := &hintFixture{set: set, clock: newClock(), codec: codec}
	f.before = client(func(md *oauth.Metadata) {
		md.IDTokenSignedResponseAlg = alg
		md.TokenEndpointAuthMethod = "client_secret_jwt"
		if mod != nil {
			mod(md)
		}
	})
	f.before.Secret = encrypt(previousSecret)
	f.after = f.before
	f.after.Secret = encrypt(currentSecret)
	f.after.PreviousSecret = f.before.Secret
	f.after.PreviousSecretExpiresAt = testNow.Add(rolloverWindow)
	f.m = f.minter(t)
	return f
}

// minter reads secrets through the codec, with the rollover window as
// the codec sees it at the fixture's clock.
func (f *hintFixture) minter(t *testing.T) *Minter {
	return newMinter(t, f.set, f.clock, func(o *Options) {
		o.Secrets = func(c oauth.Client) ([]string, error) { return f.codec.RecoverableSecrets(c, f.clock.Now()) }
	})
}

func (f *hintFixture) lookup(_ context.Context, id string) (oauth.Client, error) {
	if id != f.after.ID {
		return oauth.Client{}, storage.ErrNotFound
	}
	return f.after, nil
}

// issue mints an ID token for c at the given time.
func (f *hintFixture) issue(t *testing.T, c oauth.Client, at time.Time) string {
	t.Helper()
	f.clock.Set(at)
	defer f.clock.Set(testNow)
	in := sampleIDToken(c)
	token, err := f.m.IDToken(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestCheckIDTokenHintAccepts(t *testing.T) {
	tests := []struct {
		name     string
		alg      string
		meta     func(*oauth.Metadata)
		issuedBy func(f *hintFixture) oauth.Client
		issuedAt time.Duration // relative to testNow
		checkAt  time.Duration
		clientID string
	}{
		{name: "RS256", alg: "RS256"},
		{name: "ES256", alg: "ES256"},
		{name: "RS256 long expired", alg: "RS256", issuedAt: -30 * 24 * time.Hour},
		{name: "RS256 with matching client_id", alg: "RS256", clientID: "web"},
		{name: "HS256 with the current secret", alg: "HS256"},
		{name: "HS256 with the previous secret, inside the rollover window", alg: "HS256",
			issuedBy: func(f *hintFixture) oauth.Client { return f.before }, issuedAt: -time.Hour, checkAt: rolloverWindow - time.Minute},
		{name: "HS512", alg: "HS512"},
		{name: "dir-encrypted RS256", alg: "RS256", clientID: "web",
			meta: func(m *oauth.Metadata) { m.IDTokenEncryptedResponseAlg = "dir" }},
		{name: "A256KW-encrypted HS256 under the previous secret", alg: "HS256", clientID: "web",
			meta:     func(m *oauth.Metadata) { m.IDTokenEncryptedResponseAlg = "A256KW" },
			issuedBy: func(f *hintFixture) oauth.Client { return f.before }, checkAt: time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newHintFixture(t, tc.alg, tc.meta)
			issuer := f.after
			if tc.issuedBy != nil {
				issuer = tc.issuedBy(f)
			}
			hint := f.issue(t, issuer, testNow.Add(tc.issuedAt))
			f.clock.Set(testNow.Add(tc.checkAt))
			got, err := f.m.CheckIDTokenHint(context.Background(), hint, tc.clientID, f.lookup)
			if err != nil {
				t.Fatal(err)
			}
			want := HintClaims{Subject: "248289761001", ClientID: "web", SID: "08a5019c-17e1-4977-8f42-65a12843ea02"}
			if got.Subject != want.Subject || got.ClientID != want.ClientID || got.SID != want.SID || got.Client.ID != "web" {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestCheckIDTokenHintRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		alg      string
		meta     func(*oauth.Metadata)
		hint     func(t *testing.T, f *hintFixture) string
		checkAt  time.Duration
		clientID string
		wantErr  string
	}{
		{name: "HS256 with the previous secret after the rollover window", alg: "HS256",
			hint:    func(t *testing.T, f *hintFixture) string { return f.issue(t, f.before, testNow.Add(-time.Hour)) },
			checkAt: rolloverWindow + time.Second, wantErr: "does not verify with client \"web\"'s secrets"},
		{name: "HS256 under a secret the client never had", alg: "HS256",
			hint: func(t *testing.T, f *hintFixture) string {
				return signRaw(t, jose.HS256, []byte(strings.Repeat("x", 32)), "JWT", hintPayload())
			}, wantErr: "does not verify"},
		{name: "HS256 for a client that registered RS256", alg: "RS256",
			hint: func(t *testing.T, f *hintFixture) string {
				return signRaw(t, jose.HS256, []byte(currentSecret), "JWT", hintPayload())
			}, wantErr: `client "web" registered "RS256"`},
		{name: "RS256 by another key", alg: "RS256",
			hint: func(t *testing.T, f *hintFixture) string {
				return signRaw(t, jose.RS256, mustRSA(2048), "JWT", hintPayload())
			}, wantErr: "any of our keys"},
		{name: "another issuer", alg: "RS256",
			hint: func(t *testing.T, f *hintFixture) string {
				p := hintPayload()
				p["iss"] = "https://evil.example.com"
				return signOurs(t, f, p)
			}, wantErr: "invalid issuer"},
		{name: "issued in the future", alg: "RS256",
			hint:    func(t *testing.T, f *hintFixture) string { return f.issue(t, f.after, testNow.Add(time.Hour)) },
			wantErr: "issued in the future"},
		{name: "no iat", alg: "RS256",
			hint: func(t *testing.T, f *hintFixture) string {
				p := hintPayload()
				delete(p, "iat")
				return signOurs(t, f, p)
			}, wantErr: "iat or sub missing"},
		{name: "client_id of another client", alg: "RS256", clientID: "other",
			hint:    func(t *testing.T, f *hintFixture) string { return f.issue(t, f.after, testNow) },
			wantErr: `another client than client_id "other"`},
		{name: "unknown client", alg: "RS256",
			hint: func(t *testing.T, f *hintFixture) string {
				p := hintPayload()
				p["aud"], p["azp"] = "gone", "gone"
				return signOurs(t, f, p)
			}, wantErr: "not found"},
		{name: "several audiences, no azp", alg: "RS256",
			hint: func(t *testing.T, f *hintFixture) string {
				p := hintPayload()
				p["aud"] = []string{"web", "api"}
				delete(p, "azp")
				return signOurs(t, f, p)
			}, wantErr: "2 audiences and no azp"},
		{name: "an access token", alg: "RS256",
			hint: func(t *testing.T, f *hintFixture) string {
				token, _, err := f.m.AccessToken(context.Background(), AccessToken{ClientID: "web", Subject: "alice", Audience: []string{"web"}})
				if err != nil {
					t.Fatal(err)
				}
				return token
			}, wantErr: "an access token"},
		{name: "encrypted without client_id", alg: "RS256", meta: func(m *oauth.Metadata) { m.IDTokenEncryptedResponseAlg = "dir" },
			hint:    func(t *testing.T, f *hintFixture) string { return f.issue(t, f.after, testNow) },
			wantErr: "needs the client_id parameter"},
		{name: "encrypted with the previous secret after the window", alg: "RS256", clientID: "web",
			meta:    func(m *oauth.Metadata) { m.IDTokenEncryptedResponseAlg = "dir" },
			hint:    func(t *testing.T, f *hintFixture) string { return f.issue(t, f.before, testNow) },
			checkAt: rolloverWindow + time.Second, wantErr: "cannot be decrypted"},
		{name: "encrypted to a public key", alg: "RS256", clientID: "web",
			meta: func(m *oauth.Metadata) {
				m.IDTokenEncryptedResponseAlg = "RSA-OAEP-256"
				m.JWKS = clientEncKeys(t)
			},
			hint:    func(t *testing.T, f *hintFixture) string { return f.issue(t, f.after, testNow) },
			wantErr: "not a nested JWT encrypted with a client secret"},
		{name: "unsigned", alg: "RS256",
			hint:    func(t *testing.T, f *hintFixture) string { return unsigned(t, hintPayload()) },
			wantErr: "not a JWS"},
		{name: "garbage", alg: "RS256",
			hint: func(t *testing.T, f *hintFixture) string { return "a.b.c.d.e.f" }, wantErr: "compact form"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newHintFixture(t, tc.alg, tc.meta)
			hint := tc.hint(t, f)
			f.clock.Set(testNow.Add(tc.checkAt))
			got, err := f.m.CheckIDTokenHint(ctx, hint, tc.clientID, f.lookup)
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckIDTokenHint = %+v, %v; want ErrInvalidToken with %q", got, err, tc.wantErr)
			}
		})
	}
}

func TestCheckIDTokenHintLookupOutage(t *testing.T) {
	f := newHintFixture(t, "RS256", nil)
	hint := f.issue(t, f.after, testNow)
	outage := errors.New("directory down")
	_, err := f.m.CheckIDTokenHint(context.Background(), hint, "", func(context.Context, string) (oauth.Client, error) {
		return oauth.Client{}, outage
	})
	if !errors.Is(err, outage) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("error = %v: want the outage, not an invalid hint", err)
	}
}

// hintPayload is an ID token payload of ours for "web".
func hintPayload() map[string]any {
	return map[string]any{
		"iss": testIssuer, "sub": "248289761001", "aud": "web", "azp": "web",
		"iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix(),
	}
}

// signOurs signs a payload with our current RSA key.
func signOurs(t *testing.T, f *hintFixture, payload map[string]any) string {
	t.Helper()
	k, _ := f.set.SigningKey(jose.RS256)
	return signRaw(t, jose.RS256, k, "JWT", payload)
}
