package load

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Run sets sc up and then runs it as opts say, and returns what it
// measured. An error means the run could not happen (bad options, a
// failed Setup); failures of iterations are in the Summary. Cancelling
// ctx stops the run early: iterations in flight end as "canceled".
func Run(ctx context.Context, sc Scenario, opts Options) (*Summary, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if err := setup(ctx, sc, opts.SetupTimeout); err != nil {
		return nil, err
	}
	rss := startRSSSampler(opts.PID)
	r := &run{sc: sc, opts: opts, rec: newRecorder(opts.OnResult), start: opts.clock.Now()}
	if opts.Open() {
		r.openLoop(ctx)
	} else {
		r.closedLoop(ctx)
	}
	elapsed := opts.clock.Now().Sub(r.start)
	return r.rec.summary(sc.Name(), opts, elapsed, rss.stop()), nil
}

func setup(ctx context.Context, sc Scenario, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := sc.Setup(ctx); err != nil {
		return fmt.Errorf("load: set up %s: %w", sc.Name(), err)
	}
	return nil
}

// run is one Run in progress.
type run struct {
	sc    Scenario
	opts  Options
	rec   *recorder
	start time.Time
}

func (r *run) deadline() time.Time { return r.start.Add(r.opts.Duration) }

// closedLoop runs Workers workers, each starting its next iteration as
// soon as the last one ended, until the count or the time is used up.
func (r *run) closedLoop(ctx context.Context) {
	var started atomic.Int64
	var wg sync.WaitGroup
	for w := range r.opts.Workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if r.opts.Requests > 0 && started.Add(1) > int64(r.opts.Requests) {
					return
				}
				now := r.opts.clock.Now()
				if !now.Before(r.deadline()) {
					return
				}
				r.iterate(ctx, w, now)
			}
		})
	}
	wg.Wait()
}

// openLoop starts iterations on a fixed schedule. Each iteration's
// latency runs from its scheduled time, so a generator that falls behind
// (because the server is slow and the in-flight bound is near) still
// charges the wait to the server. Iterations that find every slot taken
// are dropped and counted, never queued.
func (r *run) openLoop(ctx context.Context) {
	slots := make(chan int, r.opts.MaxInFlight)
	for w := range r.opts.MaxInFlight {
		slots <- w
	}
	var wg sync.WaitGroup
	for i := 0; r.opts.Requests == 0 || i < r.opts.Requests; i++ {
		at := r.start.Add(offset(i, r.opts.Rate))
		if !at.Before(r.deadline()) || r.opts.clock.WaitUntil(ctx, at) != nil {
			break
		}
		select {
		case w := <-slots:
			wg.Go(func() {
				defer func() { slots <- w }()
				r.iterate(ctx, w, at)
			})
		default:
			r.rec.dropped(at.Sub(r.start))
		}
	}
	wg.Wait()
}

// iterate runs one iteration that was due at scheduled and records it.
func (r *run) iterate(ctx context.Context, worker int, scheduled time.Time) {
	ictx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	res := r.sc.Do(ictx, worker)
	cancel()
	done := r.opts.clock.Now()
	r.rec.record(scheduled.Sub(r.start), done.Sub(scheduled), Classify(ctx, res.Err), max(res.Requests, 1))
}
