package authorize

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// clientServer plays a client's web server: request objects under /ro/,
// its key set at /jwks.json, and a huge document at /ro/huge.
type clientServer struct {
	*httptest.Server
	mu        sync.Mutex
	objects   map[string]string
	jwks      []byte
	jwksFetch atomic.Int32
}

func newClientServer(t *testing.T) *clientServer {
	cs := &clientServer{objects: map[string]string{}}
	cs.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		switch {
		case r.URL.Path == "/jwks.json":
			cs.jwksFetch.Add(1)
			_, _ = w.Write(cs.jwks)
		case r.URL.Path == "/ro/huge":
			_, _ = w.Write([]byte(strings.Repeat("x", 1<<20)))
		case cs.objects[r.URL.Path] != "":
			w.Header().Set("Content-Type", "application/oauth-authz-req+jwt")
			_, _ = w.Write([]byte(cs.objects[r.URL.Path]))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *clientServer) put(path, object string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.objects[path] = object
}

func (cs *clientServer) setKeys(b []byte) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.jwks = b
}

// remoteDeps knows a client "remote" whose keys and request objects live
// on cs, with a clock the test can move.
func remoteDeps(cs *clientServer, now *time.Time) Deps {
	deps := testDeps()
	clients := testClients()
	clients["remote"] = oauth.Client{ID: "remote", Metadata: oauth.Metadata{
		RedirectURIs: []string{webCallback},
		JWKSURI:      cs.URL + "/jwks.json",
		RequestURIs:  []string{cs.URL + "/ro/", cs.URL + "/exact"},
	}}
	deps.Clients = lookup(clients)
	deps.Now = func() time.Time { return *now }
	deps.Keys = &HTTPFetcher{Client: cs.Client(), Now: func() time.Time { return *now }}
	return deps
}

func remoteQuery(kv ...string) map[string][]string {
	return with(map[string][]string{
		"client_id": {"remote"}, "response_type": {"code"}, "redirect_uri": {webCallback}, "state": {"outer"},
	}, kv...)
}

func remoteClaims(kv ...any) map[string]any {
	return jarClaims(append([]any{"iss", "remote", "client_id", "remote"}, kv...)...)
}

func TestRequestURI(t *testing.T) {
	cs := newClientServer(t)
	cs.setKeys(jwksJSON(t, publicJWK(rsaKey, "rsa1")))
	now := testNow
	deps := remoteDeps(cs, &now)
	cs.put("/ro/1", sign(t, jose.RS256, rsaKey, "rsa1", remoteClaims()))
	cs.put("/exact", sign(t, jose.RS256, rsaKey, "rsa1", remoteClaims("state", "exact")))
	cs.put("/ro/unsigned", unsigned(remoteClaims()))

	t.Run("registered by prefix", func(t *testing.T) {
		req := mustParse(t, getRequest(remoteQuery("request_uri", cs.URL+"/ro/1")), deps)
		ro := req.RequestObject
		if ro.Source != "request_uri" || ro.URI != cs.URL+"/ro/1" || req.State != "inner-state" {
			t.Errorf("request = %+v, object %+v", req, ro)
		}
	})
	t.Run("registered exactly, with a fragment", func(t *testing.T) {
		req := mustParse(t, getRequest(remoteQuery("request_uri", cs.URL+"/exact#abc")), deps)
		if req.State != "exact" {
			t.Errorf("state = %q", req.State)
		}
	})
	t.Run("key set is cached", func(t *testing.T) {
		before := cs.jwksFetch.Load()
		mustParse(t, getRequest(remoteQuery("request_uri", cs.URL+"/ro/1")), deps)
		if got := cs.jwksFetch.Load(); got != before {
			t.Errorf("key set fetched again (%d → %d)", before, got)
		}
	})

	for _, tc := range []struct {
		name, uri, code, desc string
	}{
		{"not registered", cs.URL + "/other", "invalid_request_uri", "not registered"},
		{"exact value is no prefix", cs.URL + "/exact/more", "invalid_request_uri", "not registered"},
		{"prefix across hosts", strings.Replace(cs.URL, "127.0.0.1", "127.0.0.1.evil.example", 1) + "/ro/1", "invalid_request_uri", "not registered"},
		{"http", strings.Replace(cs.URL, "https:", "http:", 1) + "/ro/1", "invalid_request_uri", "https"},
		{"pushed request", "urn:ietf:params:oauth:request_uri:abc", "invalid_request_uri", "pushed"},
		{"not found", cs.URL + "/ro/missing", "invalid_request_uri", "could not be fetched"},
		{"too large", cs.URL + "/ro/huge", "invalid_request_uri", "could not be fetched"},
		{"unsigned object", cs.URL + "/ro/unsigned", "invalid_request_object", "alg none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := remoteQuery("request_uri", tc.uri)
			_, f := parse(t, getRequest(q), deps)
			checkFailure(t, f, errorCase{query: q, code: tc.code, param: "request_uri"})
			if !strings.Contains(f.Err.Description, tc.desc) {
				t.Errorf("description %q lacks %q", f.Err.Description, tc.desc)
			}
		})
	}

	t.Run("without a fetcher", func(t *testing.T) {
		d := deps
		d.Keys = nil
		q := remoteQuery("request_uri", cs.URL+"/ro/1")
		_, f := parse(t, getRequest(q), d)
		checkFailure(t, f, errorCase{query: q, code: "request_uri_not_supported", param: "request_uri"})
	})
}

