package authorize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
)

// Defaults of HTTPFetcher.
const (
	defaultFetchTimeout  = 5 * time.Second
	defaultFetchMaxBytes = 256 << 10
	defaultKeySetTTL     = 5 * time.Minute
	defaultKeySetEntries = 256
	// minRefresh: a key set fetched this recently is not fetched again on
	// request, so that objects with made-up key ids cannot make the server
	// hammer a client's jwks_uri.
	minRefresh = 30 * time.Second
)

// HTTPFetcher is the KeyFetcher over HTTP: every fetch has a deadline
// and a size limit, redirects are not followed, and key sets are cached
// for a while. The zero value is ready to use.
type HTTPFetcher struct {
	// Client makes the requests; nil means one that does not follow
	// redirects. A client given here is used as it is.
	Client *http.Client
	// Public makes the requests of a context marked by
	// netguard.WithPublicOnly (for clients registered openly): nil means
	// netguard.Client, which reaches public addresses only.
	Public *http.Client
	// Timeout bounds each fetch (default 5s).
	Timeout time.Duration
	// MaxBytes bounds each document (default 256 KiB).
	MaxBytes int64
	// CacheTTL is how long a key set is kept (default 5 minutes), and
	// MaxEntries how many are (default 256).
	CacheTTL   time.Duration
	MaxEntries int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	once   sync.Once
	client *http.Client
	public *http.Client
	mu     sync.Mutex
	cache  map[string]cachedKeySet
}

type cachedKeySet struct {
	set       jose.JSONWebKeySet
	fetchedAt time.Time
}

var _ KeyFetcher = (*HTTPFetcher)(nil)

// KeySet returns the key set at uri, from the cache while it is fresh.
func (f *HTTPFetcher) KeySet(ctx context.Context, uri string, refresh bool) (jose.JSONWebKeySet, error) {
	now := f.now()
	key := cacheKey(ctx, uri)
	f.mu.Lock()
	c, ok := f.cache[key]
	f.mu.Unlock()
	if ok {
		age := now.Sub(c.fetchedAt)
		if age < minRefresh || !refresh && age < f.ttl() {
			return c.set, nil
		}
	}
	body, err := f.get(ctx, uri, "application/jwk-set+json, application/json")
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return set, fmt.Errorf("key set at %s: %w", uri, err)
	}
	f.store(key, cachedKeySet{set: set, fetchedAt: now})
	return set, nil
}

// RequestObject fetches a request object; it is never cached.
func (f *HTTPFetcher) RequestObject(ctx context.Context, uri string) ([]byte, error) {
	return f.get(ctx, uri, "application/oauth-authz-req+jwt, application/jwt")
}

var errTooLarge = errors.New("document too large")

func (f *HTTPFetcher) get(ctx context.Context, uri, accept string) ([]byte, error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = defaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := f.httpClient(ctx).Do(req)
	if err != nil {
		return nil, err
	}
	// Closing a body that was read, or is being abandoned, has nothing to report.
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", uri, resp.StatusCode)
	}
	limit := f.MaxBytes
	if limit <= 0 {
		limit = defaultFetchMaxBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: %w (more than %d bytes)", uri, errTooLarge, limit)
	}
	return body, nil
}

func (f *HTTPFetcher) httpClient(ctx context.Context) *http.Client {
	f.once.Do(func() {
		f.client = f.Client
		if f.client == nil {
			f.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}}
		}
		f.public = f.Public
		if f.public == nil {
			f.public = netguard.Client()
		}
	})
	if netguard.PublicOnly(ctx) {
		return f.public
	}
	return f.client
}

// cacheKey keeps apart the key sets fetched through the guard and those
// fetched without it, so that a client registered openly never gets a
// set that was fetched from an internal address for another client.
func cacheKey(ctx context.Context, uri string) string {
	if netguard.PublicOnly(ctx) {
		return "public " + uri
	}
	return uri
}

// store caches a key set, making room by dropping expired entries and,
// when that is not enough, the oldest.
func (f *HTTPFetcher) store(uri string, c cachedKeySet) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cache == nil {
		f.cache = map[string]cachedKeySet{}
	}
	limit := f.MaxEntries
	if limit <= 0 {
		limit = defaultKeySetEntries
	}
	if _, ok := f.cache[uri]; !ok && len(f.cache) >= limit {
		f.evict(c.fetchedAt, limit)
	}
	f.cache[uri] = c
}

func (f *HTTPFetcher) evict(now time.Time, limit int) {
	oldest := ""
	for uri, c := range f.cache {
		if now.Sub(c.fetchedAt) >= f.ttl() {
			delete(f.cache, uri)
			continue
		}
		if oldest == "" || c.fetchedAt.Before(f.cache[oldest].fetchedAt) {
			oldest = uri
		}
	}
	if len(f.cache) >= limit {
		delete(f.cache, oldest)
	}
}

func (f *HTTPFetcher) ttl() time.Duration {
	if f.CacheTTL > 0 {
		return f.CacheTTL
	}
	return defaultKeySetTTL
}

func (f *HTTPFetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// SectorURIs reads the JSON array of redirect URIs a client's
// sector_identifier_uri lists (OpenID Connect Dynamic Client Registration
// §5), with the same deadline and size limit as every fetch.
func (f *HTTPFetcher) SectorURIs(ctx context.Context, uri string) ([]string, error) {
	body, err := f.get(ctx, uri, "application/json")
	if err != nil {
		return nil, err
	}
	var uris []string
	if err := json.Unmarshal(body, &uris); err != nil {
		return nil, fmt.Errorf("sector identifier at %s: not a JSON array of strings", uri)
	}
	return uris, nil
}
