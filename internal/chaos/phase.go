package chaos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load"
	"github.com/gatehouse-idp/gatehouse/internal/load/rig"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
)

// Bounds of a phase's preparation.
const (
	readyWait = 20 * time.Second
	// slack covers the time injecting and healing take (a slapd start)
	// so that the recovery window is not cut short by them.
	slack = 3 * time.Second
	// logLines bounds the server's error lines kept for a failed phase.
	logLines = 20
)

// runPhase starts a Gatehouse for f, loads it, injects, holds, heals and
// measures. An error means the phase could not be run or its fault not
// healed: the world is broken and the run stops.
func runPhase(ctx context.Context, w *World, f Fault, cfg Config) (*Result, error) {
	g, err := rig.StartGatehouse(ctx, w.gatehouseOptions(cfg, f.URLs(w), f.Redis))
	if err != nil {
		return nil, err
	}
	res, err := loadThrough(ctx, w, g, f, cfg)
	if stopErr := g.Stop(); stopErr != nil && res != nil {
		res.Problems = append(res.Problems, "gatehouse did not stop cleanly: "+stopErr.Error())
	}
	if res != nil && res.Failed() {
		res.Log = errorLines(g.Output(), logLines)
	}
	return res, err
}

func loadThrough(ctx context.Context, w *World, g *rig.Gatehouse, f Fault, cfg Config) (*Result, error) {
	if err := waitReady(ctx, g.URL); err != nil {
		return nil, err
	}
	fails := &failureLog{}
	streams, err := prepare(ctx, w, g, cfg, fails)
	if err != nil {
		return nil, err
	}
	t := &tally{}
	total := cfg.Timing.Steady + cfg.Timing.Hold + cfg.Timing.Recover + slack
	sums := make([]*load.Summary, len(streams))
	errs := make([]error, len(streams))
	var wg sync.WaitGroup
	start := time.Now()
	for i, s := range streams {
		opts := load.Options{Rate: s.rate, MaxInFlight: s.maxInFlight, Duration: total,
			Timeout: 2 * cfg.RequestTimeout, OnResult: t.observe}
		wg.Go(func() { sums[i], errs[i] = load.Run(ctx, s.sc, opts) })
	}
	win, faultErr := inject(ctx, w, f, cfg, start)
	wg.Wait()
	if err := errors.Join(append(errs, faultErr)...); err != nil {
		return nil, err
	}
	r := &Result{Fault: f.Name, figures: t.figures(win), Window: win, Streams: sums, Kinds: fails.sorted()}
	for _, s := range sums {
		r.HTTPRequests += s.HTTPRequests
	}
	r.judge(total - win.heal)
	return r, nil
}

// inject waits out the steady part, injects, holds and heals, and
// returns when the fault held, from start. It heals even when the
// injection failed or the run was interrupted.
func inject(ctx context.Context, w *World, f Fault, cfg Config, start time.Time) (window, error) {
	var win window
	if err := sleepCtx(ctx, time.Until(start.Add(cfg.Timing.Steady))); err != nil {
		return win, err
	}
	progress(cfg, "  inject %s", f.Name)
	win.inject = time.Since(start)
	injectErr := f.Inject(ctx, w, cfg)
	holdErr := sleepCtx(ctx, cfg.Timing.Hold)
	progress(cfg, "  heal %s", f.Name)
	win.heal = time.Since(start)
	// The heal must happen even on an interrupted run: a stopped slapd
	// would otherwise outlive it.
	healErr := f.Heal(context.WithoutCancel(ctx), w, cfg)
	if injectErr != nil || healErr != nil {
		return win, fmt.Errorf("chaos: %s: %w", f.Name, errors.Join(injectErr, healErr))
	}
	return win, holdErr
}

// stream is a scenario set up and ready to run.
type stream struct {
	sc          load.Scenario
	rate        float64
	maxInFlight int
}

// prepare builds and sets up every stream's scenario before the load
// starts, so that the streams start together, and warms the server's
// client-secret cache with one token request: that first Argon2id check
// is start-up cost, not the fault's.
func prepare(ctx context.Context, w *World, g *rig.Gatehouse, cfg Config, fails *failureLog) ([]stream, error) {
	var out []stream
	for _, s := range cfg.Load {
		sc, err := scenarios.New(s.Scenario, scenarios.Config{
			Target: g.URL, ClientID: w.Client.ID, ClientSecret: w.Client.Secret,
			RedirectURI: w.Client.RedirectURI, Users: w.Users, Workers: s.MaxInFlight, Timeout: cfg.RequestTimeout,
		})
		if err != nil {
			return nil, err
		}
		if err := sc.Setup(ctx); err != nil {
			return nil, fmt.Errorf("chaos: set up %s: %w", s.Scenario, err)
		}
		out = append(out, stream{sc: setUp{observed{sc, fails}}, rate: s.Rate, maxInFlight: s.MaxInFlight})
	}
	warm, err := scenarios.New("client-credentials", scenarios.Config{Target: g.URL, ClientID: w.Client.ID,
		ClientSecret: w.Client.Secret, Timeout: cfg.RequestTimeout})
	if err != nil {
		return nil, err
	}
	if res := warm.Do(ctx, 0); res.Err != nil {
		return nil, fmt.Errorf("chaos: warm-up token request: %w", res.Err)
	}
	return out, nil
}

// setUp is a scenario whose Setup already ran.
type setUp struct{ load.Scenario }

func (setUp) Setup(context.Context) error { return nil }

// waitReady polls /health/ready until every store answers.
func waitReady(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, readyWait)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/health/ready", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close() // only the status matters
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("chaos: %s not ready: %w", base, err)
		}
	}
}

func progress(cfg Config, format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, format+"\n", args...)
	}
}