func TestJWKSURIRotation(t *testing.T) {
	cs := newClientServer(t)
	cs.setKeys(jwksJSON(t, publicJWK(rsaKey, "rsa1")))
	now := testNow
	deps := remoteDeps(cs, &now)
	byValue := func(key *rsaKeyAndID) map[string][]string {
		return remoteQuery("request", sign(t, jose.RS256, key.key, key.kid, remoteClaims()))
	}
	mustParse(t, getRequest(byValue(&rsaKeyAndID{rsaKey, "rsa1"})), deps)

	// The client rotates to a new key; the cached set does not have it.
	cs.setKeys(jwksJSON(t, publicJWK(otherRSA, "rsa2")))
	rotated := byValue(&rsaKeyAndID{otherRSA, "rsa2"})
	if _, f := parse(t, getRequest(rotated), deps); f == nil || f.Err.Code != "invalid_request_object" {
		t.Fatalf("a set fetched moments ago was fetched again: %v", f)
	}
	now = now.Add(minRefresh + time.Second)
	mustParse(t, getRequest(rotated), deps)
	if got := cs.jwksFetch.Load(); got != 2 {
		t.Errorf("key set fetched %d times, want 2", got)
	}
}

type rsaKeyAndID struct {
	key any
	kid string
}

func TestHTTPFetcher(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/keys", http.StatusFound)
		case "/slow":
			time.Sleep(200 * time.Millisecond)
			_, _ = w.Write([]byte(`{"keys":[]}`))
		case "/bad":
			_, _ = w.Write([]byte(`not json`))
		default:
			_, _ = w.Write([]byte(`{"keys":[]}`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	now := testNow
	clock := func() time.Time { return now }

	t.Run("redirects are not followed", func(t *testing.T) {
		f := &HTTPFetcher{}
		if _, err := f.RequestObject(ctx, srv.URL+"/redirect"); err == nil || !strings.Contains(err.Error(), "302") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		f := &HTTPFetcher{Timeout: 50 * time.Millisecond}
		if _, err := f.RequestObject(ctx, srv.URL+"/slow"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("size limit", func(t *testing.T) {
		f := &HTTPFetcher{MaxBytes: 5}
		if _, err := f.RequestObject(ctx, srv.URL+"/keys"); !errors.Is(err, errTooLarge) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("malformed key set", func(t *testing.T) {
		f := &HTTPFetcher{}
		if _, err := f.KeySet(ctx, srv.URL+"/bad", false); err == nil {
			t.Error("no error")
		}
	})
	t.Run("cache, refresh and expiry", func(t *testing.T) {
		f := &HTTPFetcher{Now: clock, CacheTTL: time.Hour}
		hits.Store(0)
		fetch := func(refresh bool) {
			if _, err := f.KeySet(ctx, srv.URL+"/keys", refresh); err != nil {
				t.Fatal(err)
			}
		}
		fetch(false)
		fetch(false)
		fetch(true) // too soon to refresh
		if hits.Load() != 1 {
			t.Fatalf("hits = %d, want 1", hits.Load())
		}
		now = now.Add(minRefresh)
		fetch(false)
		if hits.Load() != 1 {
			t.Fatalf("hits = %d after a fresh read, want 1", hits.Load())
		}
		fetch(true)
		if hits.Load() != 2 {
			t.Fatalf("hits = %d after refresh, want 2", hits.Load())
		}
		now = now.Add(time.Hour)
		fetch(false)
		if hits.Load() != 3 {
			t.Fatalf("hits = %d after expiry, want 3", hits.Load())
		}
	})
	t.Run("bounded cache", func(t *testing.T) {
		f := &HTTPFetcher{Now: clock, MaxEntries: 2}
		for _, p := range []string{"/a", "/b", "/c", "/d"} {
			now = now.Add(time.Second)
			if _, err := f.KeySet(ctx, srv.URL+p, false); err != nil {
				t.Fatal(err)
			}
		}
		if len(f.cache) != 2 {
			t.Errorf("cache holds %d sets, want 2", len(f.cache))
		}
		if _, ok := f.cache[srv.URL+"/d"]; !ok {
			t.Error("the newest set was evicted")
		}
	})
}
