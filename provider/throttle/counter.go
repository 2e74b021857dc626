package throttle

import (
	"context"
	"time"
)

// Counter is one limit of failures per key, in this process (Limiter) or
// in a store shared by every instance (Shared). Errors are the store's:
// a Limiter never fails.
type Counter interface {
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
	Fail(ctx context.Context, key string) error
	Succeed(ctx context.Context, key string) error
}

// local adapts a Limiter to Counter.
type local struct{ l *Limiter }

func (c local) Allow(_ context.Context, key string) (bool, time.Duration, error) {
	ok, wait := c.l.Allow(key)
	return ok, wait, nil
}

func (c local) Fail(_ context.Context, key string) error {
	c.l.Fail(key)
	return nil
}

func (c local) Succeed(_ context.Context, key string) error {
	c.l.Succeed(key)
	return nil
}
