package main

import (
	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/provider"
)

// newDevice configures the device authorization grant (op.device).
func newDevice(cfg *conf.Config) *provider.Device {
	return &provider.Device{Lifetime: cfg.OP.Device.Lifetime, Interval: cfg.OP.Device.Interval}
}
