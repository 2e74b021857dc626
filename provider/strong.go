package provider

import (
	"context"

	"github.com/gatehouse-idp/gatehouse/provider/flow"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
)

// StrongSignIn enables second factors (docs/strong-sign-in.md).
type StrongSignIn struct {
	// Authenticators keeps people's factors (ldap.authenticators.baseDN).
	Authenticators mfa.Store
	// Policy is op.authn; its GroupsOf is filled in from the directory.
	Policy mfa.PolicyConfig
}

// newStepUp is the policy the sign-in asks, or nil without strong sign-in.
func (s *Server) newStepUp(o Options) *mfa.Policy {
	st := o.SignIn.Strong
	if st == nil || st.Authenticators == nil {
		return nil
	}
	cfg := st.Policy
	users, claim := o.SignIn.Users, o.SignIn.GroupsClaim
	cfg.GroupsOf = func(ctx context.Context, subject string) ([]string, error) {
		u, err := users.Lookup(ctx, subject)
		if err != nil {
			return nil, err
		}
		switch g := u.Claims[claim].(type) {
		case []string:
			return g, nil
		case string:
			return []string{g}, nil
		}
		return nil, nil
	}
	p := mfa.NewPolicy(cfg, st.Authenticators)
	s.acrValues = p.SupportedACRValues()
	return p
}

// newMFA builds /mfa once the flow exists, which it resumes.
func (s *Server) newMFA(o Options, f *flow.Handler) error {
	if f.StepUp == nil {
		return nil
	}
	h, err := mfa.New(mfa.Options{
		Store: o.SignIn.Strong.Authenticators, Sessions: f.Sessions, Flows: f.Flows,
		Throttle: throttle.NewLoginsOn(o.SignIn.KV, throttle.LoginOptions{}), Pages: s.pages,
		AESKey: o.Keys.Current().SecretKey(), Issuer: s.issuer.Host, Path: s.issuer.Path + "/mfa",
		CurrentSession: f.CurrentSession, Resume: f.Resume,
		Log: s.log.With("component", "mfa"), Now: clock(o),
	})
	s.mfa = h
	return err
}
