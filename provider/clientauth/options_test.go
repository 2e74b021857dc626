package clientauth

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestNewChecksOptions(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Options)
		wantErr string // empty: New succeeds
	}{
		{name: "complete", change: func(*Options) {}},
		{name: "no client lookup", change: func(o *Options) { o.Clients = nil }, wantErr: "Clients is required"},
		{name: "no methods", change: func(o *Options) { o.Methods = nil }, wantErr: "no authentication method"},
		{name: "unknown method", change: func(o *Options) { o.Methods = []string{"client_secret_basic", "magic"} },
			wantErr: `method "magic" is not supported`},
		{name: "tls_client_auth without a source of checked certificates", change: func(o *Options) { o.Methods = []string{"tls_client_auth"} },
			wantErr: "tls_client_auth needs a certificate header or client CAs"},
		{name: "both mutual-TLS methods behind a proxy", change: func(o *Options) {
			o.Methods, o.CertificateHeader = []string{"tls_client_auth", "self_signed_tls_client_auth"}, "X-Cert"
		}, wantErr: "cannot both be enabled while certificates come from a proxy header"},
		{name: "secrets without a verifier", change: func(o *Options) { o.Verifier = nil },
			wantErr: "client_secret_basic needs a Verifier"},
		{name: "none needs nothing", change: func(o *Options) {
			*o = Options{Clients: o.Clients, Methods: []string{MethodNone}}
		}},
		{name: "client_secret_jwt without a codec", change: func(o *Options) { o.Codec = nil },
			wantErr: "client_secret_jwt needs a Codec"},
		{name: "private_key_jwt without a codec is fine", change: func(o *Options) {
			o.Codec, o.Methods = nil, []string{MethodPrivateKeyJWT}
		}},
		{name: "assertions without a replay store", change: func(o *Options) { o.Replay = nil },
			wantErr: "private_key_jwt needs a Replay store"},
		{name: "assertions without an audience", change: func(o *Options) { o.Issuer, o.TokenEndpoint, o.Audiences = "", "", nil },
			wantErr: "needs the Issuer or the TokenEndpoint"},
		{name: "negative lifetime", change: func(o *Options) { o.MaxAssertionLifetime = -1 },
			wantErr: "MaxAssertionLifetime must be positive"},
	}
	base := newFixture(t).opts
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.change(&o)
			a, err := New(o)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("New error = %v, want %q", err, tc.wantErr)
			case tc.wantErr != "" && a != nil:
				t.Error("New returned an Authenticator with its error")
			}
		})
	}
}

func TestDiscoveryValues(t *testing.T) {
	all := newFixture(t).auth
	some := newFixture(t, func(o *Options) {
		o.Methods = []string{MethodPrivateKeyJWT, MethodSecretBasic, MethodPrivateKeyJWT}
	}).auth
	tests := []struct {
		name   string
		auth   *Authenticator
		method string
		want   []string
	}{
		{name: "client_secret_jwt", auth: all, method: MethodSecretJWT, want: []string{"HS256", "HS384", "HS512"}},
		{name: "private_key_jwt", auth: all, method: MethodPrivateKeyJWT,
			want: []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}},
		{name: "basic signs nothing", auth: all, method: MethodSecretBasic},
		{name: "client_secret_jwt not enabled", auth: some, method: MethodSecretJWT},
		{name: "private_key_jwt enabled", auth: some, method: MethodPrivateKeyJWT,
			want: []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.auth.SigningAlgs(tc.method); !slices.Equal(got, tc.want) {
				t.Errorf("SigningAlgs(%s) = %v, want %v", tc.method, got, tc.want)
			}
		})
	}
	if got, want := some.Methods(), []string{MethodPrivateKeyJWT, MethodSecretBasic}; !slices.Equal(got, want) {
		t.Errorf("Methods() = %v, want %v (in configured order, once each)", got, want)
	}
	some.Methods()[0] = "changed"
	if some.Methods()[0] != MethodPrivateKeyJWT {
		t.Error("Methods shares its slice with the caller")
	}
}

// TestExactClientID: a store that matches ids loosely (LDAP's
// case-insensitive matching) does not make another spelling authenticate.
func TestExactClientID(t *testing.T) {
	f := newFixture(t)
	f.opts.Clients = func(ctx context.Context, id string) (oauth.Client, error) {
		return f.lookup(ctx, strings.ToLower(id))
	}
	auth, err := New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id string
		want     outcome
	}{
		{name: "exact", id: "basic", want: ok(MethodSecretBasic, "basic")},
		{name: "other case", id: "BASIC", want: refused(401, errUnknownClient)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, e := auth.Authenticate(context.Background(), basicHeader(tc.id, basicSecret), nil)
			tc.want.check(t, res, e)
		})
	}
}
