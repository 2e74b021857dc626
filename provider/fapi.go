package provider

import (
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/par"
	"github.com/gatehouse-idp/gatehouse/provider/profile"
)

// The hooks through which /authorize, /par and /token consult the
// security profiles' rule table (provider/profile). Each turns what its
// endpoint knows into profile.Facts; none knows a rule.

// authorizeRules holds a request that was not pushed to its client's
// profile: under FAPI 2.0, that is already the refusal.
func (s *Server) authorizeRules() func(authorize.Request) *oauth.Error {
	return func(req authorize.Request) *oauth.Error {
		m := req.Client.Metadata
		return profile.Check(s.profile.For(m), profile.AtAuthorize, profile.Facts{
			Client: m, ResponseType: string(req.ResponseType), ResponseMode: req.ResponseMode,
			CodeChallengeMethod: req.CodeChallengeMethod, RequestObjectAlg: requestObjectAlg(req),
		}).OAuth()
	}
}

// pushRules holds a pushed request, and its authenticated client, to the
// client's profile.
func (s *Server) pushRules() par.PushRules {
	return func(c clientauth.Result, req authorize.Request, _ string) *oauth.Error {
		m := c.Client.Metadata
		return profile.Check(s.profile.For(m), profile.AtPush, profile.Facts{
			Client: m, AuthMethod: c.Method, Pushed: true,
			ResponseType: string(req.ResponseType), ResponseMode: req.ResponseMode,
			CodeChallengeMethod: req.CodeChallengeMethod, RequestObjectAlg: requestObjectAlg(req),
		}).OAuth()
	}
}

// tokenRules holds an authenticated token request to the client's profile.
func (s *Server) tokenRules() func(clientauth.Result, bool) *oauth.Error {
	return func(c clientauth.Result, bound bool) *oauth.Error {
		m := c.Client.Metadata
		return profile.Check(s.profile.For(m), profile.AtToken, profile.Facts{
			Client: m, AuthMethod: c.Method, SenderConstrained: bound,
		}).OAuth()
	}
}

// keepRefresh: a profile client's refresh tokens are not rotated.
func (s *Server) keepRefresh(c oauth.Client) bool { return s.profile.KeepRefreshTokens(c.Metadata) }

// codeCap: a profile client's codes live at most a minute.
func (s *Server) codeCap(c oauth.Client) time.Duration { return s.profile.CodeLifetime(c.Metadata) }

func requestObjectAlg(req authorize.Request) string {
	if req.RequestObject == nil {
		return ""
	}
	return req.RequestObject.Alg
}

// profileMetadata makes discovery say what an op-wide profile changes:
// every authorization request must be pushed.
func (s *Server) profileMetadata(doc *metadata) {
	if s.profile.Deployment != profile.None && s.par != nil {
		doc.RequirePushedAuthorizationRequests = true
	}
}
