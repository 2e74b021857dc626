package resource

import (
	"context"
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// DefaultTokenCacheSize is how many verified access tokens are remembered
// unless Options.TokenCacheSize says otherwise: a few hundred bytes each.
const DefaultTokenCacheSize = 10000

// tokenKey names a token in the cache: its SHA-256, so that the cache
// holds no token and an entry is found only by the very same bytes.
type tokenKey [sha256.Size]byte

// tokenCache remembers the claims of access tokens that passed
// Minter.ParseAccessToken, until the tokens expire: a resource server
// asks about the same token again and again, and parsing it — base64,
// JSON, an RSA or ECDSA signature check — is most of what introspection
// costs. What a parse checks cannot change while the token is unexpired:
// the bytes are the same, the Minter and its published keys are fixed at
// start, and iss and iat do not move. Revocation can change, so it is
// not cached here: the revocation list is read on every call. Failures
// are not cached either. When full, an arbitrary entry makes room (Go's
// map iteration starts at a random place), which costs O(1) and needs no
// bookkeeping on a hit; expired entries leave when they are met.
type tokenCache struct {
	mu           sync.RWMutex
	size         int
	entries      map[tokenKey]tokens.AccessClaims
	hits, misses atomic.Uint64
}

// newTokenCache returns a cache of size entries: 0 means
// DefaultTokenCacheSize, a negative size nil (no cache; its methods
// then do nothing).
func newTokenCache(size int) *tokenCache {
	switch {
	case size < 0:
		return nil
	case size == 0:
		size = DefaultTokenCacheSize
	}
	return &tokenCache{size: size, entries: make(map[tokenKey]tokens.AccessClaims)}
}

// get returns the claims of the token with key k when they are known and
// the token has not expired at now. The claims are shared: read only.
func (c *tokenCache) get(k tokenKey, now time.Time) (tokens.AccessClaims, bool) {
	if c == nil {
		return tokens.AccessClaims{}, false
	}
	c.mu.RLock()
	ac, ok := c.entries[k]
	c.mu.RUnlock()
	switch {
	case !ok:
		c.misses.Add(1)
		return ac, false
	case !now.Before(ac.ExpiresAt):
		// From exp on, the Minter decides again (it allows for skew).
		c.drop(k)
		c.misses.Add(1)
		return tokens.AccessClaims{}, false
	}
	c.hits.Add(1)
	return ac, true
}

func (c *tokenCache) put(k tokenKey, ac tokens.AccessClaims, now time.Time) {
	if c == nil || !now.Before(ac.ExpiresAt) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.size {
		for old := range c.entries {
			delete(c.entries, old)
			break
		}
	}
	c.entries[k] = ac
}

func (c *tokenCache) drop(k tokenKey) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.entries, k)
	c.mu.Unlock()
}

func (c *tokenCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// TokenCacheStats are the counters of the cache of verified access
// tokens, for metrics.
type TokenCacheStats struct {
	Hits, Misses  uint64
	Entries, Size int
}

// TokenCacheStats returns the cache's counters; all zero when it is off.
func (h *Handler) TokenCacheStats() TokenCacheStats {
	c := h.tokens
	if c == nil {
		return TokenCacheStats{}
	}
	return TokenCacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Entries: c.len(), Size: c.size}
}

// parseAccessToken is Minter.ParseAccessToken behind the cache.
func (h *Handler) parseAccessToken(ctx context.Context, token string) (tokens.AccessClaims, tokenKey, error) {
	k := tokenKey(sha256.Sum256([]byte(token)))
	now := h.opts.Now()
	if ac, ok := h.tokens.get(k, now); ok {
		return ac, k, nil
	}
	ac, err := h.opts.Minter.ParseAccessToken(ctx, token)
	if err == nil {
		h.tokens.put(k, ac, now)
	}
	return ac, k, err
}
