package clientauth

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestAssertions(t *testing.T) {
	f := newFixture(t)
	keys := testKeys()
	now := f.clock.Now()
	mins := func(n int) int64 { return now.Add(time.Duration(n) * time.Minute).Unix() }
	hs := func(id, secret string, change map[string]any, kv ...string) func() url.Values {
		return func() url.Values {
			return assertionForm(sign(t, "HS256", []byte(secret), "", claims(id, now, change)), kv...)
		}
	}
	signed := func(alg jose.SignatureAlgorithm, key any, kid, id string, change map[string]any) func() url.Values {
		return func() url.Values { return assertionForm(sign(t, alg, key, kid, claims(id, now, change))) }
	}
	rs := func(id string, change map[string]any) func() url.Values {
		return signed("RS256", keys.rsa, "rsa-1", id, change)
	}
	badRequest := outcome{code: "invalid_request", status: http.StatusBadRequest}
	tests := []struct {
		name   string
		form   func() url.Values
		replay bool // the form succeeds once, and want is the second answer
		want   outcome
	}{
		// client_secret_jwt
		{name: "hmac right", form: hs("hmac", hmacSecret, nil), want: ok(MethodSecretJWT, "hmac")},
		{name: "hmac replayed", form: hs("hmac", hmacSecret, nil), replay: true, want: refused(401, errReplayed)},
		{name: "hmac wrong secret", form: hs("hmac", "another-secret-0123456789-0123456789-01234", nil),
			want: refused(401, errBadSignature)},
		{name: "hmac previous secret inside the rollover window", form: hs("hmac", hmacOldSecret, nil),
			want: ok(MethodSecretJWT, "hmac")},
		{name: "hmac aud issuer", form: hs("hmac", hmacSecret, map[string]any{"aud": issuer}),
			want: ok(MethodSecretJWT, "hmac")},
		{name: "hmac aud array with the token endpoint", form: hs("hmac", hmacSecret, map[string]any{"aud": []string{"https://other", tokenEndpoint}}),
			want: ok(MethodSecretJWT, "hmac")},
		{name: "hmac aud an extra audience", form: hs("hmac", hmacSecret, map[string]any{"aud": introspection}),
			want: ok(MethodSecretJWT, "hmac")},
		{name: "hmac matching client_id parameter", form: hs("hmac", hmacSecret, nil, "client_id", "hmac"),
			want: ok(MethodSecretJWT, "hmac")},
		{name: "hmac other client_id parameter", form: hs("hmac", hmacSecret, nil, "client_id", "pk"),
			want: refused(401, errClientIDMismatch)},
		{name: "hmac HS384 without registering it", form: signed("HS384", []byte(hmacSecret+"-0123"), "", "hmac", nil),
			want: refused(401, errAlgNotAccepted)},
		{name: "hmac512 registered HS512", form: signed("HS512", []byte(hmac512Secret), "", "hmac512", nil),
			want: ok(MethodSecretJWT, "hmac512")},
		{name: "hmac512 signs HS256", form: hs("hmac512", hmac512Secret, nil),
			want: refused(401, errAlgNotAccepted)},
		{name: "hmac client signs RS256", form: rs("hmac", nil), want: refused(401, errAlgNotAccepted)},
		{name: "hmac alg none", form: func() url.Values { return assertionForm(unsigned(t, claims("hmac", now, nil))) },
			want: refused(401, errAlgNotAccepted)},

		// claims, checked on client_secret_jwt
		{name: "iss is not sub", form: hs("hmac", hmacSecret, map[string]any{"iss": "pk"}), want: refused(401, errIssuerSubject)},
		{name: "no iss", form: hs("hmac", hmacSecret, map[string]any{"iss": nil}), want: refused(401, errIssuerSubject)},
		{name: "wrong aud", form: hs("hmac", hmacSecret, map[string]any{"aud": "https://elsewhere.example/token"}),
			want: refused(401, errAudience)},
		{name: "no aud", form: hs("hmac", hmacSecret, map[string]any{"aud": nil}), want: refused(401, errAudience)},
		{name: "no exp", form: hs("hmac", hmacSecret, map[string]any{"exp": nil}), want: refused(401, errNoExpiry)},
		{name: "expired", form: hs("hmac", hmacSecret, map[string]any{"exp": now.Add(-time.Second).Unix()}),
			want: refused(401, errExpired)},
		{name: "exp is now", form: hs("hmac", hmacSecret, map[string]any{"exp": now.Unix()}), want: refused(401, errExpired)},
		{name: "lifetime at the limit", form: hs("hmac", hmacSecret, map[string]any{"exp": mins(5)}),
			want: ok(MethodSecretJWT, "hmac")},
		{name: "too long-lived", form: hs("hmac", hmacSecret, map[string]any{"exp": mins(10)}), want: refused(401, errTooLong)},
		{name: "too long-lived since iat", form: hs("hmac", hmacSecret, map[string]any{"iat": mins(-10), "exp": mins(1)}),
			want: refused(401, errTooLong)},
		{name: "nbf in the future", form: hs("hmac", hmacSecret, map[string]any{"nbf": mins(2), "exp": mins(3)}),
			want: refused(401, errNotYetValid)},
		{name: "nbf within the leeway", form: hs("hmac", hmacSecret, map[string]any{"nbf": now.Add(20 * time.Second).Unix()}),
			want: ok(MethodSecretJWT, "hmac")},
		{name: "iat in the future", form: hs("hmac", hmacSecret, map[string]any{"iat": mins(2), "exp": mins(3)}),
			want: refused(401, errNotYetValid)},
		{name: "no jti", form: hs("hmac", hmacSecret, map[string]any{"jti": nil}), want: refused(401, errNoJTI)},
		{name: "empty jti", form: hs("hmac", hmacSecret, map[string]any{"jti": ""}), want: refused(401, errNoJTI)},

		// private_key_jwt with inline jwks
		{name: "pk RS256", form: rs("pk", nil), want: ok(MethodPrivateKeyJWT, "pk")},
		{name: "pk replayed", form: rs("pk", nil), replay: true, want: refused(401, errReplayed)},
		{name: "pk same jti as another client's", form: rs("pk", map[string]any{"jti": "shared"}),
			want: ok(MethodPrivateKeyJWT, "pk")},
		{name: "hmac same jti as another client's", form: hs("hmac", hmacSecret, map[string]any{"jti": "shared"}),
			want: ok(MethodSecretJWT, "hmac")},
		{name: "pk ES256", form: signed("ES256", keys.ec, "ec-1", "pk", nil), want: ok(MethodPrivateKeyJWT, "pk")},
		{name: "pk PS256 without kid", form: signed("PS256", keys.rsa, "", "pk", nil), want: ok(MethodPrivateKeyJWT, "pk")},
		{name: "pk wrong key", form: signed("RS256", keys.other, "rsa-1", "pk", nil), want: refused(401, errBadSignature)},
		{name: "pk unknown kid", form: signed("RS256", keys.rsa, "rsa-9", "pk", nil), want: refused(401, errBadSignature)},
		{name: "pk RSA key named as the EC key", form: signed("RS256", keys.rsa, "ec-1", "pk", nil), want: refused(401, errBadSignature)},
		{name: "pk HS256 assertion", form: hs("pk", hmacSecret, nil), want: refused(401, errAlgNotAccepted)},
		{name: "pk alg none", form: func() url.Values { return assertionForm(unsigned(t, claims("pk", now, nil))) },
			want: refused(401, errAlgNotAccepted)},
		{name: "pk iss is not sub", form: rs("pk", map[string]any{"sub": "hmac"}), want: refused(401, errIssuerSubject)},
		{name: "pk expired", form: rs("pk", map[string]any{"exp": mins(-1)}), want: refused(401, errExpired)},
		{name: "pk no jti", form: rs("pk", map[string]any{"jti": nil}), want: refused(401, errNoJTI)},
		{name: "pk-es registered ES256", form: signed("ES256", keys.ec, "ec-1", "pk-es", nil), want: ok(MethodPrivateKeyJWT, "pk-es")},
		{name: "pk-es signs RS256", form: rs("pk-es", nil), want: refused(401, errAlgNotAccepted)},
		{name: "pk-ed registered EdDSA", form: signed("EdDSA", keys.ed, "ed-1", "pk-ed", nil), want: ok(MethodPrivateKeyJWT, "pk-ed")},
		{name: "pk-ed EdDSA without kid", form: signed("EdDSA", keys.ed, "", "pk-ed", nil), want: ok(MethodPrivateKeyJWT, "pk-ed")},
		{name: "pk-ed EdDSA named as the EC key", form: signed("EdDSA", keys.ed, "ec-1", "pk-ed", nil), want: refused(401, errBadSignature)},
		{name: "pk-ed signs ES256", form: signed("ES256", keys.ec, "ec-1", "pk-ed", nil), want: refused(401, errAlgNotAccepted)},
		{name: "pk-uri from jwks_uri", form: signed("RS256", keys.rsa, "uri-1", "pk-uri", nil), want: ok(MethodPrivateKeyJWT, "pk-uri")},

		// the request and the client
		{name: "basic client sends an assertion", form: rs("basic", nil), want: refused(401, errMethodMismatch)},
		{name: "public client sends an assertion", form: rs("public", nil), want: refused(401, errMethodMismatch)},
		{name: "unknown client", form: rs("nobody", nil), want: refused(401, errUnknownClient)},
		{name: "directory down", form: rs("down", nil),
			want: outcome{code: "temporarily_unavailable", status: http.StatusServiceUnavailable}},
		{name: "other assertion type", form: func() url.Values {
			return form("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer", "client_assertion", "x")
		}, want: refused(401, errAssertionType)},
		{name: "assertion without type", form: func() url.Values { return form("client_assertion", "x.y.z") }, want: badRequest},
		{name: "type without assertion", form: func() url.Values { return form("client_assertion_type", AssertionType) }, want: badRequest},
		{name: "not a JWT", form: func() url.Values { return assertionForm("not-a-jwt") }, want: refused(401, errMalformedJWT)},
		{name: "JWT with a broken payload", form: func() url.Values { return assertionForm("eyJhbGciOiJIUzI1NiJ9.!!!.c2ln") },
			want: refused(401, errMalformedJWT)},
		{name: "oversized assertion", form: func() url.Values {
			return assertionForm("eyJhbGciOiJIUzI1NiJ9." + string(make([]byte, maxAssertionLen)))
		},
			want: refused(401, errMalformedJWT)},
		{name: "assertion twice", form: func() url.Values {
			v := rs("pk", nil)()
			v.Add("client_assertion", v.Get("client_assertion"))
			return v
		}, want: badRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.form()
			if tc.replay {
				if _, e := f.auth.Authenticate(context.Background(), http.Header{}, body); e != nil {
					t.Fatalf("first use refused: %v (%v)", e, e.Unwrap())
				}
			}
			res, e := f.auth.Authenticate(context.Background(), http.Header{}, body)
			tc.want.check(t, res, e)
		})
	}
}

