package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
)

// iterationTimeout bounds one iteration: a full code flow is seven
// requests, each bounded by requestTimeout.
const (
	iterationTimeout = 30 * time.Second
	requestTimeout   = 10 * time.Second
)

// stream is one scenario at a constant arrival rate.
type stream struct {
	sc          load.Scenario
	rate        float64
	maxInFlight int
}

// run drives the load through nginx for runFor while the faults happen,
// and returns what it recorded and when each fault was injected.
func run(ctx context.Context, w *world, progress io.Writer) (*recorder, []window, error) {
	if err := w.warmUp(ctx); err != nil {
		return nil, nil, err
	}
	rec := newRecorder()
	streams, err := w.streams(rec)
	if err != nil {
		return nil, nil, err
	}
	rec.start = time.Now()
	errs := make([]error, len(streams))
	var wg sync.WaitGroup
	for i, s := range streams {
		opts := load.Options{Rate: s.rate, MaxInFlight: s.maxInFlight, Duration: runFor,
			Timeout: iterationTimeout, OnResult: rec.dropped(s.sc.Name())}
		wg.Go(func() { _, errs[i] = load.Run(ctx, recorded{s.sc, rec}, opts) })
	}
	var wins []window
	var faultErr error
	for _, f := range faults() {
		if faultErr = sleepCtx(ctx, time.Until(rec.start.Add(f.At))); faultErr != nil {
			break
		}
		at := rec.since()
		fmt.Fprintf(progress, "cluster: %5.1fs %s\n", at.Seconds(), f.Name)
		wins = append(wins, window{Name: f.Name, Start: at, End: at + faultWindow})
		if faultErr = f.Inject(ctx, w); faultErr != nil {
			faultErr = fmt.Errorf("cluster: %s: %w", f.Name, faultErr)
			break
		}
	}
	wg.Wait()
	return rec, wins, errors.Join(append(errs, faultErr)...)
}

// streams are the run's load: full code flows (a new consent each),
// client_credentials, and registrations.
func (w *world) streams(rec *recorder) ([]stream, error) {
	cfg := scenarios.Config{Target: w.Balancer.URL, ClientID: w.Client.ID, ClientSecret: w.Client.Secret,
		RedirectURI: w.Client.RedirectURI, Users: w.Users, Workers: 64, Timeout: requestTimeout, OnConsent: rec.consent}
	full, err := scenarios.New("code-flow-full", cfg)
	if err != nil {
		return nil, err
	}
	cc, err := scenarios.New("client-credentials", cfg)
	if err != nil {
		return nil, err
	}
	return []stream{
		{sc: full, rate: 5, maxInFlight: 64},
		{sc: cc, rate: 20, maxInFlight: 64},
		{sc: registering{base: w.Balancer.URL, token: w.MasterToken, r: rec}, rate: 1, maxInFlight: 8},
	}, nil
}

// warmUp asks each instance directly for one client_credentials token
// before the load starts: the first check of the client's secret is an
// Argon2id run per instance (then cached), start-up cost that on a busy
// machine would otherwise fail the first second's requests past their
// deadline and be counted against the steady phase.
func (w *world) warmUp(ctx context.Context) error {
	for i, g := range w.Gatehouses {
		sc, err := scenarios.New("client-credentials", scenarios.Config{Target: g.URL, ClientID: w.Client.ID,
			ClientSecret: w.Client.Secret, Timeout: requestTimeout})
		if err != nil {
			return err
		}
		if res := sc.Do(ctx, 0); res.Err != nil {
			return fmt.Errorf("cluster: warm-up of gatehouse %d: %w", i+1, res.Err)
		}
	}
	return nil
}
