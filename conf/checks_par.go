package conf

import "time"

// Bounds of op.par.lifetime: RFC 9126 §2.2 suggests 5 to 600 seconds, and
// FAPI 2.0 makes 600 a maximum. A second is allowed below that, for tests
// of expiry.
const (
	minPARLifetime = time.Second
	maxPARLifetime = 10 * time.Minute
)

func checkPAR(c *Config, r *report) {
	d := c.OP.PAR.Lifetime
	if d < minPARLifetime || d > maxPARLifetime || d%time.Second != 0 {
		r.add("op.par.lifetime", "must be whole seconds from %s to %s, not %s", minPARLifetime, maxPARLifetime, d)
	}
}
