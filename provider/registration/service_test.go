package registration

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/secrets/secrettest"
)

const redirect = `"redirect_uris":["https://rp.example.com/cb"]`

func TestCreateChoosesTheSecretCodec(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		want     secrets.Format // Unknown: no secret
		minPlain int
	}{
		{name: "basic", body: `{` + redirect + `}`, want: secrets.Argon2id, minPlain: 43},
		{name: "post", body: `{` + redirect + `,"token_endpoint_auth_method":"client_secret_post"}`, want: secrets.Argon2id, minPlain: 43},
		{name: "secret JWT", body: `{` + redirect + `,"token_endpoint_auth_method":"client_secret_jwt"}`, want: secrets.AESGCM, minPlain: 43},
		{name: "secret JWT with HS512", body: `{` + redirect + `,"token_endpoint_auth_method":"client_secret_jwt",` +
			`"token_endpoint_auth_signing_alg":"HS512"}`, want: secrets.AESGCM, minPlain: 64},
		{name: "HS256 ID tokens", body: `{` + redirect + `,"id_token_signed_response_alg":"HS256"}`, want: secrets.AESGCM, minPlain: 43},
		{name: "HS256 JARM", body: `{` + redirect + `,"authorization_signed_response_alg":"HS256"}`, want: secrets.AESGCM, minPlain: 43},
		{name: "dir UserInfo", body: `{` + redirect + `,"userinfo_encrypted_response_alg":"dir"}`, want: secrets.AESGCM, minPlain: 43},
		{name: "dir request objects", body: `{` + redirect + `,"request_object_encryption_alg":"dir"}`, want: secrets.AESGCM, minPlain: 43},
		{name: "public", body: `{` + redirect + `,"token_endpoint_auth_method":"none"}`},
		{name: "private key JWT", body: `{` + redirect + `,"token_endpoint_auth_method":"private_key_jwt","jwks":` + publicJWKS + `}`},
		{name: "mTLS", body: `{` + redirect + `,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"rp.example.com"}`},
		{name: "self-signed mTLS", body: `{` + redirect + `,"token_endpoint_auth_method":"self_signed_tls_client_auth",` +
			`"jwks_uri":"https://rp.example.com/jwks"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			info := e.register(t, tc.body)
			c := e.get(t, info.Client.ID)
			if tc.want == secrets.Unknown {
				if c.Secret != "" || info.Secret != "" {
					t.Fatalf("a client without a secret got one: stored %q, shown %q", c.Secret, info.Secret)
				}
				return
			}
			if secrets.Kind(c.Secret) != tc.want {
				t.Errorf("stored as %v, want %v", secrets.Kind(c.Secret), tc.want)
			}
			if c.Secret == info.Secret || strings.Contains(c.Secret, info.Secret) {
				t.Error("the stored value holds the plain secret")
			}
			if len(info.Secret) < tc.minPlain {
				t.Errorf("secret of %d characters, want at least %d", len(info.Secret), tc.minPlain)
			}
			if !e.accepts(t, c.ID, info.Secret) || e.accepts(t, c.ID, info.Secret+"x") {
				t.Error("the issued secret is not what the stored value checks")
			}
			if info.RegistrationToken == "" || c.RegistrationTokenHash != hashToken(info.RegistrationToken) {
				t.Error("the registration token is not stored as its hash")
			}
			if c.IDIssuedAt != e.clock.Now() || info.RegistrationURI != testEndpoint+"/"+c.ID {
				t.Errorf("issued at %v, URI %q", c.IDIssuedAt, info.RegistrationURI)
			}
		})
	}
}

func TestPreferredSecret(t *testing.T) {
	bcryptPlain, bcryptHash := secrettest.Fixture(t, "bcrypt-htpasswd.txt")
	argonPlain, argonHash := secrettest.Fixture(t, "argon2id-cli.txt")
	argoniPlain, argoniHash := secrettest.Fixture(t, "argon2i-cli.txt")
	const jwt = `,"token_endpoint_auth_method":"client_secret_jwt"`
	tests := []struct {
		name       string
		extra      string // members after redirect_uris
		preferred  string
		plain      string // what must verify afterwards
		keptAsIs   bool
		wantMember string // when refused
	}{
		{name: "BCrypt from htpasswd", preferred: bcryptHash, plain: bcryptPlain, keptAsIs: true},
		{name: "Argon2id PHC", preferred: argonHash, plain: argonPlain, keptAsIs: true},
		{name: "Argon2i PHC", preferred: argoniHash, plain: argoniPlain, keptAsIs: true},
		{name: "plain for basic is hashed", preferred: "a-preferred-secret", plain: "a-preferred-secret"},
		{name: "plain for secret JWT is encrypted", extra: jwt, preferred: strings.Repeat("k", 32), plain: strings.Repeat("k", 32)},
		{name: "hash for secret JWT", extra: jwt, preferred: bcryptHash, wantMember: "preferred_client_secret"},
		{name: "hash for HS256 ID tokens", extra: `,"id_token_signed_response_alg":"HS256"`, preferred: argonHash,
			wantMember: "preferred_client_secret"},
		{name: "hash for dir", extra: `,"id_token_encrypted_response_alg":"dir"`, preferred: argonHash,
			wantMember: "preferred_client_secret"},
		{name: "short secret for HS512", extra: jwt + `,"token_endpoint_auth_signing_alg":"HS512"`,
			preferred: strings.Repeat("k", 63), wantMember: "preferred_client_secret"},
		{name: "broken BCrypt", preferred: "$2y$10$tooshort", wantMember: "preferred_client_secret"},
		{name: "BCrypt over the cost bound", preferred: "$2y$31$" + strings.Repeat("a", 53), wantMember: "preferred_client_secret"},
		{name: "unsupported scheme", preferred: "{SSHA}c2VjcmV0", wantMember: "preferred_client_secret"},
		{name: "crypt SHA-512", preferred: "$6$salt$hash", wantMember: "preferred_client_secret"},
		{name: "secret for a public client", extra: `,"token_endpoint_auth_method":"none"`, preferred: "x",
			wantMember: "preferred_client_secret"},
		{name: "too long", preferred: strings.Repeat("x", 4097), wantMember: "preferred_client_secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			req := parse(t, `{`+redirect+tc.extra+`}`)
			req.PreferredClientSecret = tc.preferred
			info, err := e.svc.Create(context.Background(), req, Master)
			if tc.wantMember != "" {
				var oe *oauth.Error
				if !errors.As(err, &oe) || oe.Code != "invalid_client_metadata" || !strings.HasPrefix(oe.Description, tc.wantMember) {
					t.Fatalf("err = %v, want invalid_client_metadata on %s", err, tc.wantMember)
				}
				if e.store.Len() != 0 {
					t.Error("a refused registration was stored")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := e.get(t, info.Client.ID)
			if tc.keptAsIs != (c.Secret == tc.preferred) {
				t.Errorf("stored %q for preferred %q", c.Secret, tc.preferred)
			}
			if tc.keptAsIs && info.Secret != "" {
				t.Errorf("a hash import shows client_secret %q", info.Secret)
			}
			if !e.accepts(t, c.ID, tc.plain) || e.accepts(t, c.ID, tc.plain+"!") {
				t.Error("the preferred secret does not verify")
			}
		})
	}
}

func TestMasterOnlyMembers(t *testing.T) {
	for _, member := range []string{`"preferred_client_id":"mine"`, `"preferred_client_secret":"mine"`, `"data":{"a":1}`} {
		for _, who := range []Access{Open, Self} {
			t.Run(member+" by "+who.String(), func(t *testing.T) {
				e := newEnv(t, func(c *Config) { c.AllowOpenRegistration = true })
				body := `{` + redirect + `,` + member + `}`
				var err error
				if who == Open {
					_, err = e.svc.Create(context.Background(), parse(t, body), who)
				} else {
					id := e.register(t, `{`+redirect+`}`).Client.ID
					_, err = e.svc.Replace(context.Background(), id, parse(t, body), who)
				}
				var oe *oauth.Error
				if !errors.As(err, &oe) || oe.Code != "invalid_client_metadata" || !strings.Contains(oe.Description, "master token") {
					t.Errorf("err = %v", err)
				}
			})
		}
	}
}

func TestMasterKeepsData(t *testing.T) {
	e := newEnv(t)
	info := e.register(t, `{`+redirect+`,"preferred_client_id":"rp-1","data":{"tenant":"blue"},"x-custom":1}`)
	if info.Client.ID != "rp-1" || string(info.Client.Metadata.Extra["data"]) != `{"tenant":"blue"}` ||
		string(info.Client.Metadata.Extra["x-custom"]) != "1" {
		t.Fatalf("created %+v", info.Client.Metadata.Extra)
	}
	// A client's own update cannot send data, and does not lose it.
	if _, err := e.svc.Replace(context.Background(), "rp-1", parse(t, `{`+redirect+`}`), Self); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "rp-1").Metadata.Extra; string(got["data"]) != `{"tenant":"blue"}` || got["x-custom"] != nil {
		t.Errorf("after the client's update: %q", got)
	}
}

func TestReplaceSecretRule(t *testing.T) {
	const jwt = `,"token_endpoint_auth_method":"client_secret_jwt"`
	tests := []struct {
		name string
		// before is the registration, after the update request.
		before, after string
		// clientSecret is sent as client_secret: "current" for the issued one.
		clientSecret *string
		preferred    string
		who          Access
		wantNew      bool   // a new secret is shown and works
		wantOld      bool   // the old one still works (in the window)
		wantFormat   string // the stored format afterwards
	}{
		{name: "no secret in the request keeps it", before: ``, after: ``, who: Self,
			wantOld: true, wantFormat: "argon2id"},
		{name: "the current client_secret keeps it", before: ``, after: ``, clientSecret: ptr("current"), who: Self,
			wantOld: true, wantFormat: "argon2id"},
		{name: "another client_secret rotates", before: ``, after: ``, clientSecret: ptr("please-rotate"), who: Self,
			wantNew: true, wantOld: true, wantFormat: "argon2id"},
		{name: "an empty client_secret rotates", before: ``, after: ``, clientSecret: ptr(""), who: Self,
			wantNew: true, wantOld: true, wantFormat: "argon2id"},
		{name: "preferred_client_secret sets it", before: ``, after: ``, preferred: "the-new-secret", who: Master,
			wantNew: true, wantOld: true, wantFormat: "argon2id"},
		{name: "preferred_client_secret equal to the current keeps it", before: ``, after: ``, preferred: "current", who: Master,
			wantOld: true, wantFormat: "argon2id"},
		{name: "a recoverable secret is kept encrypted", before: jwt, after: jwt, who: Self,
			wantOld: true, wantFormat: "aes256gcm"},
		{name: "a hash cannot become recoverable", before: ``, after: jwt, who: Self,
			wantNew: true, wantOld: true, wantFormat: "aes256gcm"},
		{name: "a recoverable secret no longer needed is hashed", before: jwt, after: ``, who: Self,
			wantOld: true, wantFormat: "argon2id"},
		{name: "no secret for a public client", before: ``, after: `,"token_endpoint_auth_method":"none"`, who: Self,
			wantFormat: "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			first := e.register(t, `{`+redirect+tc.before+`}`)
			id, old := first.Client.ID, first.Secret
			req := parse(t, `{`+redirect+tc.after+`}`)
			if tc.clientSecret != nil {
				s := *tc.clientSecret
				if s == "current" {
					s = old
				}
				req.ClientSecret = &s
			}
			req.PreferredClientSecret = strings.ReplaceAll(tc.preferred, "current", old)
			e.clock.Advance(time.Hour)
			info, err := e.svc.Replace(context.Background(), id, req, tc.who)
			if err != nil {
				t.Fatal(err)
			}
			if got := secrets.Kind(e.get(t, id).Secret).String(); got != tc.wantFormat {
				t.Errorf("stored format %s, want %s", got, tc.wantFormat)
			}
			if (info.Secret != "") != tc.wantNew {
				t.Fatalf("new secret shown: %q, want one: %v", info.Secret, tc.wantNew)
			}
			if tc.wantNew && (!e.accepts(t, id, info.Secret) || info.Secret == old) {
				t.Error("the new secret does not work")
			}
			if got := e.accepts(t, id, old); got != tc.wantOld {
				t.Errorf("old secret accepted: %v, want %v", got, tc.wantOld)
			}
			if !tc.wantNew || !tc.wantOld {
				return
			}
			c := e.get(t, id)
			if want := e.clock.Now().Add(30 * time.Minute); !c.PreviousSecretExpiresAt.Equal(want) {
				t.Errorf("previous secret expires at %v, want %v", c.PreviousSecretExpiresAt, want)
			}
			e.clock.Advance(29*time.Minute + 59*time.Second)
			if !e.accepts(t, id, old) {
				t.Error("old secret refused inside the window")
			}
			e.clock.Advance(time.Second)
			if e.accepts(t, id, old) || !e.accepts(t, id, info.Secret) {
				t.Error("old secret still accepted after the window, or the new one refused")
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestRolloverOff(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SecretRolloverWindow = 0 })
	first := e.register(t, `{`+redirect+`}`)
	req := parse(t, `{`+redirect+`,"client_secret":"rotate"}`)
	info, err := e.svc.Replace(context.Background(), first.Client.ID, req, Self)
	if err != nil {
		t.Fatal(err)
	}
	if e.accepts(t, first.Client.ID, first.Secret) || !e.accepts(t, first.Client.ID, info.Secret) {
		t.Error("without a window the old secret must stop at once")
	}
}

// HS* keys of a client in rollover: the new secret first, then the old.
func TestRecoverableSecretsAfterRotation(t *testing.T) {
	e := newEnv(t)
	body := `{` + redirect + `,"id_token_signed_response_alg":"HS256"}`
	first := e.register(t, body)
	info, err := e.svc.Replace(context.Background(), first.Client.ID, parse(t, `{`+redirect+`,"id_token_signed_response_alg":"HS256","client_secret":"new"}`), Self)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.codec.RecoverableSecrets(e.get(t, first.Client.ID), e.clock.Now())
	if err != nil || !slices.Equal(got, []string{info.Secret, first.Secret}) {
		t.Errorf("RecoverableSecrets = %q, %v", got, err)
	}
}

// An entry written by another server: a plain secret and a plain
// registration token. Both keep working, and an update stores them hashed.
func TestLegacyEntryMigrates(t *testing.T) {
	e := newEnv(t)
	e.store.Put(oauth.Client{ID: "legacy", Secret: "legacy-secret", LegacyRegistrationToken: "legacy-token",
		Metadata: oauth.Metadata{RedirectURIs: []string{"https://rp.example.com/cb"}}})
	if !e.accepts(t, "legacy", "legacy-secret") {
		t.Fatal("the plain secret is not accepted")
	}
	ctx := context.Background()
	if who, err := e.svc.AuthorizeEntry(ctx, "legacy-token", "legacy"); err != nil || who != Self {
		t.Fatalf("legacy token: %v, %v", who, err)
	}
	if _, err := e.svc.Replace(ctx, "legacy", parse(t, `{`+redirect+`,"client_name":"Old"}`), Self); err != nil {
		t.Fatal(err)
	}
	c := e.get(t, "legacy")
	if secrets.Kind(c.Secret) != secrets.Argon2id || c.LegacyRegistrationToken != "" || c.RegistrationTokenHash != hashToken("legacy-token") {
		t.Errorf("after the update: secret %v, legacy token %q, hash %q", secrets.Kind(c.Secret), c.LegacyRegistrationToken, c.RegistrationTokenHash)
	}
	if !e.accepts(t, "legacy", "legacy-secret") {
		t.Error("the re-encoded secret is not accepted")
	}
	if who, err := e.svc.AuthorizeEntry(ctx, "legacy-token", "legacy"); err != nil || who != Self {
		t.Errorf("legacy token after the update: %v, %v", who, err)
	}
}

func TestSelfCannotAddGrants(t *testing.T) {
	tests := []struct {
		name  string
		open  bool
		after string
		ok    bool
	}{
		{name: "keep", after: `"grant_types":["authorization_code"]`, ok: true},
		{name: "add client credentials", after: `"grant_types":["authorization_code","client_credentials"]`},
		{name: "add refresh without open registration", after: `"grant_types":["authorization_code","refresh_token"]`},
		{name: "add refresh with open registration", open: true, after: `"grant_types":["authorization_code","refresh_token"]`, ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.AllowOpenRegistration = tc.open })
			id := e.register(t, `{`+redirect+`}`).Client.ID
			_, err := e.svc.Replace(context.Background(), id, parse(t, `{`+redirect+`,`+tc.after+`}`), Self)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v", err)
			}
			if _, err := e.svc.Replace(context.Background(), id, parse(t, `{`+redirect+`,`+tc.after+`}`), Master); err != nil {
				t.Errorf("the master may: %v", err)
			}
		})
	}
}

func TestImport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bcryptPlain, bcryptHash := secrettest.Fixture(t, "bcrypt-htpasswd.txt")
	out, info, err := e.svc.Import(ctx, parse(t, `{`+redirect+`,"client_id":"imported","preferred_client_secret":"`+bcryptHash+`"}`))
	if err != nil || out != Created || info.Client.ID != "imported" {
		t.Fatalf("first import: %v %v %v", out, info.Client.ID, err)
	}
	if !e.accepts(t, "imported", bcryptPlain) {
		t.Fatal("the imported BCrypt secret does not verify")
	}
	// Again, with a new name and the same secret: updated, secret unchanged.
	out, _, err = e.svc.Import(ctx, parse(t, `{`+redirect+`,"client_id":"imported","client_name":"Renamed","preferred_client_secret":"`+bcryptHash+`"}`))
	c := e.get(t, "imported")
	if err != nil || out != Updated || c.Metadata.ClientName.Get("") != "Renamed" || c.Secret != bcryptHash || c.PreviousSecret != "" {
		t.Fatalf("second import: %v %v, stored %+v", out, err, c)
	}
	// An export from another server carries client_secret: it is kept.
	out, _, err = e.svc.Import(ctx, parse(t, `{`+redirect+`,"client_id":"exported","client_secret":"from-elsewhere"}`))
	if err != nil || out != Created || !e.accepts(t, "exported", "from-elsewhere") {
		t.Fatalf("import with client_secret: %v %v", out, err)
	}
	// Without an ID: a new client.
	out, info, err = e.svc.Import(ctx, parse(t, `{`+redirect+`}`))
	if err != nil || out != Created || info.Client.ID == "" || info.Secret == "" {
		t.Fatalf("import without ID: %v %v", out, err)
	}
	if _, _, err := e.svc.Import(ctx, parse(t, `{`+redirect+`,"client_id":"a","preferred_client_id":"b"}`)); err == nil {
		t.Error("differing client_id and preferred_client_id accepted")
	}
	if _, _, err := e.svc.Import(ctx, parse(t, `{"redirect_uris":["http://rp.example.com/"],"client_id":"bad"}`)); err == nil {
		t.Error("invalid metadata imported")
	}
}

func TestPreferredClientID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{id: "demo-rp", ok: true},
		{id: "urn:example:rp@1+2", ok: true},
		{id: "with space"},
		{id: "with/slash"},
		{id: ".."},
		{id: "müller"},
		{id: strings.Repeat("a", 256)},
	}
	for _, tc := range tests {
		e := newEnv(t)
		req := parse(t, `{`+redirect+`}`)
		req.PreferredClientID = tc.id
		_, err := e.svc.Create(context.Background(), req, Master)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v", tc.id, err)
		}
	}
}

func TestStoreErrorsMapped(t *testing.T) {
	e := newEnv(t)
	id := e.register(t, `{`+redirect+`}`).Client.ID
	ctx := context.Background()
	e.store.SetDown(true)
	checks := map[string]error{}
	_, checks["create"] = e.svc.Create(ctx, parse(t, `{`+redirect+`}`), Master)
	_, checks["get"] = e.svc.Get(ctx, id)
	_, checks["replace"] = e.svc.Replace(ctx, id, parse(t, `{`+redirect+`}`), Master)
	checks["delete"] = e.svc.Delete(ctx, id)
	_, checks["authorize"] = e.svc.AuthorizeEntry(ctx, "some-token", id)
	for _, err := range e.svc.List(ctx) {
		checks["list"] = err
	}
	for op, err := range checks {
		var oe *oauth.Error
		if !errors.As(err, &oe) || oe.Code != "temporarily_unavailable" || oe.Status != 503 {
			t.Errorf("%s: err = %v", op, err)
		}
	}
}
