package secrets

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"runtime"
	"sync"
)

// ErrBusy is returned by Verifier.Verify when no slot for a slow check came
// free before the context ended. Token endpoints answer it with
// temporarily_unavailable.
var ErrBusy = errors.New("too many client secret checks in progress")

// DefaultCacheSize is the number of successful checks a Verifier remembers
// unless told otherwise.
const DefaultCacheSize = 10000

// VerifierOptions tune a Verifier. The zero value is a good default.
type VerifierOptions struct {
	// CacheSize is how many successful checks are remembered: 0 means
	// DefaultCacheSize, a negative number turns the cache off.
	CacheSize int
	// MaxConcurrent is how many slow checks may run at once: 0 or less means
	// GOMAXPROCS. Each Argon2 check holds its memory cost while it runs, so
	// this also bounds the memory that wrong secrets can make us spend.
	MaxConcurrent int
}

// Verifier checks client secrets through a Codec, fast for repeat callers
// and with bounded cost for everyone else:
//
//   - A successful slow check (Argon2, BCrypt) is remembered as an HMAC, under
//     a key made afresh for each process, of the client id, a caller-given
//     version, the stored value and the presented secret; never the secret
//     itself. The same secret for the same stored value then costs an HMAC.
//     A changed stored value or version never meets an old result.
//   - Failures are never remembered: a wrong secret always pays in full.
//   - At most MaxConcurrent slow checks run at once; the others wait for a
//     slot until their context ends, and then get ErrBusy.
//
// Plain and encrypted values are cheap to check and go straight through.
// A Verifier is safe for concurrent use.
type Verifier struct {
	codec *Codec
	key   []byte // HMAC key, never leaves the process
	slots chan struct{}
	cache *lru // nil when off

	// onSlow, when set, runs in the slot before each slow check (tests).
	onSlow func()
}

// NewVerifier returns a Verifier over c.
func NewVerifier(c *Codec, opts VerifierOptions) *Verifier {
	n := opts.MaxConcurrent
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	v := &Verifier{codec: c, key: make([]byte, sha256.Size), slots: make(chan struct{}, n)}
	_, _ = rand.Read(v.key) // crypto/rand.Read never fails; it crashes the program instead
	switch size := opts.CacheSize; {
	case size == 0:
		v.cache = newLRU(DefaultCacheSize)
	case size > 0:
		v.cache = newLRU(size)
	}
	return v
}

// Verify is Codec.Verify for the secret of clientID. version names the
// state of the client entry (for example its modification stamp); a cached
// success counts only for the same clientID, version, stored value and
// presented secret. Besides the codec's errors it returns ErrBusy, wrapping
// the context's error.
func (v *Verifier) Verify(ctx context.Context, clientID, version, stored, presented string) (bool, error) {
	m, err := v.codec.matcher(stored)
	if err != nil {
		return false, err
	}
	if !presentable(presented) {
		return false, nil
	}
	if !Kind(stored).hashed() {
		return m.matches(presented), nil
	}
	var fp fingerprint
	if v.cache != nil {
		fp = v.fingerprint(clientID, version, stored, presented)
		if v.cache.hit(fp) {
			return true, nil
		}
	}
	if err := v.acquire(ctx); err != nil {
		return false, err
	}
	defer v.release()
	if v.onSlow != nil {
		v.onSlow()
	}
	ok := m.matches(presented)
	if ok && v.cache != nil {
		v.cache.add(fp, clientID)
	}
	return ok, nil
}

// Forget drops every remembered success for clientID, for when its entry is
// deleted or its secret replaced.
func (v *Verifier) Forget(clientID string) {
	if v.cache != nil {
		v.cache.forget(clientID)
	}
}

func (v *Verifier) acquire(ctx context.Context) error {
	select {
	case v.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case v.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
}

func (v *Verifier) release() { <-v.slots }

type fingerprint [sha256.Size]byte

// fingerprint length-prefixes each field, so no two different tuples can
// produce the same HMAC input.
func (v *Verifier) fingerprint(fields ...string) fingerprint {
	mac := hmac.New(sha256.New, v.key)
	for _, f := range fields {
		writeField(mac, f)
	}
	var fp fingerprint
	mac.Sum(fp[:0])
	return fp
}

func writeField(h hash.Hash, s string) {
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	h.Write([]byte(s))
}

// lru is a bounded set of fingerprints, least recently used evicted first.
type lru struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // of *lruEntry, most recent at the front
	index    map[fingerprint]*list.Element
}

type lruEntry struct {
	fp       fingerprint
	clientID string
}

func newLRU(capacity int) *lru {
	return &lru{capacity: capacity, order: list.New(), index: make(map[fingerprint]*list.Element)}
}

func (l *lru) hit(fp fingerprint) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.index[fp]
	if ok {
		l.order.MoveToFront(e)
	}
	return ok
}

func (l *lru) add(fp fingerprint, clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.index[fp]; ok {
		l.order.MoveToFront(e)
		return
	}
	l.index[fp] = l.order.PushFront(&lruEntry{fp: fp, clientID: clientID})
	for l.order.Len() > l.capacity {
		l.remove(l.order.Back())
	}
}

// forget walks the whole list: at most CacheSize entries, and rare.
func (l *lru) forget(clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for e := l.order.Front(); e != nil; {
		next := e.Next()
		if e.Value.(*lruEntry).clientID == clientID {
			l.remove(e)
		}
		e = next
	}
}

func (l *lru) remove(e *list.Element) {
	delete(l.index, e.Value.(*lruEntry).fp)
	l.order.Remove(e)
}

func (l *lru) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}
