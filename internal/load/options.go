package load

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of Options.
const (
	// DefaultDuration bounds a run that names only a count, so that a
	// stalled server cannot keep it going for ever.
	DefaultDuration = 5 * time.Minute
	// DefaultTimeout bounds one iteration.
	DefaultTimeout = 10 * time.Second
	// DefaultSetupTimeout bounds a scenario's Setup (sign-ins for every
	// worker on a slow machine).
	DefaultSetupTimeout = 2 * time.Minute
)

// Options bound and shape a run. A run always ends: after Requests
// iterations or after Duration, whichever comes first.
type Options struct {
	// Workers is the number of concurrent workers of the closed loop
	// (default 1), and the default of MaxInFlight in the open loop.
	Workers int
	// Requests bounds the number of iterations started; 0 means only
	// Duration bounds the run.
	Requests int
	// Duration bounds the time during which iterations are started
	// (default DefaultDuration); those in flight at its end finish.
	Duration time.Duration
	// Rate, when positive, makes the run open-loop: this many iterations
	// are scheduled per second, whatever the server's speed.
	Rate float64
	// MaxInFlight bounds the open loop's iterations in flight (default
	// Workers); a scheduled iteration that finds the bound hit is dropped.
	MaxInFlight int
	// Timeout bounds each iteration (default DefaultTimeout).
	Timeout time.Duration
	// SetupTimeout bounds the scenario's Setup (default DefaultSetupTimeout).
	SetupTimeout time.Duration
	// PID, when positive, is a process whose peak resident memory is
	// sampled during the run (Linux /proc).
	PID int
	// OnResult, when set, is told of every iteration as it ends (and of
	// every dropped one). It is called from many goroutines at once and
	// must be quick.
	OnResult func(Event)

	clock clock // nil: the real one
}

// Event is one iteration's outcome, for Options.OnResult.
type Event struct {
	// At is the iteration's scheduled start, from the start of the run.
	At      time.Duration
	Class   string
	Latency time.Duration // zero for dropped iterations
}

// Open tells whether the run is open-loop.
func (o Options) Open() bool { return o.Rate > 0 }

// Slots is the number of worker indexes a Scenario's Do is called with:
// Workers in the closed loop, MaxInFlight in the open one.
func (o Options) Slots() int {
	o = o.withDefaults()
	if o.Open() {
		return o.MaxInFlight
	}
	return o.Workers
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = 1
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = o.Workers
	}
	if o.Duration <= 0 {
		o.Duration = DefaultDuration
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.SetupTimeout <= 0 {
		o.SetupTimeout = DefaultSetupTimeout
	}
	if o.clock == nil {
		o.clock = realClock{}
	}
	return o
}

func (o Options) validate() error {
	var errs []error
	if o.Workers < 0 || o.Requests < 0 || o.MaxInFlight < 0 || o.Duration < 0 || o.Timeout < 0 || o.SetupTimeout < 0 {
		errs = append(errs, errors.New("load: workers, requests, max in flight, duration and timeout must not be negative"))
	}
	if o.Rate < 0 {
		errs = append(errs, fmt.Errorf("load: rate %v must not be negative", o.Rate))
	}
	return errors.Join(errs...)
}

// offset is when iteration i of an open-loop run at rate per second is
// due, from the start of the run. Computing each from i, not by adding
// intervals, keeps rounding from drifting over a long run.
func offset(i int, rate float64) time.Duration {
	return time.Duration(float64(i) * float64(time.Second) / rate)
}
