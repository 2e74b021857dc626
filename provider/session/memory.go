package session

import (
	"bytes"
	"container/heap"
	"container/list"
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
	// Pending bounds the evictable entries (PutEvictable), a budget of
	// their own beside MaxEntries: a flood of them can fill neither.
	Pending PendingLimits
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
//
// Evictable entries are in the same map and heap, and also in two lists in
// the order they were put: one of the whole store, one of their group.
// They count against Pending, not MaxEntries.
type Memory struct {
	max, maxValue int
	pending       PendingLimits
	now           func() time.Time

	mu       sync.Mutex
	entries  map[string]*memEntry
	byExp    expiryHeap
	evictAll *list.List            // of *memEntry, oldest first
	groups   map[string]*list.List // of *memEntry, oldest first
}

var _ EvictableKV = (*Memory)(nil)

type memEntry struct {
	key     string
	value   []byte
	expires time.Time
	index   int // position in byExp
	// group, inAll and inGroup are set while the entry is evictable.
	group          string
	inAll, inGroup *list.Element
}

// NewMemory returns an empty Memory.
func NewMemory(opts MemoryOptions) *Memory {
	m := &Memory{
		max:      opts.MaxEntries,
		maxValue: opts.MaxValueBytes,
		pending:  opts.Pending.withDefaults(),
		now:      clockOrNow(opts.Clock),
		entries:  map[string]*memEntry{},
		evictAll: list.New(),
		groups:   map[string]*list.List{},
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
	if err := m.checkValue(value); err != nil {
		return err
	}
	value = bytes.Clone(value)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	if m.replace(key, value, now.Add(ttl)) {
		return nil
	}
	if m.ordinary() >= m.max {
		return ErrFull
	}
	m.insert(&memEntry{key: key, value: value, expires: now.Add(ttl)})
	return nil
}

// PutEvictable implements EvictableKV.
func (m *Memory) PutEvictable(ctx context.Context, group, key string, value []byte, ttl time.Duration) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errBadTTL
	}
	if err := m.checkValue(value); err != nil {
		return err
	}
	value = bytes.Clone(value)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	if m.replace(key, value, now.Add(ttl)) {
		return nil
	}
	line := m.groups[group]
	if line == nil {
		line = list.New()
		m.groups[group] = line
	}
	for line.Len() >= m.pending.PerGroup {
		m.remove(line.Front().Value.(*memEntry))
	}
	for m.evictAll.Len() >= m.pending.Max {
		m.remove(m.evictAll.Front().Value.(*memEntry))
	}
	if m.groups[group] == nil { // emptied by the evictions above
		m.groups[group] = line
	}
	e := &memEntry{key: key, value: value, expires: now.Add(ttl), group: group}
	e.inAll, e.inGroup = m.evictAll.PushBack(e), line.PushBack(e)
	m.insert(e)
	return nil
}

// Unlist implements EvictableKV. The entry then counts against MaxEntries;
// when those are all taken it stays evictable, and Unlist is ErrFull.
func (m *Memory) Unlist(ctx context.Context, _, key string) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(m.now())
	e, ok := m.entries[key]
	if !ok || e.inAll == nil {
		return nil
	}
	if m.ordinary() >= m.max {
		return ErrFull
	}
	m.unlist(e)
	return nil
}

// Stats tells how many entries of each kind are held, and their bounds.
func (m *Memory) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(m.now())
	return Stats{Entries: m.ordinary(), MaxEntries: m.max, Pending: m.evictAll.Len(), MaxPending: m.pending.Max}
}

// Ready is ErrFull while no ordinary entry can be added, so that a full
// store takes the instance out of service rather than failing every
// sign-in. Evictable entries never fill it.
func (m *Memory) Ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s := m.Stats(); s.Entries >= s.MaxEntries {
		return ErrFull
	}
	return nil
}

func (m *Memory) checkValue(value []byte) error {
	if len(value) > m.maxValue {
		return fmt.Errorf("session: value of %d bytes exceeds the limit of %d", len(value), m.maxValue)
	}
	return nil
}

// replace gives an existing entry a new value and expiry, keeping its kind
// and its place among the evictable ones; false when key is not there.
func (m *Memory) replace(key string, value []byte, expires time.Time) bool {
	e, ok := m.entries[key]
	if !ok {
		return false
	}
	e.value, e.expires = value, expires
	heap.Fix(&m.byExp, e.index)
	return true
}

func (m *Memory) insert(e *memEntry) {
	m.entries[e.key] = e
	heap.Push(&m.byExp, e)
}

// ordinary is the number of entries that count against MaxEntries.
func (m *Memory) ordinary() int { return len(m.entries) - m.evictAll.Len() }

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
	m.unlist(e)
}

// unlist takes e out of the evictable lists, if it is in them.
func (m *Memory) unlist(e *memEntry) {
	if e.inAll == nil {
		return
	}
	m.evictAll.Remove(e.inAll)
	line := m.groups[e.group]
	line.Remove(e.inGroup)
	if line.Len() == 0 {
		delete(m.groups, e.group)
	}
	e.inAll, e.inGroup, e.group = nil, nil, ""
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
