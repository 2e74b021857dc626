package provider

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/flow"
	"github.com/gatehouse-idp/gatehouse/provider/jarm"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/par"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/signins"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
	"github.com/gatehouse-idp/gatehouse/provider/token"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// SignIn configures the browser flow: /authorize, /login and /consent.
type SignIn struct {
	Users          flow.Directory
	Authorizations flow.AuthorizationStore
	// KV keeps sessions, pending flows and codes.
	KV              session.KV
	SessionLifetime time.Duration
	SessionIdle     time.Duration
	CodeLifetime    time.Duration
	// GroupsClaim is the claim the groups scope releases.
	GroupsClaim string
	// ResponseModes are op.authz.responseModes; those the response writer
	// cannot serve are left out of requests and discovery. The JWT modes
	// (JARM) are served when the token endpoint is, whose keys sign them.
	ResponseModes []string
	// ResponseJWSAlgs, ResponseJWEAlgs and ResponseJWEEncs are the
	// algorithms JWT responses may be signed and encrypted with
	// (op.authz.responseJWSAlgs, responseJWEAlgs, responseJWEEncs).
	ResponseJWSAlgs []string
	ResponseJWEAlgs []string
	ResponseJWEEncs []string
	// ResponseLifetime is how long a JWT response is valid (op.authz.responseLifetime).
	ResponseLifetime time.Duration
	// Passwords lets people whose password has expired or must be changed
	// change it during the sign-in (ldap.users.passwordChange); nil tells
	// them to change it elsewhere.
	Passwords flow.PasswordChanger
	// PAR configures pushed authorization requests (op.par).
	PAR PAR
	// Strong enables second factors and step-up; nil leaves sign-in at
	// the password.
	Strong *StrongSignIn
}

// responseTypes are the response types the flow completes: the code flow,
// and with a minter the hybrid and implicit types that return an ID token
// from the authorization endpoint.
func (s *Server) responseTypes() []string {
	if s.minter == nil {
		return []string{"code"}
	}
	return []string{"code", "code id_token", "id_token"}
}

// newSignIn builds the browser flow. It needs the client registry (for
// client lookups and recoverable secrets) and the key set (for the CSRF key).
func (s *Server) newSignIn(o Options) (*flow.Handler, error) {
	si := o.SignIn
	if si.Users == nil || si.Authorizations == nil || si.KV == nil {
		return nil, errors.New("provider: sign-in needs users, authorizations and a session store")
	}
	if o.Clients == nil || o.SecretCodec == nil {
		return nil, errors.New("provider: sign-in needs the client registry")
	}
	now := clock(o)
	clients := s.clientLookup(o)
	writer, err := s.responseWriter(si, clients, now)
	if err != nil {
		return nil, err
	}
	s.responseModes = writer.ServedModes(si.ResponseModes)
	s.codes = session.NewCodes(si.KV, now)
	s.signIns = signins.New(0, 0, now)
	s.pushed = par.NewStore(si.KV)
	// Only a minter that exists may become the interfaces: a nil pointer
	// inside one would look like a minter to the flow.
	var idTokens flow.IDTokenMinter
	var hints flow.HintChecker
	var stepUp flow.StepUp
	if p := s.newStepUp(o); p != nil {
		stepUp = p
	}
	if s.minter != nil {
		idTokens, hints = s.minter, s.minter
	}
	return flow.New(flow.Options{
		Issuer: s.issuer,
		Parse: authorize.Deps{
			Config: authorize.Config{
				Issuer: s.issuer.String(), ResponseTypes: s.responseTypes(), ResponseModes: s.responseModes,
				RequestParameter: true, RequestURIParameter: true,
				RequirePushed: si.PAR.Require,
			},
			Clients: clients,
			Keys:    s.fetcher,
			Secrets: func(_ context.Context, c oauth.Client) ([]string, error) {
				return o.SecretCodec.RecoverableSecrets(c, now())
			},
			Now:    now,
			Pushed: s.pushed.Take,
			Rules:  s.authorizeRules(),
		},
		Writer:         writer,
		Directory:      si.Users,
		Authorizations: si.Authorizations,
		Sessions:       s.evictionLogout(session.NewSessions(si.KV, si.SessionLifetime, si.SessionIdle, now)),
		Flows:          session.NewFlows(si.KV, 0, now),
		Codes:          s.codes,
		Throttle:       throttle.NewLoginsOn(si.KV, throttle.LoginOptions{}),
		Pages:          s.pages,
		CSRFKey:        derive(o.Keys.Current().SecretKey(), "gatehouse csrf v1"),
		CodeLifetime:   si.CodeLifetime,
		CodeCap:        s.codeCap,
		IDTokens:       idTokens,
		Hints:          hints,
		Passwords:      si.Passwords,
		StepUp:         stepUp,
		SignIns:        s.signIns,

		// Back- and front-channel logout (op.logout).
		Logouts:          s.logoutNotifier(o),
		FrontChannelWait: frontChannelWait(o),

		Claims: func(all map[string]any, scopes, requested []string) map[string]any {
			return tokens.ReleasedClaims(all, scopes, requested, si.GroupsClaim)
		},
		Audit: o.Audit,
		Log:   s.log.With("component", "signin"),
		Now:   now,
	})
}

// responseWriter returns the writer of authorization responses: with a
// JARM encoder when there is a minter to sign with and it can sign with
// one of the configured algorithms (the key set decides which).
func (s *Server) responseWriter(si *SignIn, clients authorize.ClientLookup, now func() time.Time) (authorize.Writer, error) {
	if s.minter == nil {
		return authorize.Writer{}, nil
	}
	signing := slices.DeleteFunc(slices.Clone(si.ResponseJWSAlgs), func(alg string) bool {
		return !slices.Contains(s.minter.SigningAlgs(), alg)
	})
	if len(signing) == 0 {
		return authorize.Writer{}, nil
	}
	enc, err := jarm.New(jarm.Options{
		Minter: s.minter, Clients: clients,
		SigningAlgs: signing, EncryptionAlgs: si.ResponseJWEAlgs, EncryptionEncs: si.ResponseJWEEncs,
		Lifetime: si.ResponseLifetime, Now: now,
	})
	if err != nil {
		return authorize.Writer{}, fmt.Errorf("provider: %w", err)
	}
	s.jarmAlgs = jarmAlgs{signing: signing, encryption: si.ResponseJWEAlgs, encodings: si.ResponseJWEEncs}
	return authorize.Writer{JWT: enc}, nil
}

// clientLookup reads a client from the registry.
func (s *Server) clientLookup(o Options) func(ctx context.Context, id string) (oauth.Client, error) {
	return func(ctx context.Context, id string) (oauth.Client, error) { return o.Clients.Get(ctx, id) }
}

// derive makes a key for one purpose from the key set's secret key, so
// that every instance sharing the key file agrees on it without a key of
// its own.
func derive(secret []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// recentSignIns is the token endpoint's view of s.signIns: nil, not a nil
// pointer in an interface, when no sign-in is served.
func (s *Server) recentSignIns() token.RecentSignIns {
	if s.signIns == nil {
		return nil
	}
	return s.signIns
}
