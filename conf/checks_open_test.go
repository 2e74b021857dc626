package conf

import "testing"

func TestValidateOpenPrivateAddresses(t *testing.T) {
	set := func(open, private bool) func(*Config) {
		return func(c *Config) { c.OP.Reg.AllowOpenRegistration, c.OP.Reg.AllowOpenPrivateAddresses = open, private }
	}
	runValidationCases(t, []validationCase{
		{name: "neither", change: set(false, false)},
		{name: "open registration, guarded", change: set(true, false)},
		{name: "a lab: open, private addresses allowed", change: set(true, true)},
		{name: "private addresses without open registration", change: set(false, true), want: []string{
			"op.reg.allowOpenPrivateAddresses: is for a lab with op.reg.allowOpenRegistration: true; without it, leave it false",
		}},
	})
}
