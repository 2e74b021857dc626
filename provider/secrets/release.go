package secrets

import (
	"runtime/debug"
	"sync"
	"time"
)

// releaseDelay is how long Argon2 runs must have stopped before their
// memory goes back to the system.
const releaseDelay = time.Second

// idleRelease gives the memory of finished Argon2 runs back to the
// operating system once no run has ended for releaseDelay, so that a
// server idles small after a burst of first requests. Not after every
// run: debug.FreeOSMemory and faulting the block in again cost several
// times an Argon2 run of 64 MiB, which a flood of wrong secrets would
// multiply; while runs follow each other the memory stays for the next.
type idleRelease struct {
	mu    sync.Mutex
	timer *time.Timer
	delay time.Duration
	free  func() // debug.FreeOSMemory; tests count instead
}

func newIdleRelease() *idleRelease {
	return &idleRelease{delay: releaseDelay, free: debug.FreeOSMemory}
}

// arm schedules the release, or postpones the one scheduled.
func (r *idleRelease) arm() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer == nil {
		r.timer = time.AfterFunc(r.delay, r.free)
		return
	}
	r.timer.Reset(r.delay)
}
