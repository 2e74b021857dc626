package throttle

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Store is a key-value store shared by every instance of the provider
// that can move a GCRA instant atomically. session.Redis implements it.
type Store interface {
	// Get returns the value under key, storage.ErrNotFound when absent.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes key.
	Delete(ctx context.Context, key string) error
	// AddInterval sets the instant under key (decimal Unix milliseconds)
	// to max(instant, now) + interval in one atomic step, expires the key
	// then, and returns the new instant.
	AddInterval(ctx context.Context, key string, now time.Time, interval time.Duration) (time.Time, error)
}

// sharedPrefix keeps the throttle's keys apart from the other users of the
// session store.
const sharedPrefix = "throttle/"

// Shared is the Limiter's algorithm over a Store, so that N instances
// enforce one limit: the instant of each key lives in the store, a failure
// moves it atomically there, and the store expires it when all the key's
// failures are forgotten. Keys are stored as the SHA-256 of the normalised
// key, so no username or address is written to the store in clear. The
// store bounds its own memory (Redis: maxmemory; each key lives at most
// as long as its failures are remembered), so MaxKeys does not apply.
//
// Instants are kept to the millisecond; instances compare them with their
// own clocks, so clock skew between instances shifts a wait by as much.
type Shared struct {
	store           Store
	prefix          string
	interval, slack time.Duration
	now             func() time.Time
}

var _ Counter = (*Shared)(nil)

// NewShared returns a Counter whose keys live in store under name (which
// tells the limits sharing one store apart), tuned as a Limiter by opts.
func NewShared(store Store, name string, opts Options) *Shared {
	n, window := opts.MaxFailures, opts.Window
	if n <= 0 {
		n = DefaultMaxFailures
	}
	if window <= 0 {
		window = DefaultWindow
	}
	s := &Shared{store: store, prefix: sharedPrefix + name + "/", now: opts.Clock,
		interval: max(window/time.Duration(n), time.Millisecond)}
	s.slack = window - s.interval
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

func (s *Shared) key(key string) string {
	h := hashKey(key)
	return s.prefix + base64.RawURLEncoding.EncodeToString(h[:])
}

// Allow implements Counter: it reads the key's instant and records nothing.
func (s *Shared) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	v, err := s.store.Get(ctx, s.key(key))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return true, 0, nil
	case err != nil:
		return false, 0, fmt.Errorf("throttle: %w", err)
	}
	ms, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return false, 0, fmt.Errorf("throttle: %w: %v", storage.ErrMalformed, err)
	}
	ahead := time.UnixMilli(ms).Sub(s.now())
	if ahead <= s.slack {
		return true, 0, nil
	}
	return false, ahead - s.slack, nil
}

// Fail implements Counter.
func (s *Shared) Fail(ctx context.Context, key string) error {
	if _, err := s.store.AddInterval(ctx, s.key(key), s.now(), s.interval); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	return nil
}

// Succeed implements Counter.
func (s *Shared) Succeed(ctx context.Context, key string) error {
	if err := s.store.Delete(ctx, s.key(key)); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	return nil
}
