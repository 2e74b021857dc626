package secrets

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"runtime"
	"sync"

	"go.opentelemetry.io/otel/trace"
)

// DefaultCacheSize is the number of successful checks a Verifier remembers
// unless told otherwise.
const DefaultCacheSize = 10000

// DefaultQueuePerSlot is how many callers may wait for each slot unless
// told otherwise.
const DefaultQueuePerSlot = 4

// VerifierOptions tune a Verifier. The zero value is a good default.
type VerifierOptions struct {
	// CacheSize is how many successful checks are remembered: 0 means
	// DefaultCacheSize, a negative number turns the cache off.
	CacheSize int
	// MaxConcurrent is how many slow checks may run at once: 0 or less means
	// GOMAXPROCS. Each Argon2 check holds its memory cost while it runs, so
	// this bounds the memory that secret checks can make us spend: about
	// MaxConcurrent × the largest memory cost among the stored hashes.
	MaxConcurrent int
	// MaxQueued is how many callers may wait for a slot: 0 means
	// DefaultQueuePerSlot × MaxConcurrent, a negative number none. A caller
	// that finds the queue full gets ErrBusy at once, so that a flood is
	// answered quickly with 503 instead of piling up connections.
	MaxQueued int
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
//   - Concurrent checks of the same tuple are collapsed into one run whose
//     answer, right or wrong, they all get: the first requests of a busy
//     client cost one Argon2 run, not one each.
//   - At most MaxConcurrent slow checks run at once and at most MaxQueued
//     callers wait for a slot, each until its context ends; the others get
//     ErrBusy at once.
//
// Plain and encrypted values are cheap to check and go straight through.
// A Verifier is safe for concurrent use.
type Verifier struct {
	codec   *Codec
	key     []byte    // HMAC key, never leaves the process
	macs    sync.Pool // of HMAC-SHA256 under key: hmac.New costs as much as the MAC
	gate    *gate
	cache   *lru // nil when off
	flights flights
	stats   counters

	// onSlow, when set, runs in the slot before each slow check; onFollow
	// when a caller starts waiting on another's run (tests).
	onSlow, onFollow func()
}

// NewVerifier returns a Verifier over c.
func NewVerifier(c *Codec, opts VerifierOptions) *Verifier {
	n := opts.MaxConcurrent
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	q := opts.MaxQueued
	switch {
	case q == 0:
		q = DefaultQueuePerSlot * n
	case q < 0:
		q = 0
	}
	v := &Verifier{codec: c, key: make([]byte, sha256.Size), gate: newGate(n, q)}
	_, _ = rand.Read(v.key) // crypto/rand.Read never fails; it crashes the program instead
	v.macs.New = func() any { return hmac.New(sha256.New, v.key) }
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
// presented secret. Besides the codec's errors it returns ErrBusy, which
// is also a storage.ErrUnavailable, when the check could not be run: it
// says nothing about the secret.
//
// A check of a hashed value is traced as a span secret.verify, with its
// algorithm, Argon2 memory cost, and whether the cache answered, another
// caller's run did, or it waited for a slot.
func (v *Verifier) Verify(ctx context.Context, clientID, version, stored, presented string) (ok bool, err error) {
	format := Kind(stored)
	hashed := format.hashed()
	if hashed {
		var span trace.Span
		ctx, span = startSpan(ctx, "secret.verify", format)
		defer func() { endSpan(span, err) }()
	}
	var fp fingerprint
	if hashed && presentable(presented) {
		// The fingerprint names the check for the collapse even when the
		// cache is off. A hit needs no parse: the same stored value has
		// been parsed, and has matched, before.
		fp = v.fingerprint(clientID, version, stored, presented)
		if v.remembered(fp) {
			v.stats.hits.Add(1)
			note(ctx, attrCached.Bool(true))
			return true, nil
		}
	}
	m, err := v.codec.matcher(stored)
	if err != nil {
		return false, err
	}
	if !presentable(presented) {
		return false, nil
	}
	if !hashed {
		return m.matches(presented), nil
	}
	v.stats.misses.Add(1)
	note(ctx, attrCached.Bool(false))
	if kib := memoryKiB(m); kib > 0 {
		note(ctx, attrMemoryKiB.Int64(int64(kib)))
	}
	return v.collapse(ctx, fp, m, presented, clientID)
}

// collapse runs the check once for all concurrent callers with fingerprint fp.
// A caller that waits on another's run stops waiting when its own context
// ends; when that run could not get a slot (ErrBusy, perhaps because its
// caller went away), a waiter tries for a slot itself.
func (v *Verifier) collapse(ctx context.Context, fp fingerprint, m matcher, presented, clientID string) (bool, error) {
	for {
		f, leader := v.flights.join(fp)
		if leader {
			return v.lead(ctx, fp, f, m, presented, clientID)
		}
		if v.onFollow != nil {
			v.onFollow()
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			v.stats.rejected.Add(1)
			return false, busy(ctx.Err())
		}
		if !isBusy(f.err) {
			v.stats.collapsed.Add(1)
			note(ctx, attrCollapsed.Bool(true))
			return f.ok, f.err
		}
		if v.remembered(fp) {
			return true, nil
		}
	}
}

// lead runs the check of flight f in a slot and lands it with the answer.
func (v *Verifier) lead(ctx context.Context, fp fingerprint, f *flight, m matcher, presented, clientID string) (ok bool, err error) {
	defer func() { v.flights.land(fp, f, ok, err) }()
	// A run that landed between the caller's cache lookup and its join has
	// left its answer in the cache.
	if v.remembered(fp) {
		return true, nil
	}
	if err := v.gate.enter(ctx); err != nil {
		v.stats.rejected.Add(1)
		return false, err
	}
	defer v.gate.leave()
	v.stats.slow.Add(1)
	if v.onSlow != nil {
		v.onSlow()
	}
	ok = m.matches(presented)
	if ok && v.cache != nil {
		v.cache.add(fp, clientID)
	}
	v.codec.reclaim(memoryKiB(m))
	return ok, nil
}

func (v *Verifier) remembered(fp fingerprint) bool {
	return v.cache != nil && v.cache.hit(fp)
}

// Forget drops every remembered success for clientID, for when its entry is
// deleted or its secret replaced.
func (v *Verifier) Forget(clientID string) {
	if v.cache != nil {
		v.cache.forget(clientID)
	}
}

type fingerprint [sha256.Size]byte

// fingerprint length-prefixes each field, so no two different tuples can
// produce the same HMAC input.
func (v *Verifier) fingerprint(fields ...string) fingerprint {
	mac := v.macs.Get().(hash.Hash)
	defer v.macs.Put(mac)
	mac.Reset()
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
