// Package registrationtest provides an in-memory client store for unit tests
// of code that needs clients but not a directory. It implements
// registration.ClientStore and reports the storage package's errors.
package registrationtest

import (
	"context"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// The sentinel errors of Store. Malformed entries cannot occur in memory.
var (
	ErrNotFound      = storage.ErrNotFound
	ErrAlreadyExists = storage.ErrAlreadyExists
	ErrConflict      = storage.ErrConflict
	ErrUnavailable   = storage.ErrUnavailable
)

// Store is a ClientStore in memory. IDs are exact strings.
type Store struct {
	mu      sync.Mutex
	clients map[string]oauth.Client
	serial  int
	down    bool
}

// New returns an empty store.
func New() *Store { return &Store{clients: map[string]oauth.Client{}} }

// SetDown makes every call fail with ErrUnavailable, or work again.
func (s *Store) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Put stores c as it is, for fixtures that the API would not create (an
// entry written by another server, a plain secret).
func (s *Store) Put(c oauth.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[key(c.ID)] = c.Clone()
}

// Len is the number of clients.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

func key(id string) string { return id }

func (s *Store) check(ctx context.Context) error {
	if s.down {
		return ErrUnavailable
	}
	return ctx.Err()
}

func (s *Store) version() string {
	s.serial++
	return strconv.Itoa(s.serial)
}

func (s *Store) Create(ctx context.Context, c oauth.Client) (oauth.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return oauth.Client{}, err
	}
	if _, ok := s.clients[key(c.ID)]; ok {
		return oauth.Client{}, ErrAlreadyExists
	}
	c = c.Clone()
	c.Version = s.version()
	s.clients[key(c.ID)] = c
	return c.Clone(), nil
}

func (s *Store) Get(ctx context.Context, id string) (oauth.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return oauth.Client{}, err
	}
	c, ok := s.clients[key(id)]
	if !ok {
		return oauth.Client{}, ErrNotFound
	}
	return c.Clone(), nil
}

// Update holds the lock while fn runs, so it never conflicts.
func (s *Store) Update(ctx context.Context, id string, fn func(oauth.Client) (oauth.Client, error)) (oauth.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return oauth.Client{}, err
	}
	old, ok := s.clients[key(id)]
	if !ok {
		return oauth.Client{}, ErrNotFound
	}
	next, err := fn(old.Clone())
	if err != nil {
		return oauth.Client{}, err
	}
	next = next.Clone()
	next.ID = old.ID
	next.Version = s.version()
	s.clients[key(id)] = next
	return next.Clone(), nil
}

func (s *Store) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	if _, ok := s.clients[key(id)]; !ok {
		return ErrNotFound
	}
	delete(s.clients, key(id))
	return nil
}

// List yields a snapshot in ID order.
func (s *Store) List(ctx context.Context) iter.Seq2[oauth.Client, error] {
	return func(yield func(oauth.Client, error) bool) {
		s.mu.Lock()
		err := s.check(ctx)
		var all []oauth.Client
		for _, c := range s.clients {
			all = append(all, c.Clone())
		}
		s.mu.Unlock()
		if err != nil {
			yield(oauth.Client{}, err)
			return
		}
		slices.SortFunc(all, func(a, b oauth.Client) int { return strings.Compare(a.ID, b.ID) })
		for _, c := range all {
			if !yield(c, nil) {
				return
			}
		}
	}
}
