package main

import (
	"fmt"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
)

var _ mfa.Store = (*ldapstore.Authenticators)(nil)

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
		Policy: mfa.PolicyConfig{Mode: a.SecondFactor, Groups: a.SecondFactorGroups}}, nil
}
