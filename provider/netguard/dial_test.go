package netguard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// A name that resolves to loopback is refused at the dial: the guard
// judges the address connected to, not the name in the URL.
func TestClientRefusesNameResolvingToLoopback(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "127.0.0.1"} {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+host+":"+u.Port()+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := Client().Do(req)
		if err == nil {
			_ = resp.Body.Close()
			t.Fatalf("%s: the guarded client reached the loopback server", host)
		}
		if !errors.Is(err, ErrNonPublic) {
			t.Errorf("%s: error %v does not match ErrNonPublic", host, err)
		}
	}
	if hit {
		t.Error("the loopback server was reached")
	}
	// The same server through an ordinary client: the test's receiver works.
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if !hit {
		t.Error("the unguarded request did not arrive")
	}
}

func TestPublicOnlyMark(t *testing.T) {
	ctx := context.Background()
	if PublicOnly(ctx) {
		t.Error("an unmarked context is public-only")
	}
	if !PublicOnly(WithPublicOnly(ctx)) {
		t.Error("a marked context is not public-only")
	}
}

func TestTransportUsesNoProxy(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://proxy.example:3128")
	t.Setenv("HTTPS_PROXY", "http://proxy.example:3128")
	if Transport().Proxy != nil {
		t.Error("the guarded transport consults a proxy")
	}
}
