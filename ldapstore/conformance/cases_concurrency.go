package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// testStaleUpdateConflicts makes a conflict happen for certain: the
// function of one update runs a whole other update before it returns.
func testStaleUpdateConflicts(t *testing.T, b Backend) {
	mustCreate(t, b.Store, MinimalClient("stale"))
	staleUpdate(t, b.Store, "stale")
}

// staleUpdate checks that an update from a state that another update has
// replaced fails with ErrConflict, and that the other update stands.
func staleUpdate(t *testing.T, s Store, id string) {
	t.Helper()
	_, err := s.Update(t.Context(), id, func(c oauth.Client) (oauth.Client, error) {
		mustUpdate(t, s, id, func(inner *oauth.Client) { inner.Metadata.SoftwareID = "inner" })
		c.Metadata.SoftwareID = "outer"
		return c, nil
	})
	wantErr(t, "stale Update", err, ldapstore.ErrConflict)
	if got := mustGet(t, s, id).Metadata.SoftwareID; got != "inner" {
		t.Errorf("after the conflict software_id = %q, want the inner update's", got)
	}
	// Retried from the new state, the update goes through.
	got := mustUpdate(t, s, id, func(c *oauth.Client) { c.Metadata.SoftwareID = "outer" })
	if got.Metadata.SoftwareID != "outer" {
		t.Errorf("retried update gave software_id %q", got.Metadata.SoftwareID)
	}
}

const counterMember = "counter"

func counter(c oauth.Client) (int, error) {
	raw, ok := c.Metadata.Extra[counterMember]
	if !ok {
		return 0, nil
	}
	var n int
	err := json.Unmarshal(raw, &n)
	return n, err
}

// testConcurrentWithRetry: every increment retried on conflict lands once.
func testConcurrentWithRetry(t *testing.T, b Backend) {
	const workers = 12
	const maxAttempts = 500
	mustCreate(t, b.Store, MinimalClient("counter"))
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range maxAttempts {
				_, err := b.Store.Update(t.Context(), "counter", func(c oauth.Client) (oauth.Client, error) {
					n, err := counter(c)
					if err != nil {
						return c, err
					}
					if c.Metadata.Extra == nil {
						c.Metadata.Extra = map[string]json.RawMessage{}
					}
					c.Metadata.Extra[counterMember] = json.RawMessage(strconv.Itoa(n + 1))
					return c, nil
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
	n, err := counter(mustGet(t, b.Store, "counter"))
	if err != nil || n != workers {
		t.Errorf("counter = %d (%v), want %d", n, err, workers)
	}
	t.Logf("%d increments, %d conflicts retried", workers, conflicts.Load())
}

// testConcurrentWithoutRetry: updates that all read the same state before
// any writes; exactly one may win, and exactly the winners' changes show.
func testConcurrentWithoutRetry(t *testing.T, b Backend) {
	const workers = 8
	mustCreate(t, b.Store, MinimalClient("race"))
	var arrived sync.WaitGroup
	arrived.Add(workers)
	allRead := make(chan struct{})
	go func() { arrived.Wait(); close(allRead) }()
	barrierHeld := true
	var mu sync.Mutex
	winners := make(map[string]bool)
	var wg sync.WaitGroup
	for i := range workers {
		key := fmt.Sprintf("writer-%d", i)
		wg.Go(func() {
			_, err := b.Store.Update(t.Context(), "race", func(c oauth.Client) (oauth.Client, error) {
				arrived.Done()
				select {
				case <-allRead:
				case <-time.After(10 * time.Second): // a store that serialises updates
					mu.Lock()
					barrierHeld = false
					mu.Unlock()
				}
				if c.Metadata.Extra == nil {
					c.Metadata.Extra = map[string]json.RawMessage{}
				}
				c.Metadata.Extra[key] = json.RawMessage(`true`)
				return c, nil
			})
			switch {
			case err == nil:
				mu.Lock()
				winners[key] = true
				mu.Unlock()
			case !errors.Is(err, ldapstore.ErrConflict):
				t.Errorf("%s: %v", key, err)
			}
		})
	}
	wg.Wait()
	var visible []string
	for k := range mustGet(t, b.Store, "race").Metadata.Extra {
		if strings.HasPrefix(k, "writer-") {
			visible = append(visible, k)
		}
	}
	slices.Sort(visible)
	want := slices.Sorted(maps.Keys(winners))
	if !slices.Equal(visible, want) {
		t.Errorf("visible changes %v, but the updates that succeeded were %v", visible, want)
	}
	if len(want) == 0 || barrierHeld && len(want) != 1 {
		t.Errorf("%d updates from the same state succeeded, want exactly one", len(want))
	}
}

// testPaging lists more clients than a directory returns in one page, or
// without paging at all under OpenLDAP's default size limit of 500.
func testPaging(t *testing.T, b Backend) {
	const total = 1100
	const workers = 8
	start := time.Now()
	ids := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for id := range ids {
				c := MinimalClient(id)
				c.Metadata.ClientName = oauth.LangString{"": "Client " + id}
				if _, err := b.Store.Create(t.Context(), c); err != nil {
					t.Errorf("Create(%s): %v", id, err)
				}
			}
		})
	}
	for i := range total {
		ids <- fmt.Sprintf("paged-%04d", i)
	}
	close(ids)
	wg.Wait()
	if t.Failed() {
		return
	}
	created := time.Since(start)
	listed, errs := collect(t, b.Store)
	if len(errs) > 0 {
		t.Fatalf("List errors: %v", errs)
	}
	if len(listed) != total {
		t.Errorf("List gave %d clients, want %d", len(listed), total)
	}
	for i := range total {
		id := fmt.Sprintf("paged-%04d", i)
		if c, ok := listed[id]; !ok || c.Metadata.ClientName[""] != "Client "+id {
			t.Errorf("List lacks %s or has it wrong: %+v", id, c)
			break
		}
	}
	t.Logf("created %d clients in %v, listed them in %v", total, created, time.Since(start)-created)
}
