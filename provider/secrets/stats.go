package secrets

import "sync/atomic"

// VerifierStats are a Verifier's counters since it was made, and its
// gauges now: the raw material of metrics. Only hashed stored values
// (Argon2, BCrypt) are counted; plain and encrypted ones are cheap.
type VerifierStats struct {
	// CacheHits and CacheMisses count checks answered by the cache of
	// successes, and the others.
	CacheHits, CacheMisses uint64
	// SlowChecks counts Argon2 and BCrypt runs.
	SlowChecks uint64
	// Collapsed counts callers answered by another caller's run of the
	// same check.
	Collapsed uint64
	// Rejected counts ErrBusy answers: queue full, or the context ended
	// while waiting.
	Rejected uint64
	// InFlight is the number of slow checks running now, at most
	// MaxConcurrent; Queued the callers waiting for a slot, at most
	// MaxQueued.
	InFlight, Queued         int
	MaxConcurrent, MaxQueued int
}

type counters struct {
	hits, misses, slow, collapsed, rejected atomic.Uint64
}

// Stats returns the counters; cheap enough for every scrape.
func (v *Verifier) Stats() VerifierStats {
	return VerifierStats{
		CacheHits:     v.stats.hits.Load(),
		CacheMisses:   v.stats.misses.Load(),
		SlowChecks:    v.stats.slow.Load(),
		Collapsed:     v.stats.collapsed.Load(),
		Rejected:      v.stats.rejected.Load(),
		InFlight:      len(v.gate.slots),
		Queued:        len(v.gate.queue),
		MaxConcurrent: cap(v.gate.slots),
		MaxQueued:     cap(v.gate.queue),
	}
}
