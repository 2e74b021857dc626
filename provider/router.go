package provider

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/gatehouse-idp/gatehouse/internal/tracing"

	"github.com/gatehouse-idp/gatehouse/provider/passkey"
	"github.com/gatehouse-idp/gatehouse/provider/registration"
)

// Handler wires every route. It is the one place that says which URL reaches
// which handler; all paths hang under the issuer's path, so an issuer such as
// https://idp.example.com/tenant serves /tenant/jwks.json.
func (s *Server) Handler() http.Handler {
	root := mux.NewRouter()
	root.NotFoundHandler = http.HandlerFunc(s.notFound)
	root.Use(noteRoute)

	// RFC 8414 §3.1: for an issuer with a path, the well-known suffix goes
	// between host and path.
	if s.issuer.Path != "" {
		root.Handle("/.well-known/oauth-authorization-server"+s.issuer.Path, s.methods(getOnly(s.serveDiscovery)))
	}

	r := root
	if s.issuer.Path != "" {
		r = root.PathPrefix(s.issuer.Path).Subrouter()
	}
	r.Handle("/", s.methods(getOnly(s.serveHome)))
	r.PathPrefix("/static/").Handler(s.methods(getOnly(http.StripPrefix(s.issuer.Path+"/static", s.pages.Static()).ServeHTTP)))

	r.Handle("/.well-known/openid-configuration", s.methods(getOnly(s.serveDiscovery)))
	r.Handle("/.well-known/oauth-authorization-server", s.methods(getOnly(s.serveDiscovery)))
	r.Handle("/jwks.json", s.methods(getOnly(s.serveJWKS)))

	r.Handle("/health/live", s.methods(getOnly(s.serveLive)))
	r.Handle("/health/ready", s.methods(getOnly(s.serveReady)))
	if s.metrics != nil {
		r.Handle("/metrics", s.methods(getOnly(s.metrics.ServeHTTP)))
	}

	// Client registration (RFC 7591) and management (RFC 7592).
	if c := s.clients; c != nil {
		r.Handle("/clients", s.methods(byMethod{http.MethodPost: c.Register, http.MethodGet: c.List}))
		r.Handle("/clients/{"+registration.PathVar+"}", s.methods(byMethod{
			http.MethodGet: c.Read, http.MethodPut: c.Replace, http.MethodDelete: c.Delete,
		}))
	}

	// The browser flow (OpenID Connect Core §3.1.2).
	if f := s.signIn; f != nil {
		r.Handle("/authorize", s.methods(byMethod{http.MethodGet: f.Authorize, http.MethodPost: f.Authorize}))
		r.Handle("/login", s.methods(byMethod{http.MethodGet: f.LoginPage, http.MethodPost: f.LoginSubmit}))
		r.Handle("/password", s.methods(byMethod{http.MethodGet: f.PasswordPage, http.MethodPost: f.PasswordSubmit}))
		r.Handle("/consent", s.methods(byMethod{http.MethodGet: f.ConsentPage, http.MethodPost: f.ConsentSubmit}))
		if m := s.mfa; m != nil {
			r.Handle("/mfa", s.methods(byMethod{http.MethodGet: m.Page, http.MethodPost: m.Submit}))
		}
		// Passkeys (WebAuthn): second factor, enrolment, passwordless.
		if pk := s.passkey; pk != nil {
			r.Handle(passkey.PathVerify, s.methods(byMethod{http.MethodGet: pk.VerifyPage, http.MethodPost: pk.VerifySubmit}))
			r.Handle(passkey.PathEnrol, s.methods(byMethod{http.MethodGet: pk.EnrolPage, http.MethodPost: pk.EnrolSubmit}))
			r.Handle(passkey.PathSignIn, s.methods(byMethod{http.MethodGet: pk.SignInPage, http.MethodPost: pk.SignInSubmit}))
		}
		// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
		if f.Hints != nil {
			r.Handle("/logout", s.methods(byMethod{http.MethodGet: f.Logout, http.MethodPost: f.LogoutSubmit}))
		}
	}

	// The token endpoint (RFC 6749 §3.2).
	if t := s.token; t != nil {
		r.Handle("/token", s.methods(byMethod{http.MethodPost: t.Token}))
	}
	// Pushed authorization requests (RFC 9126).
	if p := s.par; p != nil {
		r.Handle("/par", s.methods(byMethod{http.MethodPost: p.Push}))
	}
	// The device authorization grant (RFC 8628): the client's endpoint and
	// the person's page.
	if d := s.device; d != nil {
		r.Handle("/device_authorization", s.methods(byMethod{http.MethodPost: d.Authorize}))
		r.Handle("/device", s.methods(byMethod{http.MethodGet: d.Page, http.MethodHead: d.Page, http.MethodPost: d.Submit}))
	}
	// UserInfo (OpenID Connect Core §5.3), introspection (RFC 7662) and
	// revocation (RFC 7009).
	if res := s.resource; res != nil {
		r.Handle("/userinfo", s.methods(byMethod{http.MethodGet: res.UserInfo, http.MethodPost: res.UserInfo}))
		r.Handle("/token/introspect", s.methods(byMethod{http.MethodPost: res.Introspect}))
		r.Handle("/token/revoke", s.methods(byMethod{http.MethodPost: res.Revoke}))
	}

	// The demo relying party (development configuration only).
	if d := s.demo; d != nil {
		r.Handle("/demo", s.methods(getOnly(d.Home)))
		r.Handle("/demo/start", s.methods(getOnly(d.Start)))
		r.Handle("/demo/callback", s.methods(getOnly(d.Callback)))
	}

	// The person's own page, last: it looks for the routes it links to.
	s.mountAccount(r)

	// Outermost first: the request's span holds everything below it; the
	// access log and the metrics see the final answer; the deadline guard
	// answers for a handler that runs out of time; panics are caught on the
	// handler's own goroutine, with its stack.
	return tracing.Handler(
		s.logRequests(s.observeRequests(s.withDeadline(s.recoverPanics(s.closeWhenDraining(securityHeaders(root)))))),
		tracing.MuxRoute(root))
}

// byMethod maps the methods a path accepts to their handlers.
type byMethod map[string]http.HandlerFunc

// getOnly is a path that serves GET and HEAD.
func getOnly(h http.HandlerFunc) byMethod {
	return byMethod{http.MethodGet: h, http.MethodHead: h}
}

// methods dispatches by method, answering any other with 405 and an Allow
// header. Methods are told apart here rather than by route matchers so
// that an unknown method on a known path is always a 405, never a 404.
func (s *Server) methods(m byMethod) http.Handler {
	allowed := make([]string, 0, len(m))
	for method := range m {
		allowed = append(allowed, method)
	}
	slices.Sort(allowed)
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := m[r.Method]; ok {
			h(w, r)
			return
		}
		w.Header().Set("Allow", allow)
		s.methodNotAllowed(w, r)
	})
}
