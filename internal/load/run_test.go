package load

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock jumps to whatever time is waited for, plus lag: a generator
// whose timer always fires lag late.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
	lag time.Duration
}

func newFakeClock(lag time.Duration) *fakeClock {
	return &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), lag: lag}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) WaitUntil(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Add(c.lag).After(c.now) {
		c.now = t.Add(c.lag)
	}
	return ctx.Err()
}

// funcScenario adapts a function; it counts calls and checks that no
// worker index is used twice at once.
type funcScenario struct {
	setupErr error
	do       func(ctx context.Context, worker int) Result
	calls    atomic.Int64
	busy     sync.Map
	overlap  atomic.Bool
}

func (s *funcScenario) Name() string                { return "func" }
func (s *funcScenario) Setup(context.Context) error { return s.setupErr }
func (s *funcScenario) Do(ctx context.Context, worker int) Result {
	s.calls.Add(1)
	if _, loaded := s.busy.LoadOrStore(worker, true); loaded {
		s.overlap.Store(true)
	}
	defer s.busy.Delete(worker)
	if s.do == nil {
		return Result{}
	}
	return s.do(ctx, worker)
}

func TestOffsetsDoNotDrift(t *testing.T) {
	tests := []struct {
		i    int
		rate float64
		want time.Duration
	}{
		{i: 0, rate: 100, want: 0},
		{i: 1, rate: 100, want: 10 * time.Millisecond},
		{i: 3, rate: 3, want: time.Second},
		{i: 3_000_000, rate: 3, want: 1_000_000 * time.Second},
		{i: 1, rate: 0.5, want: 2 * time.Second},
	}
	for _, tc := range tests {
		if got := offset(tc.i, tc.rate); got != tc.want {
			t.Errorf("offset(%d, %v) = %v, want %v", tc.i, tc.rate, got, tc.want)
		}
	}
}

func TestClosedLoopRunsExactlyTheCount(t *testing.T) {
	// Every tenth iteration fails, whichever worker runs it: which worker
	// gets how many iterations is the scheduler's business.
	var n atomic.Int64
	sc := &funcScenario{do: func(context.Context, int) Result {
		if n.Add(1)%10 == 0 {
			return Result{Err: &StatusError{Step: "GET /", Status: 500}, Requests: 2}
		}
		return Result{Requests: 2}
	}}
	sum, err := Run(t.Context(), sc, Options{Workers: 4, Requests: 101})
	if err != nil {
		t.Fatal(err)
	}
	if sc.calls.Load() != 101 || sum.Iterations != 101 || sum.HTTPRequests != 202 {
		t.Errorf("calls %d, iterations %d, requests %d; want 101, 101, 202", sc.calls.Load(), sum.Iterations, sum.HTTPRequests)
	}
	if sum.OK+sum.Failures["http_500"] != 101 || sum.Failures["http_500"] == 0 || sum.Failed() != sum.Failures["http_500"] {
		t.Errorf("ok %d, failures %v", sum.OK, sum.Failures)
	}
	if sum.Mode != "closed" || sum.Workers != 4 || sc.overlap.Load() {
		t.Errorf("mode %s, workers %d, a worker index used twice at once: %v", sum.Mode, sum.Workers, sc.overlap.Load())
	}
}

