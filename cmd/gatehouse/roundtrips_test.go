package main

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/flow"
)

// roundTrips counts the directory operations of one kind between two
// scrapes of /metrics.
type roundTrips map[string]float64

// directoryOps are the operation kinds a sign-in may send; "dial" is a new
// connection, which a warm pool should not need.
var directoryOps = []string{"search", "bind", "modify", "add", "delete", "dial"}

func (s *server) directoryOps(t *testing.T) roundTrips {
	t.Helper()
	all := scrape(t, s.base)
	out := roundTrips{}
	for _, op := range directoryOps {
		out[op] = all[fmt.Sprintf(`gatehouse_directory_operation_duration_seconds_count{op=%q,server=%q}`, op, s.ldapURL)]
	}
	return out
}

func (r roundTrips) minus(before roundTrips) roundTrips {
	out := roundTrips{}
	for _, op := range directoryOps {
		out[op] = r[op] - before[op]
	}
	return out
}

func (r roundTrips) String() string {
	var parts []string
	for _, op := range directoryOps {
		parts = append(parts, fmt.Sprintf("%s=%v", op, r[op]))
	}
	return strings.Join(parts, " ")
}

// TestDirectoryRoundTripsPerFlow pins how many directory operations one
// sign-in costs, by kind (docs/performance.md, "Round trips of a
// sign-in"): counts, not timings. A first visit that gives consent, a
// second browser signing in with consent remembered, and a browser with a
// session (the returning person) each redeem their code, after a warm-up
// flow that fills the client cache and the pools; a new scope (groups)
// on a session costs the consent page and a consent update.
func TestDirectoryRoundTripsPerFlow(t *testing.T) {
	s := startObservedServer(t, "", "")
	redirect := s.base + "/demo/callback"
	verifier, _ := pkce()
	names := map[string]bool{} // bob's name in every ID token, however he was read
	signIn := func(b *browser, user, scope string) {
		t.Helper()
		p := b.do(http.MethodGet, authorizeURL("demo-rp", redirect, url.Values{"scope": {scope}}), nil)
		if isLoginPage(p) {
			f := formFields(t, b.next(p))
			f.Set("username", user)
			f.Set("password", user+"-password")
			p = b.do(http.MethodPost, "/login", f)
		}
		if isConsentPage(p) {
			cf := formFields(t, b.next(p))
			cf.Set("decision", "allow")
			p = b.do(http.MethodPost, "/consent", cf)
		}
		code := callbackParams(t, p, redirect).Get("code")
		status, body, _ := tokenRequest(t, s, "demo-rp", demoSecret, url.Values{"grant_type": {"authorization_code"},
			"code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}})
		if status != http.StatusOK || body["id_token"] == nil {
			t.Fatalf("redeem: %d %v", status, body)
		}
		if user == "bob" {
			name, _ := unverifiedClaims(t, body["id_token"].(string))["name"].(string)
			names[name] = true
		}
	}
	// Warm-up: the client's entry cached, its secret checked, connections open.
	signIn(newBrowser(t, s), "alice", "openid profile")

	// Each flow: the sign-in (search + bind, no groups) when there is no
	// session; the consent check (a search, unless this instance read or
	// wrote it within the consent cache's TTL); on the consent page the
	// name (a search, no groups, unless the sign-in on this instance just
	// read the person: package signins); the consent write (an add when none was
	// found, else a search and a modify); at /token the person: none
	// after a sign-in on this instance (the sign-in's read is reused,
	// package signins), else one search, and a second for the groups only
	// when the scopes release them (then the sign-in's read, which has no
	// groups, is not used).
	bob := newBrowser(t, s)
	tests := []struct {
		name    string
		browser *browser
		scope   string
		want    roundTrips
		// cached: the consent check is answered by the cache, within its TTL.
		cached bool
	}{
		{"first visit, consent given", bob, "openid profile", roundTrips{"search": 2, "bind": 1, "add": 1}, false},
		{"returning, with a session", bob, "openid profile", roundTrips{"search": 1}, true},
		{"new browser, consent remembered", newBrowser(t, s), "openid profile", roundTrips{"search": 1, "bind": 1}, true},
		{"returning, groups released", bob, "openid profile groups", roundTrips{"search": 4, "modify": 1}, true},
	}
	defer func() {
		// The sign-in's read (first visit, new browser) and the directory's
		// (returning) give the same claims.
		if len(names) != 1 || names[""] {
			t.Errorf("bob's name in the ID tokens: %v, want one, non-empty", names)
		}
	}()
	origin := time.Now() // the consent is written in the first flow, and read from the cache after
	for _, tc := range tests {
		before := s.directoryOps(t)
		signIn(tc.browser, "bob", tc.scope)
		got := s.directoryOps(t).minus(before)
		t.Logf("%s: %v", tc.name, got)
		want := maps.Clone(tc.want)
		if tc.cached && time.Since(origin) >= flow.DefaultConsentCacheTTL {
			// Only a machine too slow for any test gets here: the
			// cache's answer expired, and the check read the directory.
			want["search"]++
		}
		for _, op := range directoryOps {
			if got[op] != want[op] {
				t.Errorf("%s: %s × %v, want %v (all: %v)", tc.name, op, got[op], want[op], got)
			}
		}
	}
}
