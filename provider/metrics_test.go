package provider

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/templates"
)

type observation struct {
	route, method string
	status        int
}

type observer struct {
	mu  sync.Mutex
	got []observation
}

func (o *observer) ObserveHTTP(route, method string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, observation{route, method, status})
}

func metricsServer(t *testing.T, issuer string, o Options) http.Handler {
	t.Helper()
	keys, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	o.Issuer, o.Keys, o.Directory, o.Pages = issuer, keys, pinger{}, pages
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

// TestObserveRequests: every answer is reported under its route's
// template (with the issuer's path), never the path requested.
func TestObserveRequests(t *testing.T) {
	tests := []struct {
		name, issuer, path string
		want               observation
	}{
		{name: "route", issuer: "https://idp.example.com", path: "/jwks.json",
			want: observation{"/jwks.json", "GET", 200}},
		{name: "prefix route", issuer: "https://idp.example.com", path: "/static/style.css",
			want: observation{"/static/", "GET", 200}},
		{name: "under the issuer path", issuer: "https://idp.example.com/tenant", path: "/tenant/health/live",
			want: observation{"/tenant/health/live", "GET", 200}},
		{name: "no route", issuer: "https://idp.example.com", path: "/no/such/page/12345",
			want: observation{UnmatchedRoute, "GET", 404}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obs := &observer{}
			h := metricsServer(t, tc.issuer, Options{HTTPMetrics: obs})
			get(t, h, tc.path)
			if len(obs.got) != 1 || obs.got[0] != tc.want {
				t.Errorf("observed %+v, want [%+v]", obs.got, tc.want)
			}
		})
	}
}

// TestMetricsRoute: /metrics is served on this listener only when a
// handler is given.
func TestMetricsRoute(t *testing.T) {
	scrape := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("up 1\n")) })
	with := metricsServer(t, "https://idp.example.com", Options{MetricsHandler: scrape})
	if rec := get(t, with, "/metrics"); rec.Code != http.StatusOK || rec.Body.String() != "up 1\n" {
		t.Errorf("with a handler: %d %q", rec.Code, rec.Body)
	}
	without := metricsServer(t, "https://idp.example.com", Options{})
	if rec := get(t, without, "/metrics"); rec.Code != http.StatusNotFound {
		t.Errorf("without a handler: %d, want 404", rec.Code)
	}
}
