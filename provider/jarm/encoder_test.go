package jarm

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// recorder stands in for the minter and keeps what it was asked to make.
type recorder struct {
	claims                       map[string]any
	signAlg, encAlg, encEnc, typ string
}

func (r *recorder) Secure(_ context.Context, _ oauth.Client, claims any, signAlg, encAlg, encEnc, typ string) (string, error) {
	r.claims = claims.(map[string]any)
	r.signAlg, r.encAlg, r.encEnc, r.typ = signAlg, encAlg, encEnc, typ
	return "a.b.c", nil
}

var testNow = time.Unix(1_800_000_000, 0)

func lookup(m oauth.Metadata) authorize.ClientLookup {
	return func(_ context.Context, id string) (oauth.Client, error) {
		if id != "rp" {
			return oauth.Client{}, storage.ErrNotFound
		}
		return oauth.Client{ID: id, Metadata: m}, nil
	}
}

func TestEncodeResponse(t *testing.T) {
	resp := authorize.Response{
		RedirectURI: "https://rp.example/cb", Mode: authorize.ModeQueryJWT, Issuer: "https://op.example", ClientID: "rp",
		Params: url.Values{"code": {"c-1"}, "state": {"s-1"}, "iss": {"https://op.example"}, "aud": {"someone-else"}},
	}
	for _, tc := range []struct {
		name     string
		metadata oauth.Metadata
		jws      []string
		lifetime time.Duration
		want     [3]string // sign, enc alg, enc
		wantErr  error
		wantExp  int64
	}{
		{name: "defaults", jws: []string{"ES256", "RS256"}, want: [3]string{"RS256"}, wantExp: testNow.Add(MaxLifetime).Unix()},
		{name: "first allowed without RS256", jws: []string{"ES256"}, lifetime: time.Minute,
			want: [3]string{"ES256"}, wantExp: testNow.Add(time.Minute).Unix()},
		{name: "registered signing", jws: []string{"RS256", "HS256"}, metadata: oauth.Metadata{AuthorizationSignedResponseAlg: "HS256"},
			want: [3]string{"HS256"}},
		{name: "encryption with default enc", jws: []string{"RS256"},
			metadata: oauth.Metadata{AuthorizationEncryptedResponseAlg: "RSA-OAEP-256"},
			want:     [3]string{"RS256", "RSA-OAEP-256", "A128CBC-HS256"}},
		{name: "encryption with enc", jws: []string{"PS256"},
			metadata: oauth.Metadata{AuthorizationSignedResponseAlg: "PS256", AuthorizationEncryptedResponseAlg: "dir", AuthorizationEncryptedResponseEnc: "A256GCM"},
			want:     [3]string{"PS256", "dir", "A256GCM"}},
		{name: "signing no longer allowed", jws: []string{"RS256"}, metadata: oauth.Metadata{AuthorizationSignedResponseAlg: "ES256"},
			wantErr: ErrAlgorithmNotAllowed},
		{name: "encryption no longer allowed", jws: []string{"RS256"}, metadata: oauth.Metadata{AuthorizationEncryptedResponseAlg: "ECDH-ES"},
			wantErr: ErrAlgorithmNotAllowed},
		{name: "enc no longer allowed", jws: []string{"RS256"},
			metadata: oauth.Metadata{AuthorizationEncryptedResponseAlg: "dir", AuthorizationEncryptedResponseEnc: "A128GCM"},
			wantErr:  ErrAlgorithmNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			e, err := New(Options{
				Minter: rec, Clients: lookup(tc.metadata), SigningAlgs: tc.jws,
				EncryptionAlgs: []string{"RSA-OAEP-256", "dir"}, EncryptionEncs: []string{"A128CBC-HS256", "A256GCM"},
				Lifetime: tc.lifetime, Now: func() time.Time { return testNow },
			})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := e.EncodeResponse(context.Background(), resp)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || rec.claims != nil {
					t.Fatalf("err %v, want %v and nothing signed", err, tc.wantErr)
				}
				return
			}
			if err != nil || tok != "a.b.c" {
				t.Fatalf("EncodeResponse: %q %v", tok, err)
			}
			if got := [3]string{rec.signAlg, rec.encAlg, rec.encEnc}; got != tc.want || rec.typ != "JWT" {
				t.Errorf("algorithms %v typ %q, want %v JWT", got, rec.typ, tc.want)
			}
			c := rec.claims
			if c["iss"] != "https://op.example" || c["aud"] != "rp" || c["code"] != "c-1" || c["state"] != "s-1" || len(c) != 5 {
				t.Errorf("claims %v", c)
			}
			if tc.wantExp != 0 && c["exp"] != tc.wantExp {
				t.Errorf("exp %v, want %d", c["exp"], tc.wantExp)
			}
		})
	}
}

func TestEncodeResponseUnknownClient(t *testing.T) {
	e, err := New(Options{Minter: &recorder{}, Clients: lookup(oauth.Metadata{}), SigningAlgs: []string{"RS256"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.EncodeResponse(context.Background(), authorize.Response{ClientID: "gone", Issuer: "https://op.example"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("err %v", err)
	}
}

func TestNewRefuses(t *testing.T) {
	ok := Options{Minter: &recorder{}, Clients: lookup(oauth.Metadata{}), SigningAlgs: []string{"RS256"}}
	for _, tc := range []struct {
		name   string
		change func(*Options)
	}{
		{name: "no minter", change: func(o *Options) { o.Minter = nil }},
		{name: "no clients", change: func(o *Options) { o.Clients = nil }},
		{name: "no signing algorithm", change: func(o *Options) { o.SigningAlgs = nil }},
		{name: "unsigned", change: func(o *Options) { o.SigningAlgs = []string{"RS256", "none"} }},
		{name: "lifetime over ten minutes", change: func(o *Options) { o.Lifetime = 11 * time.Minute }},
		{name: "negative lifetime", change: func(o *Options) { o.Lifetime = -time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.change(&o)
			if _, err := New(o); err == nil {
				t.Error("accepted")
			}
		})
	}
}
