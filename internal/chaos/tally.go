package chaos

import (
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// tally collects the outcomes of every stream of a phase. Event.At is the
// scheduled start from the start of the stream's run; the streams start
// together, so it is also the time into the phase.
type tally struct {
	mu     sync.Mutex
	events []load.Event
}

func (t *tally) observe(e load.Event) {
	t.mu.Lock()
	t.events = append(t.events, e)
	t.mu.Unlock()
}

// window is the part of a phase when the fault held.
type window struct{ inject, heal time.Duration }

// figures are what a phase's events add up to.
type figures struct {
	Iterations int64 // ended, dropped and canceled ones aside
	OK         int64
	Classes    map[string]int64 // failures by class, dropped included
	P99Fault   time.Duration    // p99 of iterations started while the fault held
	P99, Max   time.Duration
	Recovery   time.Duration // from the heal to the first second without failures
	Recovered  bool
}

func (t *tally) figures(w window) figures {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := figures{Classes: map[string]int64{}}
	var all, during load.Histogram
	var series []load.Second
	for _, e := range t.events {
		if e.Class == load.ClassCanceled {
			continue
		}
		series = addSecond(series, e)
		if e.Class == load.ClassOK {
			f.OK++
		} else {
			f.Classes[e.Class]++
		}
		if e.Class == load.ClassDropped {
			continue
		}
		f.Iterations++
		all.Record(e.Latency)
		if e.At >= w.inject && e.At < w.heal {
			during.Record(e.Latency)
		}
	}
	f.P99, f.Max, f.P99Fault = all.Quantile(0.99), all.Max(), during.Quantile(0.99)
	f.Recovery, f.Recovered = load.TimeToRecover(series, w.heal)
	return f
}

func addSecond(series []load.Second, e load.Event) []load.Second {
	sec := int(max(e.At, 0) / time.Second)
	for len(series) <= sec {
		series = append(series, load.Second{})
	}
	if e.Class == load.ClassOK {
		series[sec].OK++
	} else {
		series[sec].Failed++
	}
	return series
}
