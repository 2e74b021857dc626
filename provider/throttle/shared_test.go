package throttle_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
)

// redisServer starts a private redis-server and returns a function that
// opens one more instance's store on it: its own client, as another
// Gatehouse process would have.
func redisServer(t *testing.T) (open func(prefix string) *session.Redis, raw *redis.Client) {
	t.Helper()
	srv := redistest.New(t, redistest.Options{})
	open = func(prefix string) *session.Redis {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { _ = c.Close() })
		return session.NewRedis(c, prefix)
	}
	raw = redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = raw.Close() })
	return open, raw
}

// mustCounter drives a Counter like a Limiter, failing the test on errors.
type mustCounter struct {
	t *testing.T
	c throttle.Counter
}

func (m mustCounter) Allow(key string) (bool, time.Duration) {
	m.t.Helper()
	ok, wait, err := m.c.Allow(context.Background(), key)
	if err != nil {
		m.t.Fatalf("Allow(%q): %v", key, err)
	}
	return ok, wait
}

func (m mustCounter) Fail(key string) {
	m.t.Helper()
	if err := m.c.Fail(context.Background(), key); err != nil {
		m.t.Fatalf("Fail(%q): %v", key, err)
	}
}

func (m mustCounter) Succeed(key string) {
	m.t.Helper()
	if err := m.c.Succeed(context.Background(), key); err != nil {
		m.t.Fatalf("Succeed(%q): %v", key, err)
	}
}

// TestSharedLimiter: Shared over Redis keeps the Limiter's semantics,
// case by case.
func TestSharedLimiter(t *testing.T) {
	open, _ := redisServer(t)
	for _, tc := range limiterCases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			s := throttle.NewShared(open(tc.name+":"), "u", throttle.Options{MaxFailures: 5, Window: 15 * time.Minute, Clock: clock.Now})
			run(t, mustCounter{t, s}, clock, tc.ops)
		})
	}
}

// sharedLogins are two instances' Logins over one Redis.
func sharedLogins(t *testing.T) (a, b mustLogins, raw *redis.Client) {
	open, raw := redisServer(t)
	opts := throttle.LoginOptions{Addresses: throttle.Options{MaxFailures: 8}}
	a = mustLogins{t, throttle.NewLoginsOn(open("gatehouse:"), opts)}
	b = mustLogins{t, throttle.NewLoginsOn(open("gatehouse:"), opts)}
	return a, b, raw
}

// TestThrottleSharedAcrossInstances: five failures on instance A, and the
// sixth attempt on instance B is refused, per username and per address.
func TestThrottleSharedAcrossInstances(t *testing.T) {
	a, b, _ := sharedLogins(t)
	for range throttle.DefaultMaxFailures {
		if ok, _ := b.Allow("alice", home); !ok {
			t.Fatal("refused before the limit")
		}
		a.Fail("alice", home)
	}
	want := throttle.DefaultWindow / throttle.DefaultMaxFailures
	if ok, wait := b.Allow("alice", other); ok || wait <= want-time.Second || wait > want {
		t.Fatalf("instance B after 5 failures on A: Allow = %v, %v; want false, about %v", ok, wait, want)
	}
	if ok, _ := b.AllowKnown("alice"); ok {
		t.Fatal("instance B lets a known browser past alice's limit")
	}
	// Spraying from one address, split over both instances.
	for _, u := range []string{"u1", "u2", "u3"} {
		b.Fail(u, home)
	}
	if ok, _ := a.Allow("bob", home); ok {
		t.Fatal("8 failures from home over two instances did not reach the address limit of 8")
	}
	if ok, _ := a.Allow("bob", other); !ok {
		t.Fatal("another address is refused")
	}
	// Success on B clears alice for A.
	b.Succeed("alice")
	if ok, _ := a.AllowKnown("alice"); !ok {
		t.Fatal("success on B did not clear alice on A")
	}
}

// TestThrottleSharedConcurrentFailures: failures racing on two instances
// all count.
func TestThrottleSharedConcurrentFailures(t *testing.T) {
	open, _ := redisServer(t)
	clock := newClock()
	opts := throttle.Options{MaxFailures: 5, Window: 15 * time.Minute, Clock: clock.Now}
	instances := []throttle.Counter{throttle.NewShared(open("g:"), "u", opts), throttle.NewShared(open("g:"), "u", opts)}
	const racers = 32
	var wg sync.WaitGroup
	errs := make(chan error, racers)
	for i := range racers {
		wg.Go(func() { errs <- instances[i%2].Fail(context.Background(), "alice") })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if ok, wait := (mustCounter{t, instances[0]}).Allow("alice"); ok || wait != (racers-4)*interval {
		t.Fatalf("after %d concurrent failures: Allow = %v, %v; want false, %v", racers, ok, wait, (racers-4)*interval)
	}
}

// TestThrottleSharedKeys: the store holds hashes, never the username or
// the address, and every key expires.
func TestThrottleSharedKeys(t *testing.T) {
	a, _, raw := sharedLogins(t)
	a.Fail("Alice.Secret-Name", home)
	keys, err := raw.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("keys = %q, want one per username and address", keys)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "gatehouse:throttle/") || strings.Contains(strings.ToLower(k), "alice") || strings.Contains(k, home.String()) {
			t.Errorf("key %q is not a prefixed hash", k)
		}
		if ttl, err := raw.PTTL(context.Background(), k).Result(); err != nil || ttl <= 0 {
			t.Errorf("key %q: TTL %v, %v; want one", k, ttl, err)
		}
	}
}

// TestThrottleSharedStoreDown: an unreachable store is an outage for the
// caller, not a pass.
func TestThrottleSharedStoreDown(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	l := throttle.NewLoginsOn(session.NewRedis(c, "g:"), throttle.LoginOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ok, _, err := l.Allow(ctx, "alice", home)
	if ok || !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Allow = %v, %v; want false and storage.ErrUnavailable", ok, err)
	}
	if err := l.Fail(ctx, "alice", home); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Fail = %v; want storage.ErrUnavailable", err)
	}
}

// TestNewLoginsOnMemory: with the in-memory session store each instance
// keeps its own count (a single instance is the only supported setup).
func TestNewLoginsOnMemory(t *testing.T) {
	a := mustLogins{t, throttle.NewLoginsOn(session.NewMemory(session.MemoryOptions{}), throttle.LoginOptions{})}
	b := mustLogins{t, throttle.NewLoginsOn(session.NewMemory(session.MemoryOptions{}), throttle.LoginOptions{})}
	for range throttle.DefaultMaxFailures {
		a.Fail("alice", home)
	}
	if ok, _ := a.Allow("alice", netip.MustParseAddr("203.0.113.1")); ok {
		t.Fatal("the in-process limit does not hold")
	}
	if ok, _ := b.Allow("alice", home); !ok {
		t.Fatal("two memory stores share a limit")
	}
}
