package session

import (
	"context"
	"time"
)

// Modifier is a KV that can change one entry atomically: read it, compute
// its next value, write it, with no other write to the key in between —
// on every instance sharing the store. Memory and Redis implement it; the
// per-person index of sessions (index.go) needs it, so that two sign-ins
// of one person at the same moment cannot lose each other.
type Modifier interface {
	KV
	// Modify calls fn with the live value under key (found false when
	// there is none) and stores what it returns for ttl; fn returning a
	// nil value deletes the key. An error of fn is returned as it is and
	// nothing is written. fn may be called more than once.
	Modify(ctx context.Context, key string, ttl time.Duration, fn func(old []byte, found bool) ([]byte, error)) error
}
