package ldapstore

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

func cached(c *clientCache, id string) (string, bool) {
	got, _, ok := c.get(id)
	return got.Metadata.SoftwareID, ok
}

func fill(c *clientCache, id, value string) {
	_, gen, _ := c.get(id)
	c.put(gen, id, oauth.Client{ID: id, Metadata: oauth.Metadata{SoftwareID: value}})
}

func TestCacheExpires(t *testing.T) {
	clock := &testClock{now: time.Unix(0, 0)}
	c := newClientCache(10*time.Second, 10, clock.Now)
	fill(c, "a", "1")
	clock.now = clock.now.Add(9 * time.Second)
	if v, ok := cached(c, "a"); !ok || v != "1" {
		t.Errorf("before the TTL: %q, %v", v, ok)
	}
	clock.now = clock.now.Add(time.Second)
	if _, ok := cached(c, "a"); ok {
		t.Error("still cached at the TTL")
	}
	if c.len() != 0 {
		t.Errorf("an expired client is kept: %d held", c.len())
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newClientCache(time.Minute, 2, (&testClock{now: time.Unix(0, 0)}).Now)
	fill(c, "a", "1")
	fill(c, "b", "1")
	cached(c, "a")
	fill(c, "c", "1")
	if _, ok := cached(c, "b"); ok {
		t.Error("b, the least recently used, was kept")
	}
	for _, id := range []string{"a", "c"} {
		if _, ok := cached(c, id); !ok {
			t.Errorf("%s was evicted", id)
		}
	}
	if c.len() != 2 {
		t.Errorf("%d held, want 2", c.len())
	}
}

func TestCacheRefill(t *testing.T) {
	c := newClientCache(time.Minute, 2, (&testClock{now: time.Unix(0, 0)}).Now)
	fill(c, "a", "1")
	fill(c, "a", "2")
	if v, _ := cached(c, "a"); v != "2" || c.len() != 1 {
		t.Errorf("after a refill: %q, %d held", v, c.len())
	}
}

// A read that started before an invalidation must not store what it read:
// it may be the state the invalidating write replaced.
func TestCacheDropsReadsRacingAnInvalidation(t *testing.T) {
	c := newClientCache(time.Minute, 10, (&testClock{now: time.Unix(0, 0)}).Now)
	_, gen, _ := c.get("a") // miss; the read goes to the directory
	c.invalidate("a")       // meanwhile a local update
	c.put(gen, "a", oauth.Client{ID: "a"})
	if _, ok := cached(c, "a"); ok {
		t.Error("a stale read was cached")
	}
}

func TestCacheHandsOutCopies(t *testing.T) {
	c := newClientCache(time.Minute, 10, (&testClock{now: time.Unix(0, 0)}).Now)
	orig := oauth.Client{ID: "a", Metadata: oauth.Metadata{RedirectURIs: []string{"https://a"}}}
	_, gen, _ := c.get("a")
	c.put(gen, "a", orig)
	orig.Metadata.RedirectURIs[0] = "changed by the reader"
	got, _, _ := c.get("a")
	got.Metadata.RedirectURIs[0] = "changed again"
	if again, _, _ := c.get("a"); again.Metadata.RedirectURIs[0] != "https://a" {
		t.Errorf("cache content changed to %q", again.Metadata.RedirectURIs[0])
	}
}

func TestNilCacheCachesNothing(t *testing.T) {
	c := newClientCache(0, 10, time.Now)
	if c != nil {
		t.Fatal("a TTL of zero made a cache")
	}
	fill(c, "a", "1")
	c.invalidate("a")
	if _, ok := cached(c, "a"); ok || c.len() != 0 {
		t.Error("a nil cache held something")
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	c := newClientCache(time.Minute, 8, time.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				id := fmt.Sprint((g + i) % 16)
				switch i % 3 {
				case 0:
					fill(c, id, "v")
				case 1:
					cached(c, id)
				default:
					c.invalidate(id)
				}
			}
		})
	}
	wg.Wait()
	if n := c.len(); n > 8 {
		t.Errorf("%d held, bound is 8", n)
	}
}

// TestCacheDefaultBound: the default TTL is the bound docs/scale-out.md
// promises for changes made through another instance.
func TestCacheDefaultBound(t *testing.T) {
	clock := &testClock{now: time.Unix(0, 0)}
	c := newClientCache(DefaultClientCacheTTL, DefaultClientCacheSize, clock.Now)
	fill(c, "a", "1")
	clock.now = clock.now.Add(5 * time.Second)
	if _, ok := cached(c, "a"); ok {
		t.Fatal("a client read 5 s ago is still answered from the cache")
	}
}
