package provider

import (
	"crypto/x509"
	"errors"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/demo"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/pairwise"
	"github.com/gatehouse-idp/gatehouse/provider/resource"
	"github.com/gatehouse-idp/gatehouse/provider/token"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// Token configures the token endpoint.
type Token struct {
	// AuthMethods are op.token.authMethods.
	AuthMethods         []string
	AccessTokenLifetime time.Duration
	// AccessTokenAlg signs access tokens (op.token.accessTokenAlg).
	AccessTokenAlg string
	// RefreshTokenLifetime bounds a refresh token family
	// (op.token.refreshTokenLifetime).
	RefreshTokenLifetime time.Duration
	// GroupsClaim is the claim the groups scope releases (ldap.users.groups.claim).
	GroupsClaim string
	// Claims are the claims the directory provides (ldap.users.claims), for
	// discovery.
	Claims []string
	// CertificateHeader is op.tls.clientX509CertHeader; ClientCAs verify
	// tls_client_auth certificates over Gatehouse's own TLS (tls.clientCA).
	CertificateHeader string
	ClientCAs         *x509.CertPool
	// MTLSBaseURL is a separate host for mutual TLS (op.tls.mtlsBaseURL).
	MTLSBaseURL string
	// Certificates tells whether client certificates can reach Gatehouse at
	// all (a proxy header, or native TLS asking for them): only then can
	// tokens be bound to them.
	Certificates bool
	// DPoP turns on DPoP proofs (op.dpop.*); nil is off.
	DPoP *DPoP
}

// Demo configures the demo relying party.
type Demo struct {
	ClientID, ClientSecret string
}

// newTokenEndpoint builds the client authenticator, the minter and the
// token endpoint. It needs the sign-in's codes and people.
func (s *Server) newTokenEndpoint(o Options) error {
	if o.SignIn == nil || s.codes == nil {
		return errors.New("provider: the token endpoint needs the sign-in")
	}
	now := clock(o)
	var err error
	s.tokenAuth, err = clientauth.New(clientauth.Options{
		Clients: s.clientLookup(o), Verifier: o.SecretVerifier, Codec: o.SecretCodec, Keys: s.fetcher,
		Replay: o.SignIn.KV, Methods: o.Token.AuthMethods,
		CertificateHeader: o.Token.CertificateHeader, ClientCAs: o.Token.ClientCAs,
		Issuer: s.issuer.String(), TokenEndpoint: s.endpoint("/token"), Now: now,
		// RFC 9126 §2: an assertion at /par may name that endpoint.
		Audiences: []string{s.endpoint("/par")},
	})
	if err != nil {
		return err
	}
	if err := s.newDevice(o); err != nil {
		return err
	}
	if s.jwtBearer, err = s.newJWTBearer(o); err != nil {
		return err
	}
	var sealer token.SubjectSealer
	if p := s.minter.Pairwise(); p != nil {
		sealer = p
	}
	if s.dpop, err = s.newDPoP(o); err != nil {
		return err
	}
	if s.token, err = token.New(token.Options{
		Subjects: sealer,
		Auth:     s.tokenAuth, Codes: s.codes, Minter: s.minter, Users: o.SignIn.Users,
		AccessTokenLifetime: o.Token.AccessTokenLifetime, GroupsClaim: o.Token.GroupsClaim,
		Authorizations: o.SignIn.Authorizations, RefreshTokenLifetime: o.Token.RefreshTokenLifetime,
		Issued: o.SignIn.KV, Revoker: resource.NewRevocations(o.SignIn.KV, now),
		Audit: o.Audit, Log: s.log.With("component", "token"), Now: now,
		Grants: s.outsideGrants(),
		DPoP:   s.dpop, TokenURLs: s.endpointURLs("/token", o.Token.MTLSBaseURL),
		Rules: s.tokenRules(), KeepRefresh: s.keepRefresh,
		SignIns: s.recentSignIns(),
	}); err != nil {
		return err
	}
	s.resource, err = resource.New(resource.Options{
		Issuer: s.issuer.String(),
		Minter: s.minter, Authenticator: s.tokenAuth, Users: o.SignIn.Users, Clients: s.clientLookup(o),
		Revocations: o.SignIn.KV, Refresh: s.token, GroupsClaim: o.Token.GroupsClaim,
		DPoP: s.dpop, UserInfoURLs: s.endpointURLs("/userinfo", o.Token.MTLSBaseURL),
		Audit: o.Audit, Log: s.log.With("component", "resource"), Now: now,
	})
	return err
}

// newMinter builds what mints and checks our tokens: shared by the token
// endpoint and the authorization endpoint's hybrid responses.
func (s *Server) newMinter(o Options) (*tokens.Minter, error) {
	if o.SecretCodec == nil {
		return nil, errors.New("provider: tokens need the secret codec")
	}
	now := clock(o)
	// Pairwise subs derive from the key set's AES key, which rotation
	// keeps (docs/pairwise.md).
	subjects, err := pairwise.New(o.Keys.Current().SecretKey())
	if err != nil {
		return nil, err
	}
	return tokens.New(tokens.Options{
		Pairwise: subjects,
		Issuer:   s.issuer.String(), Keys: o.Keys, Fetcher: s.fetcher, Now: now,
		Secrets:             func(c oauth.Client) ([]string, error) { return o.SecretCodec.RecoverableSecrets(c, now()) },
		AccessTokenLifetime: o.Token.AccessTokenLifetime,
		AccessTokenAlg:      o.Token.AccessTokenAlg,
	})
}

func clock(o Options) func() time.Time {
	if o.Now == nil {
		return time.Now
	}
	return o.Now
}

// newDemo builds the demo relying party, a client of this provider.
func (s *Server) newDemo(o Options) (*demo.Handler, error) {
	if s.token == nil {
		return nil, errors.New("provider: the demo needs the token endpoint")
	}
	return demo.New(demo.Options{
		Issuer: s.issuer.String(), Base: s.endpoint("/demo"),
		ClientID: o.Demo.ClientID, ClientSecret: o.Demo.ClientSecret,
		KV: o.SignIn.KV, Log: s.log.With("component", "demo"),
	})
}
