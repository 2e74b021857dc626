package ldapstore

import (
	"container/list"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Defaults of the client cache. Most token requests read the same few
// clients; five seconds is the documented bound (docs/scale-out.md) on how
// long a change made through another Gatehouse instance, or straight in
// the directory, goes unseen here: a registration updated, a secret
// rolled over or a client deleted on one instance is honoured by all
// within it. A change made through this instance is seen at once
// (invalidate). Five seconds still spares the directory all but one read
// per client and instance in that time.
const (
	DefaultClientCacheTTL  = 5 * time.Second
	DefaultClientCacheSize = 1024
)

// clientCache keeps recently read clients for a short time. It is
// least-recently-used bounded, and safe for concurrent use. A nil
// *clientCache caches nothing.
//
// A read that misses takes the cache's generation before it asks the
// directory and stores its answer only if no invalidation happened in
// between; otherwise a read racing with a local update could put back the
// state the update replaced.
type clientCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	gen   uint64
	items map[string]*list.Element // of *cacheItem
	order *list.List               // most recently used first
}

type cacheItem struct {
	id      string
	client  oauth.Client
	expires time.Time
}

func newClientCache(ttl time.Duration, size int, now func() time.Time) *clientCache {
	if ttl <= 0 {
		return nil
	}
	return &clientCache{ttl: ttl, max: max(size, 1), now: now, items: make(map[string]*list.Element), order: list.New()}
}

// get returns a copy of the cached client, or false and the generation to
// hand to put once the client has been read.
func (c *clientCache) get(id string) (oauth.Client, uint64, bool) {
	if c == nil {
		return oauth.Client{}, 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[id]
	if !ok {
		return oauth.Client{}, c.gen, false
	}
	item := el.Value.(*cacheItem)
	if !c.now().Before(item.expires) {
		c.removeLocked(el)
		return oauth.Client{}, c.gen, false
	}
	c.order.MoveToFront(el)
	return item.client.Clone(), c.gen, true
}

// put stores a copy of the client read for id at generation gen, unless
// the cache was invalidated since.
func (c *clientCache) put(gen uint64, id string, client oauth.Client) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	item := &cacheItem{id: id, client: client.Clone(), expires: c.now().Add(c.ttl)}
	if el, ok := c.items[id]; ok {
		el.Value = item
		c.order.MoveToFront(el)
		return
	}
	c.items[id] = c.order.PushFront(item)
	for c.order.Len() > c.max {
		c.removeLocked(c.order.Back())
	}
}

// invalidate forgets a client, and makes reads in flight not store theirs.
func (c *clientCache) invalidate(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if el, ok := c.items[id]; ok {
		c.removeLocked(el)
	}
}

func (c *clientCache) removeLocked(el *list.Element) {
	delete(c.items, el.Value.(*cacheItem).id)
	c.order.Remove(el)
}

// len is the number of clients held, expired ones included.
func (c *clientCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
