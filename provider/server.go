package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/account"
	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/demo"
	"github.com/gatehouse-idp/gatehouse/provider/device"
	"github.com/gatehouse-idp/gatehouse/provider/dpop"
	"github.com/gatehouse-idp/gatehouse/provider/flow"
	"github.com/gatehouse-idp/gatehouse/provider/jwtbearer"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/par"
	"github.com/gatehouse-idp/gatehouse/provider/passkey"
	"github.com/gatehouse-idp/gatehouse/provider/profile"
	"github.com/gatehouse-idp/gatehouse/provider/registration"
	"github.com/gatehouse-idp/gatehouse/provider/resource"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/signins"
	"github.com/gatehouse-idp/gatehouse/provider/token"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// Pinger is the part of the directory that readiness needs: an error means
// the directory does not answer.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options are the provider's dependencies and settings, fixed at start.
type Options struct {
	// Issuer is the issuer URL exactly as published (no trailing slash).
	Issuer string
	// Keys is the key set, asked on every use: a *keyset.Live changes
	// at run time (docs/keys.md), a *keyset.Set does not.
	Keys keyset.Source
	// JWKSMaxAge is the Cache-Control max-age of /jwks.json; 0 means
	// DefaultJWKSMaxAge, negative means max-age=0. It must not exceed what relying parties may
	// miss of a pre-published key (keys.prePublication).
	JWKSMaxAge time.Duration
	Directory  Pinger
	Pages      *templates.Renderer
	Logger     *slog.Logger
	// Ready lists the stores /health/ready checks; empty means the
	// directory's Ping alone, under the name "directory".
	Ready []ReadyCheck
	// RequestTimeout is every request's deadline from arrival
	// (http.requestTimeout); 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration

	// Clients is the client registry. Without it /clients is not served
	// and discovery names no registration endpoint.
	Clients registration.ClientStore
	// SecretCodec and SecretVerifier encode and check client secrets; both
	// are required with Clients.
	SecretCodec    *secrets.Codec
	SecretVerifier *secrets.Verifier
	Registration   registration.Config
	// SignIn enables the browser flow; it needs Clients.
	SignIn *SignIn
	// Token enables the token endpoint; it needs SignIn.
	Token *Token
	// Demo enables the demo relying party at /demo; it needs Token.
	Demo *Demo
	// Logout enables back- and front-channel logout; it needs SignIn and
	// Token.
	Logout *Logout
	// Device enables the device authorization grant; it needs Token.
	Device *Device
	// JWTBearer enables the JWT bearer grant when it lists issuers; it
	// needs Token.
	JWTBearer *JWTBearer
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Audit hears of every security-relevant fact (sign-ins, consent,
	// tokens issued, revocations, registrations); nil records nothing.
	Audit audit.Recorder
	// HTTPMetrics, when set, hears of every answered request by route.
	HTTPMetrics HTTPObserver
	// MetricsHandler, when set, is served at /metrics on this listener
	// (metrics.listen empty).
	MetricsHandler http.Handler
	// Profile is the deployment's security profile (op.profile); each
	// client may ask for a stronger one (provider/profile).
	Profile profile.Policy
}

// Server holds what every handler shares. Documents that never change while
// the process runs (discovery, the public keys) are rendered once here.
type Server struct {
	issuer *url.URL
	keys   keyset.Source
	pages  *templates.Renderer
	log    *slog.Logger
	// ready are the checks of /health/ready; drain is set on shutdown.
	ready []ReadyCheck
	drain drainState
	// requestTimeout is the deadline of every request.
	requestTimeout time.Duration
	// httpMetrics hears of answered requests; metrics serves /metrics.
	// Both may be nil.
	httpMetrics HTTPObserver
	metrics     http.Handler
	// clients serves /clients; nil when no registry is configured.
	clients *registration.Handler
	// account serves /account; nil without the sign-in.
	account *account.Handler
	// signIn serves /authorize, /login and /consent; nil without SignIn.
	signIn        *flow.Handler
	mfa           *mfa.Handler // /mfa; nil without strong sign-in
	acrValues     []string     // acr_values_supported
	responseModes []string
	// jarmAlgs are set when JWT response modes are served.
	jarmAlgs jarmAlgs
	// Shared by the sign-in and the token endpoint.
	codes   *session.Codes
	signIns *signins.Recent // people a password sign-in just read
	fetcher *authorize.HTTPFetcher
	// token serves /token; nil without Token.
	token     *token.Handler
	tokenAuth *clientauth.Authenticator
	minter    *tokens.Minter
	// par serves /par and pushed keeps what it is sent (RFC 9126); nil
	// without the sign-in and the token endpoint.
	par        *par.Handler
	pushed     *par.Store
	requirePAR bool
	// resource serves /userinfo, /token/introspect and /token/revoke.
	resource *resource.Handler
	demo     *demo.Handler
	logout   logoutParts
	// device serves /device_authorization and /device; nil without Device.
	device   *device.Handler
	claims   []string // from the directory, for discovery
	mtlsBase string   // op.tls.mtlsBaseURL, for discovery
	// certificates: client certificates can arrive, so tokens can be bound.
	certificates bool
	// dpop checks DPoP proofs; nil when DPoP is off.
	dpop *dpop.Checker
	// profile holds clients to FAPI 2.0 (provider/profile).
	profile profile.Policy

	// jwtBearer serves the JWT bearer grant; nil without issuers.
	jwtBearer *jwtbearer.Handler

	discovery []byte
	// jwksCache is the Cache-Control value of /jwks.json.
	jwksCache string

	// passkey serves /mfa/passkey and /login/passkey; nil without passkeys.
	passkey *passkey.Handler
}

// jarmAlgs are the algorithms of JWT-secured authorization responses, for
// discovery.
type jarmAlgs struct {
	signing, encryption, encodings []string
}

// New checks the options and prepares the static documents.
func New(o Options) (*Server, error) {
	if o.Keys == nil || o.Keys.Current() == nil || o.Directory == nil || o.Pages == nil {
		return nil, errors.New("provider: keys, directory and pages are required")
	}
	issuer, err := url.Parse(o.Issuer)
	if err != nil || issuer.Host == "" {
		return nil, fmt.Errorf("provider: issuer %q is not an absolute URL", o.Issuer)
	}
	issuer.Path = strings.TrimSuffix(issuer.Path, "/")
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{issuer: issuer, keys: o.Keys, pages: o.Pages.Under(issuer.Path), log: log,
		ready: o.Ready, requestTimeout: o.RequestTimeout, httpMetrics: o.HTTPMetrics, metrics: o.MetricsHandler}
	s.profile = o.Profile
	if len(s.ready) == 0 {
		s.ready = []ReadyCheck{{Name: "directory", Check: o.Directory.Ping}}
	}
	if s.requestTimeout <= 0 {
		s.requestTimeout = DefaultRequestTimeout
	}
	s.fetcher = &authorize.HTTPFetcher{Public: openClientHTTP(o)}
	if o.Clients != nil {
		svc, err := registration.NewService(registration.Options{
			Store: o.Clients,
			Codec: o.SecretCodec, Verifier: o.SecretVerifier,
			Config: o.Registration, Endpoint: s.endpoint("/clients"), Now: o.Now,
			Sectors: s.fetcher,
		})
		if err != nil {
			return nil, fmt.Errorf("provider: %w", err)
		}
		s.clients = registration.NewHandler(svc, log.With("component", "registration"))
		s.clients.Audit = o.Audit
	}
	if o.Token != nil {
		if s.minter, err = s.newMinter(o); err != nil {
			return nil, err
		}
	}
	if o.SignIn != nil {
		if s.signIn, err = s.newSignIn(o); err != nil {
			return nil, err
		}
		if err = s.newMFA(o, s.signIn); err != nil {
			return nil, err
		}
		if err = s.newAccount(o); err != nil {
			return nil, err
		}
	}
	if o.Token != nil {
		s.claims, s.mtlsBase, s.certificates = o.Token.Claims, o.Token.MTLSBaseURL, o.Token.Certificates
		if err := s.newTokenEndpoint(o); err != nil {
			return nil, err
		}
		if err := s.newPAR(o); err != nil {
			return nil, err
		}
		s.newLogoutDeliverer(o)
	}
	if o.Demo != nil {
		if s.demo, err = s.newDemo(o); err != nil {
			return nil, err
		}
	}
	if s.discovery, err = s.discoveryDocument(); err != nil {
		return nil, err
	}
	s.jwksCache = jwksCacheControl(o.JWKSMaxAge)
	return s, nil
}

// TokenCacheStats are the counters of the cache of verified access tokens
// (introspection, UserInfo), for metrics; zero without the token endpoint.
func (s *Server) TokenCacheStats() resource.TokenCacheStats {
	if s.resource == nil {
		return resource.TokenCacheStats{}
	}
	return s.resource.TokenCacheStats()
}

// endpoint is the absolute URL of a path under the issuer.
func (s *Server) endpoint(path string) string {
	u := *s.issuer
	u.Path = s.issuer.Path + path
	return u.String()
}
