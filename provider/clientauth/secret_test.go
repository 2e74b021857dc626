package clientauth

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
)

func TestSecretsAndPublicClients(t *testing.T) {
	f := newFixture(t)
	unavailable := outcome{code: "temporarily_unavailable", status: http.StatusServiceUnavailable}
	badRequest := outcome{code: "invalid_request", status: http.StatusBadRequest}
	tests := []struct {
		name   string
		header http.Header
		form   url.Values
		want   outcome
	}{
		// client_secret_basic
		{name: "basic right", header: basicHeader("basic", basicSecret),
			want: ok(MethodSecretBasic, "basic")},
		{name: "basic presented again (secrets are not single use)", header: basicHeader("basic", basicSecret),
			want: ok(MethodSecretBasic, "basic")},
		{name: "basic wrong secret", header: basicHeader("basic", "nope"),
			want: refused(401, errWrongSecret)},
		{name: "basic empty secret", header: rawBasic("basic:"),
			want: refused(401, errWrongSecret)},
		{name: "basic form-urlencoded id and secret with : + space % & = é", header: basicHeader(specialID, specialSecret),
			want: ok(MethodSecretBasic, specialID)},
		{name: "basic hand-encoded a%3Ab style", header: rawBasic("a%3Ab+c%2F%C3%A9:p%3Aa%2Bss+w%25rd%26%3D%C3%A9"),
			want: ok(MethodSecretBasic, specialID)},
		{name: "basic raw + in the secret is a space", header: rawBasic("a%3Ab+c%2F%C3%A9:p%3Aa+ss+w%25rd%26%3D%C3%A9"),
			want: refused(401, errWrongSecret)},
		{name: "basic id and secret not encoded", header: rawBasic(specialID + ":" + specialSecret),
			want: refused(401, errMalformedHeader)},
		{name: "basic id with a raw colon splits early", header: rawBasic("x:basic:" + basicSecret),
			want: refused(401, errUnknownClient)},
		{name: "basic lower-case scheme, unpadded base64", header: http.Header{"Authorization": {
			"basic " + base64.RawStdEncoding.EncodeToString([]byte("basic:"+basicSecret))}},
			want: ok(MethodSecretBasic, "basic")},
		{name: "basic with matching client_id in the body", header: basicHeader("basic", basicSecret), form: form("client_id", "basic"),
			want: ok(MethodSecretBasic, "basic")},
		{name: "basic with another client_id in the body", header: basicHeader("basic", basicSecret), form: form("client_id", "post"),
			want: refused(401, errClientIDMismatch)},
		{name: "bearer scheme", header: http.Header{"Authorization": {"Bearer abc"}},
			want: refused(401, errMalformedHeader)},
		{name: "not base64", header: http.Header{"Authorization": {"Basic !!!"}},
			want: refused(401, errMalformedHeader)},
		{name: "no colon", header: rawBasic("basic"),
			want: refused(401, errMalformedHeader)},
		{name: "empty client id", header: rawBasic(":" + basicSecret),
			want: refused(401, errMalformedHeader)},
		{name: "bad percent escape", header: rawBasic("basic:%zz"),
			want: refused(401, errMalformedHeader)},
		{name: "two Authorization headers", header: http.Header{"Authorization": {
			basicHeader("basic", basicSecret).Get("Authorization"), basicHeader("basic", basicSecret).Get("Authorization")}},
			want: refused(401, errMalformedHeader)},
		{name: "basic unknown client", header: basicHeader("nobody", basicSecret),
			want: refused(401, errUnknownClient)},
		{name: "basic directory down", header: basicHeader("down", basicSecret),
			want: unavailable},
		{name: "basic expired secret", header: basicHeader("expired", basicSecret),
			want: refused(401, errSecretExpired)},

		// client_secret_post
		{name: "post right", form: form("client_id", "post", "client_secret", postSecret),
			want: ok(MethodSecretPost, "post")},
		{name: "post presented again", form: form("client_id", "post", "client_secret", postSecret),
			want: ok(MethodSecretPost, "post")},
		{name: "post wrong secret", form: form("client_id", "post", "client_secret", basicSecret),
			want: refused(401, errWrongSecret)},
		{name: "post without client_id", form: form("client_secret", postSecret),
			want: badRequest},
		{name: "post directory down", form: form("client_id", "down", "client_secret", postSecret),
			want: unavailable},

		// none
		{name: "none right", form: form("client_id", "public"),
			want: ok(MethodNone, "public")},
		{name: "none presented again", form: form("client_id", "public"),
			want: ok(MethodNone, "public")},
		{name: "none with an empty client_secret (absent, RFC 6749 3.1)", form: form("client_id", "public", "client_secret", ""),
			want: ok(MethodNone, "public")},
		{name: "none unknown client", form: form("client_id", "nobody"),
			want: refused(401, errUnknownClient)},
		{name: "none directory down", form: form("client_id", "down"),
			want: unavailable},
		{name: "nothing at all", form: form("grant_type", "client_credentials"),
			want: refused(401, errNoCredentials)},

		// the method must be the registered one
		{name: "basic client uses post", form: form("client_id", "basic", "client_secret", basicSecret),
			want: refused(401, errMethodMismatch)},
		{name: "post client uses basic", header: basicHeader("post", postSecret),
			want: refused(401, errMethodMismatch)},
		{name: "basic client leaves its secret out", form: form("client_id", "basic"),
			want: refused(401, errMethodMismatch)},
		{name: "public client sends a secret", form: form("client_id", "public", "client_secret", "x"),
			want: refused(401, errMethodMismatch)},
		{name: "public client uses basic", header: basicHeader("public", "x"),
			want: refused(401, errMethodMismatch)},
		{name: "secret_jwt client uses basic with its secret", header: basicHeader("hmac", hmacSecret),
			want: refused(401, errMethodMismatch)},

		// one method per request, one value per parameter
		{name: "basic and client_secret", header: basicHeader("basic", basicSecret),
			form: form("client_id", "basic", "client_secret", basicSecret), want: badRequest},
		{name: "basic and an assertion", header: basicHeader("basic", basicSecret),
			form: assertionForm("x.y.z"), want: badRequest},
		{name: "client_secret and an assertion", form: assertionForm("x.y.z", "client_id", "post", "client_secret", postSecret),
			want: badRequest},
		{name: "client_id twice", form: form("client_id", "public", "client_id", "public"),
			want: badRequest},
		{name: "client_secret twice", form: form("client_id", "post", "client_secret", postSecret, "client_secret", postSecret),
			want: badRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			header := tc.header
			if header == nil {
				header = http.Header{}
			}
			res, e := f.auth.Authenticate(context.Background(), header, tc.form)
			tc.want.check(t, res, e)
		})
	}
}

