package authorize

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
)

// A fetch for a client registered openly goes through the guard, even
// for a key set the cache holds from an unguarded fetch of the same URL.
func TestHTTPFetcherGuardsMarkedFetches(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	uri := "http://localhost:" + u.Port() + "/jwks"
	f := &HTTPFetcher{}
	ctx := context.Background()
	if _, err := f.KeySet(ctx, uri, false); err != nil {
		t.Fatalf("an unguarded fetch from loopback: %v", err)
	}
	guarded := netguard.WithPublicOnly(ctx)
	if _, err := f.KeySet(guarded, uri, false); !errors.Is(err, netguard.ErrNonPublic) {
		t.Errorf("a guarded key set fetch: err = %v, want ErrNonPublic", err)
	}
	if _, err := f.RequestObject(guarded, uri); !errors.Is(err, netguard.ErrNonPublic) {
		t.Errorf("a guarded request object fetch: err = %v, want ErrNonPublic", err)
	}
	if _, err := f.SectorURIs(guarded, uri); !errors.Is(err, netguard.ErrNonPublic) {
		t.Errorf("a guarded sector fetch: err = %v, want ErrNonPublic", err)
	}
}
