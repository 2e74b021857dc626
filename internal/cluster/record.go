package cluster

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/chaos"
	"github.com/gatehouse-idp/gatehouse/internal/load"
	"github.com/gatehouse-idp/gatehouse/internal/load/rig"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
)

// maxWhat bounds a failure's description in the report.
const maxWhat = 90

// outcome is one iteration: when it ran, from the start of the load, and
// what went wrong ("" when nothing did).
type outcome struct {
	Scenario   string
	Begin, End time.Duration
	Failure    string
}

// recorder collects every iteration of every stream, and what the server
// confirmed: registrations and consents.
type recorder struct {
	start time.Time

	mu         sync.Mutex
	outcomes   []outcome
	registered []string         // client IDs answered 201
	consented  []scenarios.User // consents answered with a redirect
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

func (r *recorder) since() time.Duration { return time.Since(r.start) }

func (r *recorder) add(o outcome) {
	r.mu.Lock()
	r.outcomes = append(r.outcomes, o)
	r.mu.Unlock()
}

func (r *recorder) consent(u scenarios.User) {
	r.mu.Lock()
	r.consented = append(r.consented, u)
	r.mu.Unlock()
}

// dropped is an OnResult that records iterations the open loop could not
// start because too many were in flight: a stall, so a failure too.
func (r *recorder) dropped(scenario string) func(load.Event) {
	return func(e load.Event) {
		if e.Class == load.ClassDropped {
			r.add(outcome{Scenario: scenario, Begin: e.At, End: e.At, Failure: "dropped: too many in flight"})
		}
	}
}

// recorded is a scenario whose iterations go to a recorder.
type recorded struct {
	load.Scenario
	r *recorder
}

func (s recorded) Do(ctx context.Context, worker int) load.Result {
	begin := s.r.since()
	res := s.Scenario.Do(ctx, worker)
	o := outcome{Scenario: s.Name(), Begin: begin, End: s.r.since()}
	if res.Err != nil {
		if load.Classify(ctx, res.Err) == load.ClassCanceled {
			return res // the run ended under it
		}
		o.Failure = truncate(chaos.Describe(res.Err), maxWhat)
	}
	s.r.add(o)
	return res
}

// registering registers a new client per iteration through POST
// /clients, as an administrator's tooling would, and records the IDs.
type registering struct {
	base, token string
	r           *recorder
}

func (s registering) Name() string                { return "register" }
func (s registering) Setup(context.Context) error { return nil }

func (s registering) Do(ctx context.Context, _ int) load.Result {
	c, err := rig.RegisterClient(ctx, s.base, s.token)
	if err == nil {
		s.r.mu.Lock()
		s.r.registered = append(s.r.registered, c.ID)
		s.r.mu.Unlock()
	}
	return load.Result{Err: err}
}

// truncate puts s on one line (an HTML error page has several) and cuts
// it at n bytes.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
