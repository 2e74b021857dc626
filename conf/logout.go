package conf

import "time"

// Logout configures back- and front-channel logout (docs/logout.md).
type Logout struct {
	Backchannel  Backchannel  `yaml:"backchannel"`
	Frontchannel Frontchannel `yaml:"frontchannel"`
}

// Backchannel bounds the delivery of logout tokens.
type Backchannel struct {
	// Timeout bounds one POST to a client.
	Timeout time.Duration `yaml:"timeout"`
	// Attempts is how many POSTs a client gets in all before giving up.
	Attempts int `yaml:"attempts"`
	// RetryDelay is the wait before the second attempt; it doubles for
	// each one after (at most 5 minutes).
	RetryDelay time.Duration `yaml:"retryDelay"`
	// Workers is the number of deliveries this instance runs at once.
	Workers int `yaml:"workers"`
}

// Frontchannel bounds the wait of the signed-out page.
type Frontchannel struct {
	// Wait is how long the page waits for the clients' logout frames
	// before going on to the post_logout_redirect_uri.
	Wait time.Duration `yaml:"wait"`
}

// Bounds of op.logout.
const (
	maxLogoutTimeout  = time.Minute
	maxLogoutAttempts = 20
	maxLogoutWorkers  = 64
	maxLogoutWait     = 30 * time.Second
)

func defaultLogout() Logout {
	return Logout{
		Backchannel:  Backchannel{Timeout: 5 * time.Second, Attempts: 5, RetryDelay: 2 * time.Second, Workers: 2},
		Frontchannel: Frontchannel{Wait: 5 * time.Second},
	}
}

func checkLogout(c *Config, r *report) {
	b, f := c.OP.Logout.Backchannel, c.OP.Logout.Frontchannel
	if r.positive("op.logout.backchannel.timeout", b.Timeout) && b.Timeout > maxLogoutTimeout {
		r.add("op.logout.backchannel.timeout", "must not exceed %s, not %s", maxLogoutTimeout, b.Timeout)
	}
	if b.Attempts < 1 || b.Attempts > maxLogoutAttempts {
		r.add("op.logout.backchannel.attempts", "must be between 1 and %d, not %d", maxLogoutAttempts, b.Attempts)
	}
	r.positive("op.logout.backchannel.retryDelay", b.RetryDelay)
	if b.Workers < 1 || b.Workers > maxLogoutWorkers {
		r.add("op.logout.backchannel.workers", "must be between 1 and %d, not %d", maxLogoutWorkers, b.Workers)
	}
	if r.positive("op.logout.frontchannel.wait", f.Wait) && (f.Wait > maxLogoutWait || f.Wait < time.Second) {
		r.add("op.logout.frontchannel.wait", "must be between 1s and %s, not %s", maxLogoutWait, f.Wait)
	}
}
