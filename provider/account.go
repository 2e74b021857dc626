package provider

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/gatehouse-idp/gatehouse/provider/account"
)

// passkeyEnrolPath is the passkey enrolment page the account page links
// to, when a route serves it (docs/account.md).
const passkeyEnrolPath = "/mfa/passkey/enrol"

// newAccount builds /account once the sign-in (and /mfa) exist. The
// authorization store must also list and delete (ldapstore.Authorizations
// does); one that cannot leaves the page unserved.
func (s *Server) newAccount(o Options) error {
	f := s.signIn
	authz, ok := o.SignIn.Authorizations.(account.Authorizations)
	if f == nil || !ok {
		return nil
	}
	opts := account.Options{
		Sessions: f.Sessions, SignIn: f, Authorizations: authz, Clients: s.clientLookup(o),
		People: o.SignIn.Users, Pages: s.pages,
		CSRFKey: derive(o.Keys.Current().SecretKey(), "gatehouse account csrf v1"),
		Path:    s.issuer.Path + "/account",
		Log:     s.log.With("component", "account"), Now: clock(o), Audit: o.Audit,
	}
	if f.Logouts != nil {
		opts.Logouts = f.Logouts
	}
	if s.mfa != nil {
		opts.Authenticators, opts.Factors, opts.StepUp = o.SignIn.Strong.Authenticators, s.mfa, f.StepUp
	}
	var err error
	s.account, err = account.New(opts)
	return err
}

// mountAccount serves /account on r, after every other route: the link
// to add a passkey is shown only when r serves passkeyEnrolPath.
func (s *Server) mountAccount(r *mux.Router) {
	if s.account == nil {
		return
	}
	a := *s.account
	if serves(r, s.issuer.Path+passkeyEnrolPath) {
		a.PasskeyEnrolURL = s.issuer.Path + passkeyEnrolPath + "?return=" + s.issuer.Path + "/account"
	}
	r.Handle("/account", s.methods(byMethod{http.MethodGet: a.Page, http.MethodHead: a.Page, http.MethodPost: a.Submit}))
}

// serves tells whether r has a route for GET path.
func serves(r *mux.Router, path string) bool {
	probe, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return false
	}
	var m mux.RouteMatch
	return r.Match(probe, &m) && m.MatchErr == nil
}
