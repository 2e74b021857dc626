package provider

import (
	"context"
	"errors"

	"github.com/gatehouse-idp/gatehouse/provider/flow"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/passkey"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
)

// StrongSignIn enables second factors (docs/strong-sign-in.md).
type StrongSignIn struct {
	// Authenticators keeps people's factors (ldap.authenticators.baseDN).
	Authenticators mfa.Store
	// Policy is op.authn; its GroupsOf is filled in from the directory.
	Policy mfa.PolicyConfig
	// Passkeys serves passkeys (op.authn.passkeys), where the issuer's
	// host can be a WebAuthn RP ID; PasskeyOrigins are further origins
	// the browser may report (the mTLS alias).
	Passkeys       bool
	PasskeyOrigins []string
}

// newStepUp is the policy the sign-in asks, or nil without strong sign-in.
func (s *Server) newStepUp(o Options) *mfa.Policy {
	st := o.SignIn.Strong
	if st == nil || st.Authenticators == nil {
		return nil
	}
	cfg := st.Policy
	cfg.Passkeys = s.passkeysServed(st)
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
	var passkeyPath string
	if s.passkeysServed(o.SignIn.Strong) {
		passkeyPath = s.issuer.Path + passkey.PathVerify
	}
	h, err := mfa.New(mfa.Options{PasskeyPath: passkeyPath,
		Store: o.SignIn.Strong.Authenticators, Sessions: f.Sessions, Flows: f.Flows,
		Throttle: throttle.NewLoginsOn(o.SignIn.KV, throttle.LoginOptions{}), Pages: s.pages,
		AESKey: o.Keys.Current().SecretKey(), Issuer: s.issuer.Host, Path: s.issuer.Path + "/mfa",
		CurrentSession: f.CurrentSession, Resume: f.Resume,
		Log: s.log.With("component", "mfa"), Now: clock(o),
	})
	s.mfa = h
	if err != nil || passkeyPath == "" {
		return err
	}
	return s.newPasskeys(o, f)
}

// passkeysServed: op.authn.passkeys, and an issuer whose host can be a
// relying party ID (not an IP address).
func (s *Server) passkeysServed(st *StrongSignIn) bool {
	if st == nil || !st.Passkeys {
		return false
	}
	if err := passkey.Usable(s.issuer); err != nil {
		s.log.Info("passkeys not served", "err", err)
		return false
	}
	return true
}

// newPasskeys builds the passkey pages and offers them on the login page.
func (s *Server) newPasskeys(o Options, f *flow.Handler) error {
	store, ok := o.SignIn.Strong.Authenticators.(passkey.Store)
	if !ok {
		return errors.New("provider: the authenticator store cannot find passkeys by credential ID")
	}
	people, ok := o.SignIn.Users.(passkey.People)
	if !ok { // a passkey sign-in must be able to ask for locked accounts
		return errors.New("provider: the directory cannot tell a passkey sign-in whether an account is locked")
	}
	h, err := passkey.New(passkey.Options{
		Store: store, People: people, KV: o.SignIn.KV,
		Sessions: f.Sessions, Flows: f.Flows, Pages: s.pages, Issuer: s.issuer,
		Origins: o.SignIn.Strong.PasskeyOrigins, AESKey: o.Keys.Current().SecretKey(),
		CurrentSession: f.CurrentSession, Resume: f.Resume, SignIn: f.SignInWith, Refuse: f.RefuseSignIn,
		Throttle: f.Throttle, Audit: o.Audit,
		SignInThenReturn: f.SignInThenReturn,
		StepUp:           f.StepUp, StepUpThenReturn: f.StepUpThenReturn,
		Log: s.log.With("component", "passkey"), Now: clock(o),
	})
	if err != nil {
		return err
	}
	s.passkey = h
	f.PasskeyPath = s.issuer.Path + passkey.PathSignIn
	return nil
}
