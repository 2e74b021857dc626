package conf

import (
	"testing"
	"time"
)

func TestValidateDPoP(t *testing.T) {
	dpop := func(edit func(d *DPoP)) func(*Config) { return func(c *Config) { edit(&c.OP.DPoP) } }
	runValidationCases(t, []validationCase{
		{name: "on with nonces", change: dpop(func(d *DPoP) { d.Enabled, d.Nonce = true, true })},
		{name: "on without algorithms", change: dpop(func(d *DPoP) { d.Enabled, d.Algs = true, []string{} }), want: []string{
			"op.dpop.algs: needs at least one algorithm while op.dpop.enabled is true",
		}},
		{name: "symmetric algorithm", change: dpop(func(d *DPoP) { d.Algs = []string{"ES256", "HS256"} }), want: []string{
			`op.dpop.algs[1]: unsupported asymmetric JWS algorithm "HS256"`,
		}},
		{name: "windows", change: dpop(func(d *DPoP) { d.MaxAge, d.ClockSkew, d.NonceLifetime = time.Hour, -time.Second, 2*time.Hour }), want: []string{
			"op.dpop.maxAge: must not exceed 10m0s, not 1h0m0s",
			"op.dpop.clockSkew: must be positive, not -1s",
			"op.dpop.nonceLifetime: must not exceed 1h, not 2h0m0s",
		}},
	})
}

func TestParseDPoP(t *testing.T) {
	cfg, err := Parse([]byte(minimalYAML+"op:\n  dpop: {enabled: true, nonce: true, maxAge: 30s}\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.OP.DPoP
	if !d.Enabled || !d.Nonce || d.MaxAge != 30*time.Second || d.ClockSkew != 5*time.Second || len(d.Algs) != 4 {
		t.Errorf("op.dpop = %+v", d)
	}
}
