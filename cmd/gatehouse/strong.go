package main

import (
	"fmt"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/passkey"
)

var (
	_ mfa.Store      = (*ldapstore.Authenticators)(nil)
	_ passkey.Store  = (*ldapstore.Authenticators)(nil)
	_ passkey.People = (*ldapstore.Users)(nil)
)

// newStrongSignIn builds the second-factor store and policy; nil when
// ldap.authenticators.baseDN is empty or op.authn.secondFactor is off.
func newStrongSignIn(cfg *conf.Config, pool *ldapstore.Pool) (*provider.StrongSignIn, error) {
	base, a := cfg.LDAP.Authenticators.BaseDN, cfg.OP.Authn
	if base == "" || a.SecondFactor == mfa.ModeOff {
		return nil, nil
	}
	store, err := ldapstore.NewAuthenticators(pool, base)
	if err != nil {
		return nil, asUsage(fmt.Errorf("ldap.authenticators.baseDN: %w", err))
	}
	return &provider.StrongSignIn{Authenticators: store,
		Policy:   mfa.PolicyConfig{Mode: a.SecondFactor, Groups: a.SecondFactorGroups},
		Passkeys: a.PasskeysOn(), PasskeyOrigins: passkeyOrigins(cfg)}, nil
}

// passkeyOrigins are the origins besides the issuer's that passkey pages
// may be served from: the mTLS alias host (op.tls.mtlsBaseURL).
func passkeyOrigins(cfg *conf.Config) []string {
	u, err := url.Parse(cfg.OP.TLS.MTLSBaseURL)
	if cfg.OP.TLS.MTLSBaseURL == "" || err != nil || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}
