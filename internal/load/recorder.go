package load

import (
	"sync"
	"time"
)

// maxSeriesSeconds bounds the per-second series: a day of seconds, far
// beyond any bounded run, so that a wrong clock cannot grow it unbounded.
const maxSeriesSeconds = 24 * 3600

// recorder collects the outcomes of a run's iterations.
type recorder struct {
	onResult func(Event)

	mu       sync.Mutex
	hist     Histogram
	classes  map[string]int64
	requests int64
	series   []Second
}

func newRecorder(onResult func(Event)) *recorder {
	return &recorder{onResult: onResult, classes: map[string]int64{}}
}

// record counts one finished iteration, scheduled at `at` from the start.
// Canceled iterations are counted apart and left out of the latencies.
func (r *recorder) record(at, latency time.Duration, class string, requests int) {
	r.mu.Lock()
	r.classes[class]++
	if class != ClassCanceled {
		r.hist.Record(latency)
		r.requests += int64(requests)
		r.addToSeries(at, class == ClassOK)
	}
	r.mu.Unlock()
	r.notify(Event{At: at, Class: class, Latency: latency})
}

// dropped counts an open-loop iteration that was never started.
func (r *recorder) dropped(at time.Duration) {
	r.mu.Lock()
	r.classes[ClassDropped]++
	r.addToSeries(at, false)
	r.mu.Unlock()
	r.notify(Event{At: at, Class: ClassDropped})
}

func (r *recorder) notify(e Event) {
	if r.onResult != nil {
		r.onResult(e)
	}
}

func (r *recorder) addToSeries(at time.Duration, ok bool) {
	sec := int(max(at, 0) / time.Second)
	if sec >= maxSeriesSeconds {
		return
	}
	for len(r.series) <= sec {
		r.series = append(r.series, Second{})
	}
	if ok {
		r.series[sec].OK++
	} else {
		r.series[sec].Failed++
	}
}
