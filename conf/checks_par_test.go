package conf

import (
	"testing"
	"time"
)

func TestValidatePAR(t *testing.T) {
	lifetime := func(d time.Duration) func(*Config) { return func(c *Config) { c.OP.PAR.Lifetime = d } }
	runValidationCases(t, []validationCase{
		{name: "one second", change: lifetime(time.Second)},
		{name: "ten minutes, required", change: func(c *Config) { c.OP.PAR.Lifetime = 10 * time.Minute; c.OP.PAR.Require = true }},
		{name: "zero", change: lifetime(0), want: []string{"op.par.lifetime: must be whole seconds from 1s to 10m0s, not 0s"}},
		{name: "above ten minutes", change: lifetime(11 * time.Minute), want: []string{"op.par.lifetime: must be whole seconds from 1s to 10m0s, not 11m0s"}},
		{name: "fractional", change: lifetime(1500 * time.Millisecond), want: []string{"op.par.lifetime: must be whole seconds from 1s to 10m0s, not 1.5s"}},
	})
}
