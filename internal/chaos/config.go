package chaos

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Config is what a suite run does.
type Config struct {
	// Binary is the gatehouse executable (bin/gatehouse).
	Binary string
	// Users is the number of generated people in the directories.
	Users int
	// Timing is the length of each part of a phase.
	Timing Timing
	// Load is what runs during every phase, concurrently.
	Load []Stream
	// Faults names the faults to inject, in order; empty runs them all.
	Faults []string
	// RequestDeadline is Gatehouse's http.requestTimeout; LDAPTimeout its
	// ldap.timeout and ldap.probeTimeout; ProbeInterval its
	// ldap.probeInterval. Short values make faults resolve quickly.
	RequestDeadline time.Duration
	LDAPTimeout     time.Duration
	ProbeInterval   time.Duration
	// Slowdown is the latency the proxy adds to the slowed directory's
	// answers.
	Slowdown time.Duration
	// RequestTimeout is the load generator's bound on one HTTP request:
	// comfortably above RequestDeadline, so that a timeout means the
	// server dropped the request rather than answered late.
	RequestTimeout time.Duration
	// Progress receives a line per step; nil discards them.
	Progress io.Writer
}

// Timing is the length of the parts of a phase.
type Timing struct {
	Steady  time.Duration // load before the fault
	Hold    time.Duration // the fault
	Recover time.Duration // load after the heal
}

// Stream is one scenario at a constant arrival rate.
type Stream struct {
	Scenario    string
	Rate        float64 // iterations per second
	MaxInFlight int
}

// DefaultConfig is the suite `make chaos` runs: about three minutes.
func DefaultConfig() Config {
	return Config{
		Users:  100,
		Timing: Timing{Steady: 4 * time.Second, Hold: 8 * time.Second, Recover: 8 * time.Second},
		Load: []Stream{
			{Scenario: "client-credentials", Rate: 25, MaxInFlight: 64},
			{Scenario: "code-flow-returning", Rate: 10, MaxInFlight: 32},
			{Scenario: "code-flow", Rate: 5, MaxInFlight: 32},
		},
		RequestDeadline: 2 * time.Second,
		LDAPTimeout:     time.Second,
		ProbeInterval:   500 * time.Millisecond,
		Slowdown:        2 * time.Second,
		RequestTimeout:  10 * time.Second,
	}
}

// ParseLoad reads streams written "scenario=rate[/maxInFlight],...",
// e.g. "client-credentials=25/64,code-flow=5".
func ParseLoad(s string) ([]Stream, error) {
	var out []Stream
	for part := range strings.SplitSeq(s, ",") {
		name, spec, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("load %q: want scenario=rate[/max-in-flight]", part)
		}
		rateText, flightText, hasFlight := strings.Cut(spec, "/")
		rate, err := strconv.ParseFloat(rateText, 64)
		if err != nil || rate <= 0 {
			return nil, fmt.Errorf("load %q: the rate must be a positive number", part)
		}
		st := Stream{Scenario: name, Rate: rate, MaxInFlight: 32}
		if hasFlight {
			if st.MaxInFlight, err = strconv.Atoi(flightText); err != nil || st.MaxInFlight < 1 {
				return nil, fmt.Errorf("load %q: max in flight must be a positive integer", part)
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// Validate reports every problem of c at once.
func Validate(c Config) error { return c.validate() }

func (c Config) validate() error {
	var errs []error
	if c.Binary == "" {
		errs = append(errs, errors.New("chaos: no gatehouse binary"))
	}
	if len(c.Load) == 0 {
		errs = append(errs, errors.New("chaos: no load"))
	}
	if c.Timing.Steady <= 0 || c.Timing.Hold <= 0 || c.Timing.Recover <= 0 {
		errs = append(errs, errors.New("chaos: steady, hold and recover must be positive"))
	}
	if c.RequestTimeout <= c.RequestDeadline {
		errs = append(errs, fmt.Errorf("chaos: the client's request timeout %v must exceed the server's deadline %v", c.RequestTimeout, c.RequestDeadline))
	}
	for _, name := range c.Faults {
		if _, ok := faultByName(name); !ok {
			errs = append(errs, fmt.Errorf("chaos: unknown fault %q (known: %s)", name, strings.Join(FaultNames(), ", ")))
		}
	}
	return errors.Join(errs...)
}
