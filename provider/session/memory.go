package session

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Defaults for MemoryOptions.
const (
	DefaultMaxEntries    = 100_000
	DefaultMaxValueBytes = 64 << 10
)

// MemoryOptions tune a Memory. The zero value is a good default.
type MemoryOptions struct {
	// MaxEntries bounds the number of live entries; 0 or less means
	// DefaultMaxEntries. A Put of a new key beyond it fails with ErrFull.
	MaxEntries int
	// MaxValueBytes bounds the size of one value; 0 or less means
	// DefaultMaxValueBytes. With MaxEntries it bounds the memory held.
	MaxValueBytes int
	// Clock tells the time that expiry is measured by; nil means time.Now.
	Clock func() time.Time
}

// Memory is a KV in the process, for a single instance of the provider.
//
// Entries are kept in a map and, ordered by expiry, in a heap. Every write
// first drops the entries whose time has come, at the cost of a heap pop
// each; reads treat an expired entry as absent and drop it. Nothing runs in
// the background, so there is nothing to stop. When MaxEntries live entries
// are held, a Put of a new key is refused rather than growing the map:
// memory stays bounded whatever callers store.
type Memory struct {
	max, maxValue int
	now           func() time.Time

	mu      sync.Mutex
	entries map[string]*memEntry
	byExp   expiryHeap
}

var _ KV = (*Memory)(nil)

type memEntry struct {
	key     string
	value   []byte
	expires time.Time
	index   int // position in byExp
}

// NewMemory returns an empty Memory.
func NewMemory(opts MemoryOptions) *Memory {
	m := &Memory{
		max:      opts.MaxEntries,
		maxValue: opts.MaxValueBytes,
		now:      clockOrNow(opts.Clock),
		entries:  map[string]*memEntry{},
	}
	if m.max <= 0 {
		m.max = DefaultMaxEntries
	}
	if m.maxValue <= 0 {
		m.maxValue = DefaultMaxValueBytes
	}
	return m
}

// Len is the number of live entries.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(m.now())
	return len(m.entries)
}

func (m *Memory) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errBadTTL
	}
	if len(value) > m.maxValue {
		return fmt.Errorf("session: value of %d bytes exceeds the limit of %d", len(value), m.maxValue)
	}
	value = bytes.Clone(value)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	if e, ok := m.entries[key]; ok {
		e.value, e.expires = value, now.Add(ttl)
		heap.Fix(&m.byExp, e.index)
		return nil
	}
	if len(m.entries) >= m.max {
		return ErrFull
	}
	e := &memEntry{key: key, value: value, expires: now.Add(ttl)}
	m.entries[key] = e
	heap.Push(&m.byExp, e)
	return nil
}

func (m *Memory) Get(ctx context.Context, key string) ([]byte, error) {
	return m.read(ctx, key, false)
}

func (m *Memory) Take(ctx context.Context, key string) ([]byte, error) {
	return m.read(ctx, key, true)
}

func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[key]; ok {
		m.remove(e)
	}
	return nil
}

// read returns a copy of the live value under key, removing the entry when
// take is set or when it has expired.
func (m *Memory) read(ctx context.Context, key string, take bool) ([]byte, error) {
	if err := checkArgs(ctx, key); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	if !m.now().Before(e.expires) {
		m.remove(e)
		return nil, storage.ErrNotFound
	}
	if take {
		m.remove(e)
		// The entry is gone from every index: its value is ours to hand out.
		return e.value, nil
	}
	return bytes.Clone(e.value), nil
}

// sweep drops every entry that has expired by now.
func (m *Memory) sweep(now time.Time) {
	for len(m.byExp) > 0 && !now.Before(m.byExp[0].expires) {
		m.remove(m.byExp[0])
	}
}

func (m *Memory) remove(e *memEntry) {
	heap.Remove(&m.byExp, e.index)
	delete(m.entries, e.key)
}

var errEmptyKey = errors.New("session: empty key")

func checkArgs(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return errEmptyKey
	}
	return nil
}

// expiryHeap orders entries by expiry, soonest first (container/heap).
type expiryHeap []*memEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }

func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *expiryHeap) Push(x any) {
	e := x.(*memEntry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
