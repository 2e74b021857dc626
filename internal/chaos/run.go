package chaos

import (
	"context"
	"errors"
	"time"
)

// Run starts the world, runs the phase of every selected fault in turn
// and stops everything. It returns the results of the phases that ran; an
// error means the suite could not go on (a server would not start, a
// fault could not be healed), not that a fault showed a problem: that is
// in the results (AnyFailed).
func Run(ctx context.Context, cfg Config) (results []*Result, err error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	progress(cfg, "chaos: starting two OpenLDAP servers with %d users, Redis and a proxy", cfg.Users)
	w, err := startWorld(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, w.Close()) }()
	for _, f := range selected(cfg.Faults) {
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		progress(cfg, "chaos: %s — %s", f.Name, f.What)
		begun := time.Now()
		r, err := runPhase(ctx, w, f, cfg)
		if err != nil {
			return results, err
		}
		progress(cfg, "  done in %.0fs: %d iterations, %d ok", time.Since(begun).Seconds(), r.Iterations, r.OK)
		results = append(results, r)
	}
	return results, nil
}