// TestHMACAfterRollover: the previous secret stops verifying assertions
// when its window ends.
func TestHMACAfterRollover(t *testing.T) {
	f := newFixture(t)
	f.clock.Advance(rolloverWindow + time.Second)
	tests := []struct {
		name   string
		secret string
		want   outcome
	}{
		{name: "previous secret", secret: hmacOldSecret, want: refused(401, errBadSignature)},
		{name: "current secret", secret: hmacSecret, want: ok(MethodSecretJWT, "hmac")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := assertionForm(sign(t, "HS256", []byte(tc.secret), "", claims("hmac", f.clock.Now(), nil)))
			res, e := f.auth.Authenticate(context.Background(), http.Header{}, body)
			tc.want.check(t, res, e)
		})
	}
}

// TestJWKSURIRefresh: a kid the cached set lacks makes the fetcher load
// jwks_uri again, once; a known kid with a bad signature does not.
func TestJWKSURIRefresh(t *testing.T) {
	f := newFixture(t)
	keys := testKeys()
	steps := []struct {
		name        string
		advance     time.Duration
		publish     map[string]any // a new key set at jwks_uri
		key         any
		kid         string
		want        outcome
		wantFetches int64
	}{
		{name: "first use fetches", key: keys.rsa, kid: "uri-1", want: ok(MethodPrivateKeyJWT, "pk-uri"), wantFetches: 1},
		{name: "cached", key: keys.rsa, kid: "uri-1", want: ok(MethodPrivateKeyJWT, "pk-uri"), wantFetches: 1},
		{name: "rotated key, unknown kid: refreshed", advance: time.Minute, publish: map[string]any{"uri-2": &keys.rsa2.PublicKey},
			key: keys.rsa2, kid: "uri-2", want: ok(MethodPrivateKeyJWT, "pk-uri"), wantFetches: 2},
		{name: "old key is gone", key: keys.rsa, kid: "uri-1", want: refused(401, errBadSignature), wantFetches: 2},
		{name: "known kid, wrong key: no refresh", advance: time.Minute, key: keys.other, kid: "uri-2",
			want: refused(401, errBadSignature), wantFetches: 2},
		{name: "unknown kid, wrong key: one refresh", key: keys.other, kid: "uri-7",
			want: refused(401, errBadSignature), wantFetches: 3},
		{name: "unknown kid again soon: the fetcher holds back", key: keys.other, kid: "uri-8",
			want: refused(401, errBadSignature), wantFetches: 3},
		{name: "rotated key, no kid: refreshed", advance: time.Minute, publish: map[string]any{"uri-3": &keys.rsa.PublicKey},
			key: keys.rsa, want: ok(MethodPrivateKeyJWT, "pk-uri"), wantFetches: 4},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			f.clock.Advance(st.advance)
			if st.publish != nil {
				f.jwks.publish(publicJWKS(t, st.publish))
			}
			body := assertionForm(sign(t, "RS256", st.key, st.kid, claims("pk-uri", f.clock.Now(), nil)))
			res, e := f.auth.Authenticate(context.Background(), http.Header{}, body)
			st.want.check(t, res, e)
			if got := f.jwks.fetches.Load(); got != st.wantFetches {
				t.Errorf("fetches = %d, want %d", got, st.wantFetches)
			}
		})
	}
}

func TestJWKSURIWithoutFetcher(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Keys = nil })
	body := assertionForm(sign(t, "RS256", testKeys().rsa, "uri-1", claims("pk-uri", f.clock.Now(), nil)))
	res, e := f.auth.Authenticate(context.Background(), http.Header{}, body)
	refused(401, errNoKeys).check(t, res, e)
}
