package logout

import (
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultMemoryMax bounds the jobs a Memory queue holds.
const DefaultMemoryMax = 10000

// ErrFull is Push's answer from a Memory queue that holds its maximum.
var ErrFull = errors.New("logout: queue full")

// Memory is a Queue in this process: for a single instance. Its jobs die
// with the process.
type Memory struct {
	mu     sync.Mutex
	jobs   map[string]Job
	due    map[string]time.Time // jobs waiting, by when they are due
	leased map[string]time.Time // jobs taken, by when their lease ends
	max    int
	now    func() time.Time
}

// NewMemory returns an empty queue of at most max jobs (DefaultMemoryMax
// when 0 or less); a nil clock means time.Now.
func NewMemory(max int, clock func() time.Time) *Memory {
	if max <= 0 {
		max = DefaultMemoryMax
	}
	if clock == nil {
		clock = time.Now
	}
	return &Memory{jobs: map[string]Job{}, due: map[string]time.Time{}, leased: map[string]time.Time{}, max: max, now: clock}
}

// Push implements Queue.
func (m *Memory) Push(_ context.Context, j Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.jobs) >= m.max {
		return ErrFull
	}
	m.jobs[j.ID] = j
	m.due[j.ID] = m.now()
	return nil
}

// Take implements Queue.
func (m *Memory) Take(_ context.Context, lease time.Duration) (Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for id, until := range m.leased {
		if !now.Before(until) {
			delete(m.leased, id)
			m.due[id] = now
		}
	}
	var first string
	for id, at := range m.due {
		if !at.After(now) && (first == "" || at.Before(m.due[first])) {
			first = id
		}
	}
	if first == "" {
		return Job{}, ErrEmpty
	}
	delete(m.due, first)
	m.leased[first] = now.Add(lease)
	return m.jobs[first], nil
}

// Retry implements Queue.
func (m *Memory) Retry(_ context.Context, j Job, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.leased[j.ID]; !ok {
		return nil
	}
	delete(m.leased, j.ID)
	m.jobs[j.ID] = j
	m.due[j.ID] = at
	return nil
}

// Done implements Queue.
func (m *Memory) Done(_ context.Context, j Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.leased, j.ID)
	delete(m.due, j.ID)
	delete(m.jobs, j.ID)
	return nil
}
