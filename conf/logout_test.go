package conf

import (
	"testing"
	"time"
)

func TestValidateLogout(t *testing.T) {
	bc := func(f func(*Backchannel)) func(*Config) { return func(c *Config) { f(&c.OP.Logout.Backchannel) } }
	runValidationCases(t, []validationCase{
		{name: "the defaults", change: func(*Config) {}},
		{name: "timeout of a minute", change: bc(func(b *Backchannel) { b.Timeout = time.Minute })},
		{name: "timeout too long", change: bc(func(b *Backchannel) { b.Timeout = 2 * time.Minute }), want: []string{
			"op.logout.backchannel.timeout: must not exceed 1m0s, not 2m0s",
		}},
		{name: "negative timeout", change: bc(func(b *Backchannel) { b.Timeout = -time.Second }), want: []string{
			"op.logout.backchannel.timeout: must be positive, not -1s",
		}},
		{name: "too many attempts", change: bc(func(b *Backchannel) { b.Attempts = 21 }), want: []string{
			"op.logout.backchannel.attempts: must be between 1 and 20, not 21",
		}},
		{name: "negative retry delay and workers", change: bc(func(b *Backchannel) { b.RetryDelay, b.Workers = -time.Second, -1 }), want: []string{
			"op.logout.backchannel.retryDelay: must be positive, not -1s",
			"op.logout.backchannel.workers: must be between 1 and 64, not -1",
		}},
		{name: "front-channel wait too long", change: func(c *Config) { c.OP.Logout.Frontchannel.Wait = time.Minute }, want: []string{
			"op.logout.frontchannel.wait: must be between 1s and 30s, not 1m0s",
		}},
	})
}
