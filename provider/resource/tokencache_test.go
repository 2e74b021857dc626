package resource

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// TestTokenCache asks about one token in turn and checks each answer and
// whether the cache answered it: a hit must still honour the revocation
// list and the token's expiry.
func TestTokenCache(t *testing.T) {
	type step struct {
		before func(e *env, tok string) // what happens first
		active bool
		hit    bool // whether the cache answered the parse
	}
	revoke := func(e *env, tok string) {
		ac, err := e.minter.ParseAccessToken(context.Background(), tok)
		if err != nil {
			e.t.Fatal(err)
		}
		// As a reused code or a revoked grant does: the list only.
		if err := e.handler.Revocations().Revoke(context.Background(), ac.JTI, ac.ExpiresAt); err != nil {
			e.t.Fatal(err)
		}
	}
	lifetime := tokens.DefaultAccessTokenLifetime
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "second call is a hit", steps: []step{
			{active: true, hit: false},
			{active: true, hit: true},
		}},
		{name: "revoked after caching", steps: []step{
			{active: true, hit: false},
			{before: revoke, active: false, hit: true},
		}},
		{name: "expired after caching", steps: []step{
			{active: true, hit: false},
			{before: advance(lifetime - time.Second), active: true, hit: true},
			// From exp on the Minter decides; past its leeway, inactive.
			{before: advance(time.Second), active: true, hit: false},
			{before: advance(time.Hour), active: false, hit: false},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.accessToken(rp, "openid")
			for i, s := range tc.steps {
				if s.before != nil {
					s.before(e, tok)
				}
				hits := e.handler.TokenCacheStats().Hits
				got := e.introspect(rp, tok)
				if got["active"] != s.active {
					t.Errorf("step %d: introspection %v, want active %v", i, got, s.active)
				}
				if hit := e.handler.TokenCacheStats().Hits > hits; hit != s.hit {
					t.Errorf("step %d: cache hit = %v, want %v", i, hit, s.hit)
				}
			}
		})
	}
}

func advance(d time.Duration) func(*env, string) {
	return func(e *env, _ string) { e.clock.Advance(d) }
}

// TestTokenCacheSameAnswer: an answer from the cache is the answer of a
// fresh parse, and UserInfo uses the entry introspection made.
func TestTokenCacheSameAnswer(t *testing.T) {
	e := newEnv(t)
	tok := e.boundAccessToken(rp, "openid", "email")
	cold := e.introspect(rp, tok)
	warm := e.introspect(rp, tok)
	if !reflect.DeepEqual(cold, warm) {
		t.Errorf("from the cache %v\nparsed %v", warm, cold)
	}
	plain := e.accessToken(rp, "openid")
	e.introspect(rp, plain)
	before := e.handler.TokenCacheStats()
	r, err := http.NewRequest(http.MethodGet, "/userinfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+plain)
	if rec := do(e.handler.UserInfo, r); rec.Code != http.StatusOK {
		t.Fatalf("userinfo: %d %s", rec.Code, rec.Body)
	}
	if after := e.handler.TokenCacheStats(); after.Hits != before.Hits+1 {
		t.Errorf("userinfo did not use the cached token: %+v then %+v", before, after)
	}
}

// TestTokenCacheHoldsOnlyGoodTokens: refused tokens are not remembered,
// and revoking a token through the endpoint frees its entry.
func TestTokenCacheHoldsOnlyGoodTokens(t *testing.T) {
	e := newEnv(t)
	e.introspect(rp, "garbage")
	expired := e.mint(tokens.AccessToken{ClientID: rp, Subject: "ann", Lifetime: time.Second})
	e.clock.Advance(time.Hour)
	e.introspect(rp, expired)
	e.introspect(rp, e.mint(tokens.AccessToken{ClientID: rp, Subject: "ann", Lifetime: time.Minute}))
	if n := e.handler.TokenCacheStats().Entries; n != 1 {
		t.Fatalf("%d entries, want only the live token's", n)
	}
	tok := e.accessToken(rp, "openid")
	e.introspect(rp, tok)
	if rec := do(e.handler.Revoke, clientPost("/token/revoke", rp, url.Values{"token": {tok}})); rec.Code != http.StatusOK {
		t.Fatalf("revocation: %d %s", rec.Code, rec.Body)
	}
	if n := e.handler.TokenCacheStats().Entries; n != 1 {
		t.Errorf("%d entries after revocation, want 1", n)
	}
	if got := e.introspect(rp, tok); got["active"] != false {
		t.Errorf("revoked token: %v", got)
	}
}

func TestTokenCacheOff(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.TokenCacheSize = -1 })
	tok := e.accessToken(rp, "openid")
	for range 2 {
		if got := e.introspect(rp, tok); got["active"] != true {
			t.Fatalf("introspection %v", got)
		}
	}
	if st := e.handler.TokenCacheStats(); st != (TokenCacheStats{}) {
		t.Errorf("stats %+v with the cache off", st)
	}
}

// TestTokenCacheBounded fills a small cache and shows that it keeps its
// size and always holds the newest entry.
func TestTokenCacheBounded(t *testing.T) {
	const size = 3
	c := newTokenCache(size)
	now := start
	for i := range 10 {
		k := tokenKey(sha256.Sum256(fmt.Append(nil, i)))
		c.put(k, tokens.AccessClaims{JTI: fmt.Sprint(i), ExpiresAt: now.Add(time.Minute)}, now)
		if n := c.len(); n > size {
			t.Fatalf("%d entries after %d puts, over the size of %d", n, i+1, size)
		}
		if ac, ok := c.get(k, now); !ok || ac.JTI != fmt.Sprint(i) {
			t.Fatalf("the newest entry %d is missing", i)
		}
	}
	if n := c.len(); n != size {
		t.Errorf("%d entries, want %d", n, size)
	}
	if newTokenCache(0).size != DefaultTokenCacheSize || newTokenCache(-1) != nil {
		t.Error("sizes 0 and -1 do not mean the default and off")
	}
}
