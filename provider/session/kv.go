package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// KV is short-lived state by key, each entry with its own time to live.
// Implementations are safe for concurrent use, copy values in and out, and
// report storage.ErrNotFound for keys that are absent or expired.
type KV interface {
	// Put stores value under key for ttl, replacing any earlier value and
	// its expiry. ttl must be positive.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Get returns the value stored under key.
	Get(ctx context.Context, key string) ([]byte, error)
	// Take returns the value stored under key and removes it, atomically:
	// of several callers taking the same key, exactly one gets the value.
	Take(ctx context.Context, key string) ([]byte, error)
	// Delete removes key; a key that is not there is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrFull is returned by Put when the store holds as many live entries as
// it may. It is also storage.ErrUnavailable: the caller answers with 503 or
// temporarily_unavailable, as for any store that cannot take more work.
var ErrFull error = &unavailableError{msg: "session store (memory) full"}

// unavailableError is an outage of the session store. It is
// storage.ErrUnavailable for errors.Is, but its text names the session
// store, so that a log line never blames the directory for it.
type unavailableError struct {
	msg   string
	cause error
}

func (e *unavailableError) Error() string {
	if e.cause == nil {
		return e.msg
	}
	return e.msg + ": " + e.cause.Error()
}

func (e *unavailableError) Is(target error) bool { return target == storage.ErrUnavailable }
func (e *unavailableError) Unwrap() error        { return e.cause }

var errBadTTL = errors.New("session: time to live must be positive")

// randomID returns n random bytes, base64url without padding.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashedKey is the store key for a secret value: prefix and the SHA-256 of
// the secret, so that the store never holds the secret itself.
func hashedKey(prefix, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return prefix + base64.RawURLEncoding.EncodeToString(sum[:])
}

// clockOrNow is clock, or time.Now when clock is nil.
func clockOrNow(clock func() time.Time) func() time.Time {
	if clock == nil {
		return time.Now
	}
	return clock
}

// malformed wraps a decoding failure of one stored entry.
func malformed(what string, err error) error {
	return fmt.Errorf("session: %s: %w: %v", what, storage.ErrMalformed, err)
}
