// Package sessiontest holds what tests of session.KV implementations
// share: the conformance suite RunKVTests and a FakeClock to drive expiry
// without sleeping.
package sessiontest

import (
	"sync"
	"time"
)

// FakeClock is a clock that moves only when told. Its Now method is the
// clock to hand to the code under test. Safe for concurrent use.
type FakeClock struct {
	mu        sync.Mutex
	now       time.Time
	onAdvance []func(time.Duration)
}

// NewFakeClock returns a clock standing at start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now is the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and then calls the OnAdvance
// functions, in order.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	hooks := c.onAdvance
	c.mu.Unlock()
	for _, f := range hooks {
		f(d)
	}
}

// OnAdvance registers f to run on every Advance. A store whose expiry runs
// on another clock — a Redis server — moves that clock from here, for
// example with miniredis' FastForward.
func (c *FakeClock) OnAdvance(f func(time.Duration)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onAdvance = append(c.onAdvance[:len(c.onAdvance):len(c.onAdvance)], f)
}
