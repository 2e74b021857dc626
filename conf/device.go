package conf

import "time"

// Device configures the device authorization grant (RFC 8628).
type Device struct {
	// Lifetime is how long a device code and its user code wait for the
	// person (expires_in).
	Lifetime time.Duration `yaml:"lifetime"`
	// Interval is how often the device may poll the token endpoint; a
	// device polling faster gets slow_down and 5 seconds more.
	Interval time.Duration `yaml:"interval"`
}

// maxDeviceLifetime bounds op.device.lifetime: a user code of 8 letters
// must not stay guessable for long (RFC 8628 §5.1).
const maxDeviceLifetime = 30 * time.Minute

func checkDevice(c *Config, r *report) {
	d := c.OP.Device
	if r.positive("op.device.lifetime", d.Lifetime) && d.Lifetime > maxDeviceLifetime {
		r.add("op.device.lifetime", "must be at most %s, not %s", maxDeviceLifetime, d.Lifetime)
	}
	if r.positive("op.device.interval", d.Interval) && d.Interval >= d.Lifetime {
		r.add("op.device.interval", "must be shorter than op.device.lifetime (%s), not %s", d.Lifetime, d.Interval)
	}
}
