package throttle

import (
	"container/list"
	"crypto/sha256"
	"strings"
	"sync"
	"time"
)

// Defaults for Options.
const (
	DefaultMaxFailures = 5
	DefaultWindow      = 15 * time.Minute
	DefaultMaxKeys     = 10_000
)

// Options tune a Limiter. The zero value is a good default.
type Options struct {
	// MaxFailures is how many failures a key may have in quick
	// succession before it must wait; 0 or less means DefaultMaxFailures.
	MaxFailures int
	// Window is how long it takes to forget MaxFailures failures; after
	// the first MaxFailures, one more attempt is allowed each
	// Window/MaxFailures. 0 or less means DefaultWindow.
	Window time.Duration
	// MaxKeys bounds the number of keys remembered; 0 or less means
	// DefaultMaxKeys. Beyond it the key whose last failure is oldest is
	// forgotten.
	MaxKeys int
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
}

// Limiter throttles failures per key. Keys are compared without regard to
// case or surrounding spaces, as the directory compares uid and mail.
// Safe for concurrent use.
//
// It is a generic cell rate algorithm: each key has one instant, the time
// at which all its failures will have been forgotten. A failure pushes it
// Window/MaxFailures into the future (from now, if it lies in the past). A
// key may try again while that instant is at most Window minus one
// interval ahead. That is a sliding window without counters or buckets:
// one time per key, MaxFailures failures at once and then a steady rate,
// and nothing to reset at window edges. Several attempts that pass Allow
// at the same moment and then all fail are not lost: each pushes the
// instant further, and the key waits that much longer.
//
// A key whose instant has passed is the same as an unknown key and is
// dropped when met, or by the next failure of a new key when it is among
// the least recent. When MaxKeys keys are remembered, a failure of a new
// key forgets the key with the oldest last failure.
type Limiter struct {
	interval, slack time.Duration
	maxKeys         int
	now             func() time.Time

	mu   sync.Mutex
	keys map[keyHash]*list.Element // of *entry
	lru  *list.List                // front: most recent failure
}

type keyHash [sha256.Size]byte

type entry struct {
	key keyHash
	// clear is when the key's failures are all forgotten.
	clear time.Time
}

// New returns a Limiter that remembers nothing yet.
func New(opts Options) *Limiter {
	n, window := opts.MaxFailures, opts.Window
	if n <= 0 {
		n = DefaultMaxFailures
	}
	if window <= 0 {
		window = DefaultWindow
	}
	l := &Limiter{
		interval: max(window/time.Duration(n), time.Nanosecond),
		maxKeys:  opts.MaxKeys,
		now:      opts.Clock,
		keys:     map[keyHash]*list.Element{},
		lru:      list.New(),
	}
	l.slack = window - l.interval
	if l.maxKeys <= 0 {
		l.maxKeys = DefaultMaxKeys
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}

// hashKey normalises key and hashes it: every remembered key costs the
// same memory however long the name someone typed.
func hashKey(key string) keyHash {
	return sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(key))))
}

// Allow tells whether key may try now, and if not, how long until it may.
// It records nothing.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	h := hashKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	el, found := l.keys[h]
	if !found {
		return true, 0
	}
	ahead := el.Value.(*entry).clear.Sub(l.now())
	if ahead <= 0 {
		l.drop(el)
		return true, 0
	}
	if ahead <= l.slack {
		return true, 0
	}
	return false, ahead - l.slack
}

// Fail records a failed attempt of key.
func (l *Limiter) Fail(key string) {
	h := hashKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	el, found := l.keys[h]
	if !found {
		l.makeRoom(now)
		el = l.lru.PushFront(&entry{key: h, clear: now})
		l.keys[h] = el
	}
	e := el.Value.(*entry)
	e.clear = later(e.clear, now).Add(l.interval)
	l.lru.MoveToFront(el)
}

// Succeed forgets the failures of key.
func (l *Limiter) Succeed(key string) {
	h := hashKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, found := l.keys[h]; found {
		l.drop(el)
	}
}

// Len is the number of keys remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// makeRoom drops the keys at the least recent end whose failures are
// forgotten, and then, while MaxKeys are still remembered, the least recent
// key whatever its state.
func (l *Limiter) makeRoom(now time.Time) {
	for back := l.lru.Back(); back != nil && !back.Value.(*entry).clear.After(now); back = l.lru.Back() {
		l.drop(back)
	}
	for len(l.keys) >= l.maxKeys {
		l.drop(l.lru.Back())
	}
}

func (l *Limiter) drop(el *list.Element) {
	delete(l.keys, el.Value.(*entry).key)
	l.lru.Remove(el)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
