package keyset

import "sync/atomic"

// Source gives the key set in force now. Signers ask it for every token,
// verifiers for every check, so a rotation reaches all of them at once.
// A *Set is a Source that never changes; *Live is the one a server runs
// with.
type Source interface {
	Current() *Set
}

// Live holds the key set of a running server. Reading it is one atomic
// load, cheap enough for the hot path; a refresh swaps the whole set.
type Live struct {
	cur atomic.Pointer[Set]
}

// NewLive starts with set, which must not be nil.
func NewLive(set *Set) *Live {
	l := &Live{}
	l.cur.Store(set)
	return l
}

// Current returns the set in force.
func (l *Live) Current() *Set { return l.cur.Load() }

// Store puts set in force.
func (l *Live) Store(set *Set) { l.cur.Store(set) }

var (
	_ Source = (*Set)(nil)
	_ Source = (*Live)(nil)
)
