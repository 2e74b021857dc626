package load

import (
	"context"
	"time"
)

// clock is the time source of a run, replaced in tests of the scheduling.
type clock interface {
	Now() time.Time
	// WaitUntil returns at t, or with ctx's error when ctx ends first.
	WaitUntil(ctx context.Context, t time.Time) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) WaitUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
