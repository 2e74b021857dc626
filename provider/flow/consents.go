package flow

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Defaults of the consent cache (Options.ConsentCacheTTL, ConsentCacheSize).
const (
	DefaultConsentCacheTTL  = 5 * time.Second
	DefaultConsentCacheSize = 10000
	// consentHintTTL is how long a read that found no consent makes the
	// consent write try Add before Modify. It is a hint, not a decision:
	// an entry created meanwhile (elsewhere) fails the Add with
	// ErrAlreadyExists and is updated instead, so it may be old.
	consentHintTTL = 10 * time.Minute
)

// consentKey is whose consent for which client.
type consentKey struct{ subject, clientID string }

// consentRead is what the store answered for a key, and when.
type consentRead struct {
	grant oauth.Authorization
	found bool
	at    time.Time
}

// consents is a small bounded cache in front of the AuthorizationStore,
// for the question every /authorize of a signed-in person asks: does
// consent cover this request? It answers from what this instance read or
// wrote during the last ttl, so that a person (or an app renewing its
// tokens silently) returning within seconds costs no directory search.
// Its own writes replace what it knows at once; a change made elsewhere —
// another instance, the token endpoint revoking, an administrator — is
// seen within ttl, the bound documented in docs/performance.md.
//
// The cache only ever answers a read; writes go to the store, which keeps
// them atomic. Past size entries, an arbitrary one is dropped.
type consents struct {
	store AuthorizationStore
	ttl   time.Duration // <= 0: every read goes to the store
	size  int
	now   func() time.Time

	mu   sync.Mutex
	seen map[consentKey]consentRead
}

func newConsents(store AuthorizationStore, ttl time.Duration, size int, now func() time.Time) *consents {
	if ttl == 0 {
		ttl = DefaultConsentCacheTTL
	}
	if size <= 0 {
		size = DefaultConsentCacheSize
	}
	return &consents{store: store, ttl: ttl, size: size, now: now, seen: make(map[consentKey]consentRead)}
}

// get returns subject's consent for clientID; found is false, with a nil
// error, when there is none. The grant is shared: callers must not change it.
func (c *consents) get(ctx context.Context, subject, clientID string) (grant oauth.Authorization, found bool, err error) {
	key := consentKey{subject, clientID}
	if r, ok := c.recent(key, c.ttl); ok {
		return r.grant, r.found, nil
	}
	grant, err = c.store.Get(ctx, subject, clientID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		c.keep(key, consentRead{})
		return oauth.Authorization{}, false, nil
	case err != nil:
		return grant, false, err
	}
	c.keep(key, consentRead{grant: grant, found: true})
	return grant, true, nil
}

// absent says that a read of this instance found no consent of subject
// for clientID lately (consentHintTTL), and nothing was written since.
func (c *consents) absent(subject, clientID string) bool {
	r, ok := c.recent(consentKey{subject, clientID}, consentHintTTL)
	return ok && !r.found
}

// wrote records the entry this instance has just written.
func (c *consents) wrote(a oauth.Authorization) {
	c.keep(consentKey{a.Subject, a.ClientID}, consentRead{grant: a, found: true})
}

// forget drops what is known of a key, after a write whose outcome is
// unknown.
func (c *consents) forget(subject, clientID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.seen, consentKey{subject, clientID})
}

// recent is the read of key if it is younger than maxAge.
func (c *consents) recent(key consentKey, maxAge time.Duration) (consentRead, bool) {
	if maxAge <= 0 {
		return consentRead{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.seen[key]
	// A clock that went back counts as expired.
	if age := c.now().Sub(r.at); !ok || age < 0 || age >= maxAge {
		return consentRead{}, false
	}
	return r, true
}

func (c *consents) keep(key consentKey, r consentRead) {
	r.at = c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.seen[key]; !ok && len(c.seen) >= c.size {
		for k := range c.seen { // Go's map order: an arbitrary victim
			delete(c.seen, k)
			break
		}
	}
	c.seen[key] = r
}
