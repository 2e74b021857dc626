package cluster

import (
	"context"
	"time"
)

// Timeline of a run, from the start of the load. Each fault has a window
// of faultWindow from its injection: the time it takes nginx, the pool's
// breakers and Sentinel to route around it, with a margin. Failures
// outside every window fail the run.
const (
	runFor      = 75 * time.Second
	faultWindow = 10 * time.Second
	// restartAfter is how long the killed Gatehouse stays dead.
	restartAfter = 5 * time.Second
)

// fault is one thing the run breaks.
type fault struct {
	Name   string
	At     time.Duration // from the start of the load
	Inject func(ctx context.Context, w *world) error
}

// faults are the run's faults, in order. The LDAP provider killed is A,
// the one every instance writes to (first in ldap.urls): the hard case.
// It is not started again, so that the check afterwards reads only what
// reached B.
func faults() []fault {
	return []fault{
		{Name: "gatehouse 2 killed (SIGKILL), started 5 s later", At: 15 * time.Second,
			Inject: func(ctx context.Context, w *world) error {
				g := w.Gatehouses[1]
				if err := g.Kill(); err != nil {
					return err
				}
				if err := sleepCtx(ctx, restartAfter); err != nil {
					return err
				}
				return g.Start(ctx)
			}},
		{Name: "redis master killed, Sentinel promotes the replica", At: 30 * time.Second,
			Inject: func(_ context.Context, w *world) error { return w.Redis.Master.Close() }},
		{Name: "ldap provider A killed (SIGKILL)", At: 45 * time.Second,
			Inject: func(_ context.Context, w *world) error { return w.LDAP.A.Kill() }},
	}
}

// window is when a fault was injected, from the start of the load.
type window struct {
	Name       string
	Start, End time.Duration
}

func (w window) overlaps(from, to time.Duration) bool { return from < w.End && to >= w.Start }
