package secrets

import (
	"container/list"
	"sync"
)

// lru is a bounded set of fingerprints, least recently used evicted first.
type lru struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // of *lruEntry, most recent at the front
	index    map[fingerprint]*list.Element
}

type lruEntry struct {
	fp       fingerprint
	clientID string
}

func newLRU(capacity int) *lru {
	return &lru{capacity: capacity, order: list.New(), index: make(map[fingerprint]*list.Element)}
}

func (l *lru) hit(fp fingerprint) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.index[fp]
	if ok {
		l.order.MoveToFront(e)
	}
	return ok
}

func (l *lru) add(fp fingerprint, clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.index[fp]; ok {
		l.order.MoveToFront(e)
		return
	}
	l.index[fp] = l.order.PushFront(&lruEntry{fp: fp, clientID: clientID})
	for l.order.Len() > l.capacity {
		l.remove(l.order.Back())
	}
}

// forget walks the whole list: at most CacheSize entries, and rare.
func (l *lru) forget(clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for e := l.order.Front(); e != nil; {
		next := e.Next()
		if e.Value.(*lruEntry).clientID == clientID {
			l.remove(e)
		}
		e = next
	}
}

func (l *lru) remove(e *list.Element) {
	delete(l.index, e.Value.(*lruEntry).fp)
	l.order.Remove(e)
}

func (l *lru) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}