func TestOpenLoopSchedulesByRateWithinDuration(t *testing.T) {
	sc := &funcScenario{}
	clk := newFakeClock(0)
	sum, err := Run(t.Context(), sc, Options{Rate: 10, Duration: 2 * time.Second, MaxInFlight: 1000, clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	// Due at 0, 0.1 s, …, 1.9 s: twenty; 2.0 s is the end.
	if sc.calls.Load() != 20 || sum.OK != 20 || sum.Mode != "open" || sum.Rate != 10 {
		t.Errorf("calls %d, ok %d, mode %s, rate %v; want 20 at 10/s", sc.calls.Load(), sum.OK, sum.Mode, sum.Rate)
	}
	if len(sum.Series) != 2 || sum.Series[0].OK != 10 || sum.Series[1].OK != 10 {
		t.Errorf("series %+v, want 10 ok in each of two seconds", sum.Series)
	}
}

// TestOpenLoopChargesLatenessToTheRequest: when the generator wakes late
// (because the machine or the server stalls it), the latency still runs
// from the scheduled time, so the stall shows in the percentiles.
func TestOpenLoopChargesLatenessToTheRequest(t *testing.T) {
	const lag = 50 * time.Millisecond
	sum, err := Run(t.Context(), &funcScenario{}, Options{Rate: 100, Requests: 30, MaxInFlight: 1000, clock: newFakeClock(lag)})
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 30 || sum.Quantile(0) < lag {
		t.Errorf("ok %d, smallest latency %v; want 30 iterations, none under the %v lag", sum.OK, sum.Quantile(0), lag)
	}
}

// TestOpenLoopDropsWhenTheBoundIsHit: with one slot held by a stuck
// iteration, the next scheduled ones are dropped and counted, not queued.
func TestOpenLoopDropsWhenTheBoundIsHit(t *testing.T) {
	release := make(chan struct{})
	var drops atomic.Int64
	sc := &funcScenario{do: func(context.Context, int) Result {
		<-release
		return Result{}
	}}
	opts := Options{Rate: 1000, Requests: 5, MaxInFlight: 1, clock: newFakeClock(0), OnResult: func(e Event) {
		if e.Class == ClassDropped && drops.Add(1) == 4 {
			close(release)
		}
	}}
	sum, err := Run(t.Context(), sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 1 || sum.Failures[ClassDropped] != 4 || sum.Iterations != 1 || sum.Failed() != 4 {
		t.Errorf("ok %d, failures %v, iterations %d; want 1 ok and 4 dropped", sum.OK, sum.Failures, sum.Iterations)
	}
}

func TestRunTimesOutAnIteration(t *testing.T) {
	sc := &funcScenario{do: func(ctx context.Context, _ int) Result {
		<-ctx.Done()
		return Result{Err: ctx.Err()}
	}}
	sum, err := Run(t.Context(), sc, Options{Requests: 1, Timeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failures[ClassTimeout] != 1 || sum.NoAnswers() != 1 {
		t.Errorf("failures %v, no answers %d; want one timeout", sum.Failures, sum.NoAnswers())
	}
}

func TestRunCanceledIsNotAFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	sc := &funcScenario{do: func(ictx context.Context, _ int) Result {
		cancel()
		<-ictx.Done()
		return Result{Err: ictx.Err()}
	}}
	sum, err := Run(ctx, sc, Options{Workers: 1, Requests: 10})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Canceled != 1 || sum.Failed() != 0 || sum.Iterations != 0 {
		t.Errorf("canceled %d, failures %v, iterations %d", sum.Canceled, sum.Failures, sum.Iterations)
	}
}

func TestRunRefusesBadOptionsAndFailedSetup(t *testing.T) {
	boom := errors.New("boom")
	if _, err := Run(t.Context(), &funcScenario{setupErr: boom}, Options{Requests: 1}); !errors.Is(err, boom) {
		t.Errorf("failed setup: %v", err)
	}
	sc := &funcScenario{}
	if _, err := Run(t.Context(), sc, Options{Rate: -1}); err == nil || sc.calls.Load() != 0 {
		t.Errorf("negative rate: %v, %d calls", err, sc.calls.Load())
	}
}

func TestTimeToRecover(t *testing.T) {
	tests := []struct {
		name   string
		series []Second
		fault  time.Duration
		want   time.Duration
		wantOK bool
	}{
		{name: "no failures", series: []Second{{OK: 5}, {OK: 5}}, fault: 0, want: 0, wantOK: true},
		{name: "failures before the fault are ignored", series: []Second{{Failed: 5}, {OK: 5}, {OK: 5}}, fault: time.Second, want: 0, wantOK: true},
		{name: "recovers two seconds after", series: []Second{{OK: 5}, {OK: 1, Failed: 4}, {Failed: 5}, {OK: 5}}, fault: 1500 * time.Millisecond, want: 1500 * time.Millisecond, wantOK: true},
		{name: "never recovers", series: []Second{{OK: 5}, {Failed: 5}, {}}, fault: time.Second, wantOK: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := TimeToRecover(tc.series, tc.fault)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("TimeToRecover = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
