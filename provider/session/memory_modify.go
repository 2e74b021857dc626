package session

import (
	"bytes"
	"context"
	"time"
)

var _ Modifier = (*Memory)(nil)

// Modify implements Modifier under the store's lock. The entry stays an
// ordinary one (never evictable); a new key past MaxEntries is ErrFull.
func (m *Memory) Modify(ctx context.Context, key string, ttl time.Duration, fn func(old []byte, found bool) ([]byte, error)) error {
	if err := checkArgs(ctx, key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errBadTTL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	var old []byte
	e, found := m.entries[key]
	if found {
		old = bytes.Clone(e.value)
	}
	next, err := fn(old, found)
	if err != nil {
		return err
	}
	if next == nil {
		if found {
			m.remove(e)
		}
		return nil
	}
	if err := m.checkValue(next); err != nil {
		return err
	}
	next = bytes.Clone(next)
	if m.replace(key, next, now.Add(ttl)) {
		return nil
	}
	if m.ordinary() >= m.max {
		return ErrFull
	}
	m.insert(&memEntry{key: key, value: next, expires: now.Add(ttl)})
	return nil
}
