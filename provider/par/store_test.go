package par

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// fakeClock is a settable clock for the memory store's expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newTestStore() (*Store, *fakeClock) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	return NewStore(session.NewMemory(session.MemoryOptions{Clock: clock.Now})), clock
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	req := authorize.Request{ClientID: "rp", RedirectURI: "https://rp.example/cb", State: "s", Scopes: []string{"openid"}}

	t.Run("taken once, by its client", func(t *testing.T) {
		s, _ := newTestStore()
		uri, err := s.Push(ctx, req, time.Minute)
		if err != nil || !strings.HasPrefix(uri, authorize.PushedURIPrefix) || len(uri) < len(authorize.PushedURIPrefix)+43 {
			t.Fatalf("Push = %q, %v", uri, err)
		}
		if _, err := s.Take(ctx, "other", uri); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("taken by another client: %v", err)
		}
		got, err := s.Take(ctx, "rp", uri)
		if err != nil || got.State != "s" || got.RedirectURI != req.RedirectURI {
			t.Fatalf("Take = %+v, %v", got, err)
		}
		if _, err := s.Take(ctx, "rp", uri); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("taken twice: %v", err)
		}
	})
	t.Run("expires", func(t *testing.T) {
		s, clock := newTestStore()
		uri, err := s.Push(ctx, req, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		if _, err := s.Take(ctx, "rp", uri); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("expired request taken: %v", err)
		}
	})
	t.Run("racing takes", func(t *testing.T) {
		s, _ := newTestStore()
		uri, err := s.Push(ctx, req, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Take(ctx, "rp", uri); err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("%d takes succeeded, want 1", won)
		}
	})
	t.Run("URIs of other forms name nothing", func(t *testing.T) {
		s, _ := newTestStore()
		for _, uri := range []string{"", authorize.PushedURIPrefix, "https://rp.example/ro"} {
			if _, err := s.Take(ctx, "rp", uri); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Take(%q) = %v", uri, err)
			}
		}
	})
	t.Run("a lifetime is needed", func(t *testing.T) {
		s, _ := newTestStore()
		if _, err := s.Push(ctx, req, 0); err == nil {
			t.Error("pushed without a lifetime")
		}
	})
}
