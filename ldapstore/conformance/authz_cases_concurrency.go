package conformance

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func testAuthzStaleUpdate(t *testing.T, b AuthorizationBackend) {
	createAuthz(t, b.Store, MinimalAuthorization("alice", "rp"))
	staleAuthzUpdate(t, b.Store, "alice", "rp")
}

// staleAuthzUpdate checks that an update from a state another update has
// replaced fails with ErrConflict, and that the other update stands.
func staleAuthzUpdate(t *testing.T, s AuthorizationStore, subject, clientID string) {
	t.Helper()
	_, err := s.Update(t.Context(), subject, clientID, func(a oauth.Authorization) (oauth.Authorization, error) {
		updateAuthz(t, s, subject, clientID, func(inner *oauth.Authorization) { inner.Issuer = "https://inner.example" })
		a.Issuer = "https://outer.example"
		return a, nil
	})
	wantErr(t, "stale Update", err, ldapstore.ErrConflict)
	if got := getAuthz(t, s, subject, clientID).Issuer; got != "https://inner.example" {
		t.Errorf("after the conflict issuer = %q, want the inner update's", got)
	}
	got := updateAuthz(t, s, subject, clientID, func(a *oauth.Authorization) { a.Issuer = "https://outer.example" })
	if got.Issuer != "https://outer.example" {
		t.Errorf("retried update gave issuer %q", got.Issuer)
	}
}

// testAuthzConcurrentWithRetry: every increment retried on conflict lands
// exactly once.
func testAuthzConcurrentWithRetry(t *testing.T, b AuthorizationBackend) {
	const workers = 12
	const maxAttempts = 500
	createAuthz(t, b.Store, MinimalAuthorization("alice", "counter"))
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	for i := range workers {
		scope := fmt.Sprintf("scope-%02d", i)
		wg.Go(func() {
			for range maxAttempts {
				_, err := b.Store.Update(t.Context(), "alice", "counter", func(a oauth.Authorization) (oauth.Authorization, error) {
					n, _ := a.Data["n"].(float64)
					if a.Data == nil {
						a.Data = map[string]any{}
					}
					a.Data["n"] = n + 1
					a.Scopes = append(a.Scopes, scope)
					return a, nil
				})
				if err == nil {
					return
				}
				if !errors.Is(err, ldapstore.ErrConflict) {
					t.Errorf("Update: %v", err)
					return
				}
				conflicts.Add(1)
			}
			t.Errorf("no success in %d attempts", maxAttempts)
		})
	}
	wg.Wait()
	got := getAuthz(t, b.Store, "alice", "counter")
	if n, _ := got.Data["n"].(float64); n != workers || len(got.Scopes) != workers {
		t.Errorf("counter = %v and %d scopes, want %d of each", got.Data["n"], len(got.Scopes), workers)
	}
	t.Logf("%d increments, %d conflicts retried", workers, conflicts.Load())
}

// testAuthzConcurrentWithoutRetry: updates that all read the same state
// before any writes; exactly one may win, and only the winners' changes
// show.
func testAuthzConcurrentWithoutRetry(t *testing.T, b AuthorizationBackend) {
	const workers = 8
	createAuthz(t, b.Store, MinimalAuthorization("alice", "race"))
	var arrived sync.WaitGroup
	arrived.Add(workers)
	allRead := make(chan struct{})
	go func() { arrived.Wait(); close(allRead) }()
	var mu sync.Mutex
	barrierHeld := true
	var winners []string
	var wg sync.WaitGroup
	for i := range workers {
		scope := fmt.Sprintf("writer-%d", i)
		wg.Go(func() {
			_, err := b.Store.Update(t.Context(), "alice", "race", func(a oauth.Authorization) (oauth.Authorization, error) {
				arrived.Done()
				select {
				case <-allRead:
				case <-time.After(10 * time.Second): // a store that serialises updates
					mu.Lock()
					barrierHeld = false
					mu.Unlock()
				}
				a.Scopes = append(a.Scopes, scope)
				return a, nil
			})
			switch {
			case err == nil:
				mu.Lock()
				winners = append(winners, scope)
				mu.Unlock()
			case !errors.Is(err, ldapstore.ErrConflict):
				t.Errorf("%s: %v", scope, err)
			}
		})
	}
	wg.Wait()
	visible := slices.Sorted(slices.Values(getAuthz(t, b.Store, "alice", "race").Scopes))
	slices.Sort(winners)
	if !slices.Equal(visible, winners) {
		t.Errorf("visible scopes %v, but the updates that succeeded were %v", visible, winners)
	}
	if len(winners) == 0 || barrierHeld && len(winners) != 1 {
		t.Errorf("%d updates from the same state succeeded, want exactly one", len(winners))
	}
}
