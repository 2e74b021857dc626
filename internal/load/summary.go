package load

import (
	"maps"
	"time"
)

// Summary is what a run measured.
type Summary struct {
	Scenario string  `json:"scenario"`
	Mode     string  `json:"mode"` // "closed" or "open"
	Workers  int     `json:"workers"`
	Rate     float64 `json:"rate,omitempty"` // open loop: iterations scheduled per second

	// Iterations counts the iterations that ended, well or not (dropped
	// and canceled ones aside); HTTPRequests the requests they made.
	Iterations   int64 `json:"iterations"`
	HTTPRequests int64 `json:"http_requests"`
	OK           int64 `json:"ok"`
	// Failures counts failed iterations by class (see Classify), dropped
	// ones included; canceled ones are in Canceled.
	Failures map[string]int64 `json:"failures"`
	Canceled int64            `json:"canceled,omitempty"`

	Elapsed time.Duration `json:"-"`
	Seconds float64       `json:"elapsed_seconds"`
	// Throughput is iterations ended per second of the run.
	Throughput float64   `json:"throughput"`
	Latency    Latencies `json:"latency_ms"`
	// PeakRSS is the sampled process's peak resident memory in bytes
	// (VmHWM), 0 without Options.PID or when it could not be read.
	PeakRSS int64 `json:"peak_rss_bytes,omitempty"`
	// LimitRatio is Throughput over that of the limit server measured in
	// the same run (package limit), 0 when there was none.
	LimitRatio float64 `json:"limit_ratio,omitempty"`
	// Series counts outcomes per second of scheduled start.
	Series []Second `json:"series"`

	hist Histogram
}

// Latencies are percentiles of the iterations' latencies, in milliseconds.
type Latencies struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Second is one second of a run's outcomes.
type Second struct {
	OK     int64 `json:"ok"`
	Failed int64 `json:"failed"`
}

// Quantile returns the latency at fraction q of the run's iterations.
func (s *Summary) Quantile(q float64) time.Duration { return s.hist.Quantile(q) }

// Failed is the number of failed iterations, dropped ones included.
func (s *Summary) Failed() int64 {
	var n int64
	for _, c := range s.Failures {
		n += c
	}
	return n
}

// NoAnswers is the number of iterations that got no answer (IsNoAnswer).
func (s *Summary) NoAnswers() int64 {
	var n int64
	for class, c := range s.Failures {
		if IsNoAnswer(class) {
			n += c
		}
	}
	return n
}

// TimeToRecover reads a series after a fault injected at `fault` from the
// start of the run: the time from the fault to the start of the second
// after the last second with a failure. It is 0 when nothing failed from
// the fault on, and ok is false when the run ended before a second
// without failures that had successes followed the last failure.
func TimeToRecover(series []Second, fault time.Duration) (d time.Duration, ok bool) {
	from := int(max(fault, 0) / time.Second)
	last := -1
	for i := from; i < len(series); i++ {
		if series[i].Failed > 0 {
			last = i
		}
	}
	if last < 0 {
		return 0, true
	}
	for i := last + 1; i < len(series); i++ {
		if series[i].OK > 0 {
			return max(time.Duration(last+1)*time.Second-fault, 0), true
		}
	}
	return 0, false
}

func (r *recorder) summary(name string, o Options, elapsed time.Duration, peakRSS int64) *Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &Summary{
		Scenario: name, Mode: "closed", Workers: o.Workers,
		HTTPRequests: r.requests, Failures: map[string]int64{},
		Elapsed: elapsed, Seconds: elapsed.Seconds(), PeakRSS: peakRSS,
		Series: append([]Second(nil), r.series...), hist: r.hist,
	}
	if o.Open() {
		s.Mode, s.Rate, s.Workers = "open", o.Rate, o.MaxInFlight
	}
	maps.Copy(s.Failures, r.classes)
	s.OK, s.Canceled = r.classes[ClassOK], r.classes[ClassCanceled]
	delete(s.Failures, ClassOK)
	delete(s.Failures, ClassCanceled)
	s.Iterations = r.hist.Count()
	if elapsed > 0 {
		s.Throughput = float64(s.Iterations) / elapsed.Seconds()
	}
	s.Latency = Latencies{
		P50: ms(r.hist.Quantile(0.50)), P90: ms(r.hist.Quantile(0.90)),
		P99: ms(r.hist.Quantile(0.99)), Max: ms(r.hist.Max()),
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
