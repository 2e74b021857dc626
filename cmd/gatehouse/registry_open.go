package main

import (
	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/provider/registration"
)

// withOpenPrivate carries op.reg.allowOpenPrivateAddresses into the
// registration policy (docs/ssrf.md).
func withOpenPrivate(c registration.Config, op conf.OP) registration.Config {
	c.Policy.OpenPrivateAddresses = op.Reg.AllowOpenPrivateAddresses
	return c
}
