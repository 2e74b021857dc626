package conf

import "time"

// DPoP configures DPoP (RFC 9449): sender-constrained tokens bound to a
// key the client proves it holds on every request.
type DPoP struct {
	// Enabled makes the token endpoint read DPoP proofs and bind tokens;
	// off, a DPoP header is ignored (§5: a server that does not do DPoP
	// issues Bearer tokens).
	Enabled bool `yaml:"enabled"`
	// Algs are the JWS algorithms accepted for proofs.
	Algs []string `yaml:"algs"`
	// MaxAge is how old a proof's iat may be; ClockSkew how far ahead.
	MaxAge    time.Duration `yaml:"maxAge"`
	ClockSkew time.Duration `yaml:"clockSkew"`
	// Nonce requires server-provided nonces (RFC 9449 §8, §9);
	// NonceLifetime is how long each is good for (one to two lifetimes).
	Nonce         bool          `yaml:"nonce"`
	NonceLifetime time.Duration `yaml:"nonceLifetime"`
}

// maxDPoPWindow bounds maxAge and clockSkew: a proof is made for one
// request, and the replay cache keeps every jti for the whole window.
const maxDPoPWindow = 10 * time.Minute

func supportedDPoPAlgs() []string {
	return []string{"ES256", "ES384", "ES512", "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
}

func checkDPoP(c *Config, r *report) {
	d := c.OP.DPoP
	if d.Enabled && len(d.Algs) == 0 {
		r.add("op.dpop.algs", "needs at least one algorithm while op.dpop.enabled is true")
	}
	r.subset("op.dpop.algs", d.Algs, supportedDPoPAlgs(), "asymmetric JWS algorithm")
	for _, w := range []struct {
		path string
		v    time.Duration
	}{{"op.dpop.maxAge", d.MaxAge}, {"op.dpop.clockSkew", d.ClockSkew}} {
		if r.positive(w.path, w.v) && w.v > maxDPoPWindow {
			r.add(w.path, "must not exceed %s, not %s", maxDPoPWindow, w.v)
		}
	}
	if r.positive("op.dpop.nonceLifetime", d.NonceLifetime) && d.NonceLifetime > time.Hour {
		r.add("op.dpop.nonceLifetime", "must not exceed 1h, not %s", d.NonceLifetime)
	}
}