func TestSecretRollover(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name    string
		advance time.Duration
		secret  string
		want    outcome
	}{
		{name: "previous secret at rotation", secret: oldSecret, want: ok(MethodSecretBasic, "rolled")},
		{name: "new secret at rotation", secret: newSecret, want: ok(MethodSecretBasic, "rolled")},
		{name: "previous secret near the end of the window", advance: rolloverWindow - time.Second,
			secret: oldSecret, want: ok(MethodSecretBasic, "rolled")},
		{name: "previous secret after the window", advance: 2 * time.Second,
			secret: oldSecret, want: refused(401, errWrongSecret)},
		{name: "new secret after the window", secret: newSecret, want: ok(MethodSecretBasic, "rolled")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.clock.Advance(tc.advance)
			res, e := f.auth.Authenticate(context.Background(), basicHeader("rolled", tc.secret), nil)
			tc.want.check(t, res, e)
		})
	}
}

func TestMethodNotEnabled(t *testing.T) {
	keys := testKeys()
	only := func(methods ...string) func(*Options) {
		return func(o *Options) { o.Methods = methods }
	}
	tests := []struct {
		name    string
		methods []string
		header  http.Header
		form    func(f *fixture) url.Values
		want    outcome
	}{
		{name: "post while only basic is on", methods: []string{MethodSecretBasic},
			form: func(*fixture) url.Values { return form("client_id", "post", "client_secret", postSecret) },
			want: refused(401, errNotEnabled)},
		{name: "none while only basic is on", methods: []string{MethodSecretBasic},
			form: func(*fixture) url.Values { return form("client_id", "public") },
			want: refused(401, errNoCredentials)},
		{name: "private_key_jwt while only basic is on", methods: []string{MethodSecretBasic},
			form: func(f *fixture) url.Values {
				return assertionForm(sign(t, "RS256", keys.rsa, "rsa-1", claims("pk", f.clock.Now(), nil)))
			},
			want: refused(401, errNotEnabled)},
		{name: "basic while only private_key_jwt is on: 401 all the same", methods: []string{MethodPrivateKeyJWT},
			header: basicHeader("basic", basicSecret),
			want:   refused(401, errNotEnabled)},
		{name: "post while only private_key_jwt is on: 400 without Basic", methods: []string{MethodPrivateKeyJWT},
			form: func(*fixture) url.Values { return form("client_id", "post", "client_secret", postSecret) },
			want: refused(400, errNotEnabled)},
		{name: "client_secret_jwt client while only private_key_jwt is on", methods: []string{MethodPrivateKeyJWT},
			form: func(f *fixture) url.Values {
				return assertionForm(sign(t, "HS256", []byte(hmacSecret), "", claims("hmac", f.clock.Now(), nil)))
			},
			want: refused(400, errNotEnabled)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, only(tc.methods...))
			header := tc.header
			if header == nil {
				header = http.Header{}
			}
			var body url.Values
			if tc.form != nil {
				body = tc.form(f)
			}
			res, e := f.auth.Authenticate(context.Background(), header, body)
			tc.want.check(t, res, e)
		})
	}
}

// TestVerifierBusy: a secret check that finds every hashing slot taken
// until its context ends is temporarily_unavailable, not a refusal.
func TestVerifierBusy(t *testing.T) {
	var verifier *secrets.Verifier
	f := newFixture(t, func(o *Options) {
		verifier = secrets.NewVerifier(o.Codec, secrets.VerifierOptions{MaxConcurrent: 1, CacheSize: -1})
		o.Verifier = verifier
	})
	// A hash that keeps the only slot for a while: its cost travels in the
	// stored value, whatever codec checks it.
	slow, err := secrets.New(secrets.Params{MemoryKiB: 64 << 10, Iterations: 8, Parallelism: 1}, make([]byte, 32), "k1")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := slow.Hash("slow-secret")
	if err != nil {
		t.Fatal(err)
	}
	f.clients["slow"] = oauth.Client{ID: "slow", Secret: stored}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = f.auth.Authenticate(context.Background(), basicHeader("slow", "slow-secret"), nil)
	}()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		// A wrong secret for a cheap hash: refused when the slot is free,
		// temporarily_unavailable while the slow check holds it.
		_, e := f.auth.Authenticate(cancelled, basicHeader("basic", "wrong"), nil)
		if e != nil && e.Code == "temporarily_unavailable" {
			if e.Status != http.StatusServiceUnavailable {
				t.Errorf("status = %d", e.Status)
			}
			break
		}
		select {
		case <-done:
			t.Fatal("the slow check ended before a busy verifier was seen")
		case <-time.After(time.Millisecond):
		}
	}
	<-done
}
