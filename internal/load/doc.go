// Package load drives Gatehouse with a bounded stream of requests and
// measures what it sees: counts, failures by class, throughput, latency
// percentiles and the server's peak memory.
//
// It owns the scheduling, not the requests: a Scenario (package
// load/scenarios has the HTTP ones) says what one iteration does, and Run
// repeats it either closed-loop (N workers, each starting the next
// iteration when the last one ends) or open-loop (iterations scheduled at
// a constant arrival rate, whatever the server's speed). In the open loop
// the latency of an iteration is measured from its scheduled start, not
// from when it was really sent, so that a stalled server cannot hide its
// stall by slowing the generator down ("coordinated omission"); iterations
// that could not start because the bound on iterations in flight was hit
// are counted as dropped.
//
// A failure is classified once (Classify): an HTTP status the scenario did
// not expect ("http_500"), an answer that did not hold what the flow
// needs ("bad_answer"), or no answer at all ("timeout", "reset", "eof",
// "refused", "transport"). The chaos suite fails on any no-answer and any
// 500, so these classes stay distinct. Per-second counts (Summary.Series)
// let a caller measure the time to recover after a fault.
//
// Every run is bounded in count and in time; memory is bounded too: the
// latency histogram has log-linear buckets (about 1.6 % relative error),
// not one entry per request.
package load
