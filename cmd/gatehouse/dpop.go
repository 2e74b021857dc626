package main

import (
	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/provider"
)

// newDPoP configures DPoP proofs from op.dpop; nil when they are off.
func newDPoP(cfg *conf.Config) *provider.DPoP {
	d := cfg.OP.DPoP
	if !d.Enabled {
		return nil
	}
	return &provider.DPoP{Algs: d.Algs, MaxAge: d.MaxAge, ClockSkew: d.ClockSkew,
		Nonce: d.Nonce, NonceLifetime: d.NonceLifetime}
}
