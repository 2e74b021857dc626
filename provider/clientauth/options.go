package clientauth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// The client authentication methods (RFC 7591 §2, OpenID Connect Core §9).
const (
	MethodSecretBasic   = "client_secret_basic"
	MethodSecretPost    = "client_secret_post"
	MethodSecretJWT     = "client_secret_jwt"
	MethodPrivateKeyJWT = "private_key_jwt"
	MethodNone          = "none"
)

// AssertionType is the client_assertion_type of a JWT client assertion
// (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// DefaultMaxAssertionLifetime bounds how far an assertion's exp may lie
// ahead. RFC 7523 asks for an exp "limiting the time window" without a
// number; assertions are made for one request, and five minutes covers
// any client's clock skew and retries while keeping the replay cache small.
const DefaultMaxAssertionLifetime = 5 * time.Minute

// leeway is how far in the future nbf and iat may lie, for clients whose
// clock runs a little ahead of ours.
const leeway = 30 * time.Second

// hmacAlgs and asymmetricAlgs are the JWS algorithms accepted for
// client_secret_jwt and private_key_jwt, as advertised in discovery.
// EdDSA (Ed25519, RFC 8037) is one of the three the FAPI 2.0 Security
// Profile allows (§5.4.1), next to PS256 and ES256.
var (
	hmacAlgs       = []string{"HS256", "HS384", "HS512"}
	asymmetricAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)

// KeySets fetches the key set a client publishes at its jwks_uri.
// authorize.HTTPFetcher implements it. With refresh the caller found no
// key it needs in what it got before.
type KeySets interface {
	KeySet(ctx context.Context, uri string, refresh bool) (jose.JSONWebKeySet, error)
}

// Options are the Authenticator's dependencies and settings.
type Options struct {
	// Clients looks a client up by id; storage.ErrNotFound for an unknown
	// one, storage.ErrUnavailable when the directory cannot answer.
	Clients func(ctx context.Context, id string) (oauth.Client, error)
	// Verifier checks secrets for client_secret_basic and _post; Codec
	// recovers them as keys for client_secret_jwt.
	Verifier *secrets.Verifier
	Codec    *secrets.Codec
	// Keys fetches jwks_uri for private_key_jwt; nil means only clients
	// that registered jwks inline can use that method.
	Keys KeySets
	// Replay remembers the jti of accepted assertions.
	Replay session.KV
	// Methods are the methods accepted (op.token.authMethods); the others
	// are refused even for clients registered with them.
	Methods []string
	// An assertion's aud must name one of Issuer, TokenEndpoint and
	// Audiences (for example the introspection and revocation endpoints).
	Issuer        string
	TokenEndpoint string
	Audiences     []string
	// MaxAssertionLifetime: 0 means DefaultMaxAssertionLifetime.
	MaxAssertionLifetime time.Duration
	// CertificateHeader names the header in which a TLS-terminating proxy
	// passes the client certificate (op.tls.clientX509CertHeader); empty
	// reads it from Gatehouse's own TLS connection.
	CertificateHeader string
	// ClientCAs verifies tls_client_auth certificates that arrive over
	// Gatehouse's own TLS connection (tls.clientCA).
	ClientCAs *x509.CertPool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Authenticator authenticates clients. It is safe for concurrent use.
type Authenticator struct {
	clients     func(ctx context.Context, id string) (oauth.Client, error)
	verifier    *secrets.Verifier
	codec       *secrets.Codec
	keys        KeySets
	replay      *session.Once // nil without Options.Replay
	methods     []string
	audiences   []string
	maxLifetime time.Duration
	now         func() time.Time
	certHeader  string
	clientCAs   *x509.CertPool
}

// New checks o and returns an Authenticator.
func New(o Options) (*Authenticator, error) {
	a := &Authenticator{
		clients:     o.Clients,
		verifier:    o.Verifier,
		codec:       o.Codec,
		keys:        o.Keys,
		replay:      newOnce(o.Replay),
		maxLifetime: o.MaxAssertionLifetime,
		now:         o.Now,
		certHeader:  o.CertificateHeader,
		clientCAs:   o.ClientCAs,
	}
	if a.maxLifetime == 0 {
		a.maxLifetime = DefaultMaxAssertionLifetime
	}
	if a.now == nil {
		a.now = time.Now
	}
	for _, aud := range append([]string{o.Issuer, o.TokenEndpoint}, o.Audiences...) {
		if aud != "" && !slices.Contains(a.audiences, aud) {
			a.audiences = append(a.audiences, aud)
		}
	}
	for _, m := range o.Methods {
		if !slices.Contains(a.methods, m) {
			a.methods = append(a.methods, m)
		}
	}
	if err := a.check(); err != nil {
		return nil, fmt.Errorf("clientauth: %w", err)
	}
	return a, nil
}

// check reports an option that the enabled methods need and are missing.
func (a *Authenticator) check() error {
	var errs []error
	need := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	need(a.clients != nil, "Clients is required")
	need(len(a.methods) > 0, "no authentication method is enabled")
	need(a.maxLifetime > 0, "MaxAssertionLifetime must be positive, not %s", a.maxLifetime)
	for _, m := range a.methods {
		switch m {
		case MethodSecretBasic, MethodSecretPost:
			need(a.verifier != nil, "%s needs a Verifier", m)
		case MethodSecretJWT, MethodPrivateKeyJWT:
			need(a.codec != nil || m == MethodPrivateKeyJWT, "%s needs a Codec", m)
			need(a.replay != nil, "%s needs a Replay store", m)
			need(len(a.audiences) > 0, "%s needs the Issuer or the TokenEndpoint as audience", m)
		case MethodNone:
		case MethodTLS:
			need(a.certHeader != "" || a.clientCAs != nil, "%s needs a certificate header or client CAs", m)
		case MethodSelfSignedTLS:
		default:
			errs = append(errs, fmt.Errorf("method %q is not supported", m))
		}
	}
	// RFC 8705 §2 methods through a proxy header: the proxy either checks
	// chains (tls_client_auth) or accepts any certificate (self-signed),
	// not both, so only one of them can be enabled.
	need(a.certHeader == "" || !(a.enabled(MethodTLS) && a.enabled(MethodSelfSignedTLS)),
		"%s and %s cannot both be enabled while certificates come from a proxy header", MethodTLS, MethodSelfSignedTLS)
	return errors.Join(errs...)
}

// Methods returns the enabled methods, for the discovery document's
// token_endpoint_auth_methods_supported.
func (a *Authenticator) Methods() []string { return slices.Clone(a.methods) }

// SigningAlgs returns the JWS algorithms accepted for method when it is
// enabled, for token_endpoint_auth_signing_alg_values_supported; nil for
// the methods that sign nothing.
func (a *Authenticator) SigningAlgs(method string) []string {
	if !a.enabled(method) {
		return nil
	}
	switch method {
	case MethodSecretJWT:
		return slices.Clone(hmacAlgs)
	case MethodPrivateKeyJWT:
		return slices.Clone(asymmetricAlgs)
	}
	return nil
}

func (a *Authenticator) enabled(method string) bool { return slices.Contains(a.methods, method) }

// registeredMethod is the client's token_endpoint_auth_method, with
// RFC 7591 §2's default.
func registeredMethod(c oauth.Client) string {
	if m := c.Metadata.TokenEndpointAuthMethod; m != "" {
		return m
	}
	return MethodSecretBasic
}

// newOnce is the replay cache over store, nil without one.
func newOnce(store session.KV) *session.Once {
	if store == nil {
		return nil
	}
	return session.NewOnce(store, replayPrefix)
}
