package main

import (
	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/provider"
)

// newLogout maps op.logout onto the provider's back- and front-channel
// logout.
func newLogout(cfg *conf.Config) *provider.Logout {
	b := cfg.OP.Logout.Backchannel
	return &provider.Logout{
		Timeout: b.Timeout, Attempts: b.Attempts, RetryDelay: b.RetryDelay, Workers: b.Workers,
		FrontChannelWait: cfg.OP.Logout.Frontchannel.Wait,
	}
}
