package session_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

var _ session.OnceAdder = (*session.Redis)(nil)

// newRedis returns a Redis KV on a private server, and a raw client to
// look at what it stored.
func newRedis(t *testing.T, prefix string) (*session.Redis, *redis.Client) {
	t.Helper()
	srv := redistest.New(t, redistest.Options{})
	return redisOn(t, srv.Addr, prefix)
}

func redisOn(t *testing.T, addr, prefix string) (*session.Redis, *redis.Client) {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	return session.NewRedis(client, prefix), client
}

// TestRedisKV runs the conformance suite against a real server. Redis
// expires keys by its own clock, which a FakeClock cannot move, so the
// cases that advance the clock (Expiry, OverwriteRenewsExpiry) skip at
// their first Advance; TestRedisExpiry covers expiry instead.
func TestRedisKV(t *testing.T) {
	srv := redistest.New(t, redistest.Options{})
	var n atomic.Int64
	sessiontest.RunKVTests(t, func(t *testing.T) (session.KV, *sessiontest.FakeClock) {
		// One server for the suite; a prefix per case keeps cases apart.
		kv, _ := redisOn(t, srv.Addr, fmt.Sprintf("suite%d:", n.Add(1)))
		clock := sessiontest.NewFakeClock(time.Now())
		clock.OnAdvance(func(time.Duration) {
			t.Skip("Redis expires keys by its own clock, which cannot be advanced; see TestRedisExpiry")
		})
		return kv, clock
	})
}

// pttl is the time to live Redis holds for key.
func pttl(t *testing.T, raw *redis.Client, key string) time.Duration {
	t.Helper()
	d, err := raw.PTTL(context.Background(), key).Result()
	if err != nil {
		t.Fatalf("PTTL %s: %v", key, err)
	}
	return d
}

func wantTTL(t *testing.T, raw *redis.Client, key string, lo, hi time.Duration) {
	t.Helper()
	if d := pttl(t, raw, key); d < lo || d > hi {
		t.Fatalf("PTTL %s = %v, want within [%v, %v]", key, d, lo, hi)
	}
}

func TestRedisExpiry(t *testing.T) {
	ctx := context.Background()
	kv, raw := newRedis(t, "p:")

	t.Run("Put sets the expiry", func(t *testing.T) {
		if err := kv.Put(ctx, "k", []byte("v"), 90*time.Second); err != nil {
			t.Fatal(err)
		}
		wantTTL(t, raw, "p:k", 80*time.Second, 90*time.Second)
	})
	t.Run("overwrite renews the expiry", func(t *testing.T) {
		if err := kv.Put(ctx, "renew", []byte("v"), time.Second); err != nil {
			t.Fatal(err)
		}
		if err := kv.Put(ctx, "renew", []byte("v2"), time.Hour); err != nil {
			t.Fatal(err)
		}
		wantTTL(t, raw, "p:renew", 59*time.Minute, time.Hour)
		if err := kv.Put(ctx, "renew", []byte("v3"), time.Second); err != nil {
			t.Fatal(err)
		}
		wantTTL(t, raw, "p:renew", time.Millisecond, time.Second)
	})
	t.Run("sub-millisecond ttl rounds up", func(t *testing.T) {
		if err := kv.Put(ctx, "tiny", []byte("v"), time.Microsecond); err != nil {
			t.Fatal(err)
		}
		// Either still there with at most 1 ms to live, or already gone;
		// never kept without expiry (PTTL -1).
		if d := pttl(t, raw, "p:tiny"); d == -1 || d > time.Millisecond {
			t.Fatalf("PTTL after a 1µs Put = %v", d)
		}
	})
	t.Run("expired entries are gone", func(t *testing.T) {
		for _, k := range []string{"get", "take"} {
			if err := kv.Put(ctx, k, []byte("v"), 20*time.Millisecond); err != nil {
				t.Fatal(err)
			}
		}
		if err := kv.Put(ctx, "long", []byte("v"), time.Hour); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for _, k := range []string{"get", "take"} {
			for {
				// Get, not Take: a Take would remove the key itself.
				_, err := kv.Get(ctx, k)
				if errors.Is(err, storage.ErrNotFound) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: an entry with a 20ms time to live still there after 5s", k)
				}
				time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
			}
		}
		// Expired, Take finds nothing either.
		if _, err := kv.Take(ctx, "take"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("Take of an expired key: %v, want storage.ErrNotFound", err)
		}
		if v, err := kv.Get(ctx, "long"); err != nil || string(v) != "v" {
			t.Fatalf("Get(long) = %q, %v", v, err)
		}
	})
}

func TestRedisPrefix(t *testing.T) {
	ctx := context.Background()
	a, raw := newRedis(t, "a:")
	b := session.NewRedis(raw, "b:")
	if err := a.Put(ctx, "k", []byte("from a"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := raw.Get(ctx, "a:k").Result(); err != nil || v != "from a" {
		t.Fatalf("raw GET a:k = %q, %v", v, err)
	}
	if _, err := b.Get(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("other prefix sees the entry: %v", err)
	}
	if _, err := b.Take(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("other prefix takes the entry: %v", err)
	}
	if err := b.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if v, err := a.Get(ctx, "k"); err != nil || string(v) != "from a" {
		t.Fatalf("entry changed by the other prefix: %q, %v", v, err)
	}
}

func TestRedisWrongType(t *testing.T) {
	ctx := context.Background()
	kv, raw := newRedis(t, "p:")
	if err := raw.LPush(ctx, "p:list", "x").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get(ctx, "list"); !errors.Is(err, storage.ErrMalformed) {
		t.Fatalf("Get of a list: %v, want storage.ErrMalformed", err)
	}
}

func TestRedisAdd(t *testing.T) {
	ctx := context.Background()
	kv, raw := newRedis(t, "p:")

	if err := kv.Add(ctx, "jti", []byte("1"), time.Minute); err != nil {
		t.Fatalf("first Add: %v", err)
	}
	wantTTL(t, raw, "p:jti", 50*time.Second, time.Minute)
	if err := kv.Add(ctx, "jti", []byte("2"), time.Hour); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Fatalf("second Add: %v, want storage.ErrAlreadyExists", err)
	}
	// The refused Add changed neither value nor expiry.
	if v, err := kv.Get(ctx, "jti"); err != nil || string(v) != "1" {
		t.Fatalf("Get after refused Add = %q, %v", v, err)
	}
	wantTTL(t, raw, "p:jti", 50*time.Second, time.Minute)

	// Gone, the key can be added again.
	if err := kv.Delete(ctx, "jti"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Add(ctx, "jti", []byte("3"), time.Minute); err != nil {
		t.Fatalf("Add after Delete: %v", err)
	}

	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := kv.Add(ctx, "bad", []byte("v"), ttl); err == nil {
			t.Errorf("Add with ttl %v succeeded", ttl)
		}
	}
	if err := kv.Add(ctx, "", []byte("v"), time.Minute); err == nil {
		t.Error("Add with an empty key succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := kv.Add(cancelled, "new", []byte("v"), time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Add with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestRedisConcurrentAdd(t *testing.T) {
	kv, _ := newRedis(t, "p:")
	const rounds, adders = 20, 16
	for r := range rounds {
		key := fmt.Sprintf("jti-%d", r)
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range adders {
			wg.Go(func() {
				<-start
				err := kv.Add(context.Background(), key, []byte("v"), time.Minute)
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, storage.ErrAlreadyExists):
					t.Errorf("Add(%q): %v", key, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d of %d concurrent Adds succeeded, want exactly 1", r, n, adders)
		}
	}
}

// TestRedisConcurrentTakeClients takes each key from several clients, as
// several provider instances would: exactly one gets it.
func TestRedisConcurrentTakeClients(t *testing.T) {
	srv := redistest.New(t, redistest.Options{})
	const rounds, instances = 20, 8
	kvs := make([]*session.Redis, instances)
	for i := range kvs {
		kvs[i], _ = redisOn(t, srv.Addr, "p:")
	}
	for r := range rounds {
		key := fmt.Sprintf("code-%d", r)
		if err := kvs[0].Put(context.Background(), key, []byte(key), time.Minute); err != nil {
			t.Fatal(err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, kv := range kvs {
			wg.Go(func() {
				<-start
				got, err := kv.Take(context.Background(), key)
				switch {
				case err == nil && string(got) == key:
					wins.Add(1)
				case err == nil:
					t.Errorf("Take(%q) = %q", key, got)
				case !errors.Is(err, storage.ErrNotFound):
					t.Errorf("Take(%q): %v", key, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d of %d instances got the value, want exactly 1", r, n, instances)
		}
	}
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func wantUnavailable(t *testing.T, kv *session.Redis) {
	t.Helper()
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
	}{
		{"Put", func() error { return kv.Put(ctx, "k", []byte("v"), time.Minute) }},
		{"Get", func() error { _, err := kv.Get(ctx, "k"); return err }},
		{"Take", func() error { _, err := kv.Take(ctx, "k"); return err }},
		{"Delete", func() error { return kv.Delete(ctx, "k") }},
		{"Add", func() error { return kv.Add(ctx, "k", []byte("v"), time.Minute) }},
	}
	for _, c := range calls {
		err := c.call()
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s: %v, want storage.ErrUnavailable", c.name, err)
		}
		wantSessionStoreText(t, c.name, err)
	}
}

// wantSessionStoreText fails unless err names the session store and does
// not blame the directory: operators read it in the log.
func wantSessionStoreText(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if msg := err.Error(); !strings.Contains(msg, "session store (redis)") || strings.Contains(msg, "directory") {
		t.Errorf("%s: error %q does not name the session store, or names the directory", what, msg)
	}
}

func TestRedisUnavailable(t *testing.T) {
	t.Run("nothing listening", func(t *testing.T) {
		kv, _ := redisOn(t, closedAddr(t), "p:")
		wantUnavailable(t, kv)
	})
	t.Run("server stopped", func(t *testing.T) {
		srv := redistest.New(t, redistest.Options{})
		kv, _ := redisOn(t, srv.Addr, "p:")
		if err := kv.Put(context.Background(), "k", []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		wantUnavailable(t, kv)
	})
	t.Run("DialRedis", func(t *testing.T) {
		kv, err := session.DialRedis([]string{closedAddr(t)}, "", 0)
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Fatalf("DialRedis to a closed port = %v, %v; want storage.ErrUnavailable", kv, err)
		}
		wantSessionStoreText(t, "DialRedis", err)
	})
	t.Run("server hangs", func(t *testing.T) {
		srv := redistest.New(t, redistest.Options{})
		kv, err := session.DialRedis([]string{srv.Addr}, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = kv.Close() })
		if err := srv.Pause(); err != nil {
			t.Fatal(err)
		}
		// The client's own timeouts answer, well before a person gives up.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = kv.Put(ctx, "k", []byte("v"), time.Minute)
		if !errors.Is(err, storage.ErrUnavailable) || ctx.Err() != nil {
			t.Fatalf("Put on a hanging server: %v (context: %v), want storage.ErrUnavailable from the client's timeout", err, ctx.Err())
		}
		wantSessionStoreText(t, "Put", err)
		if err := srv.Resume(); err != nil {
			t.Fatal(err)
		}
		if err := kv.Put(context.Background(), "k", []byte("v"), time.Minute); err != nil {
			t.Fatalf("Put after the server came back: %v", err)
		}
	})
}

func TestRedisReady(t *testing.T) {
	srv := redistest.New(t, redistest.Options{})
	kv, err := session.DialRedis([]string{srv.Addr}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kv.Close() })
	if err := kv.Ready(context.Background()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = kv.Ready(ctx)
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Ready of a paused server: %v, want storage.ErrUnavailable", err)
	}
	wantSessionStoreText(t, "Ready", err)
	// A request whose deadline ends while Redis hangs: an outage for the
	// person, and still the context's error for whoever asks.
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	if _, err := kv.Get(short, "k"); !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get past the request's deadline: %v, want storage.ErrUnavailable and context.DeadlineExceeded", err)
	}
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := kv.Ready(context.Background()); err != nil {
		t.Fatalf("Ready after Resume: %v", err)
	}
}

func TestDialRedis(t *testing.T) {
	ctx := context.Background()
	srv := redistest.New(t, redistest.Options{Password: "pw"})

	kv, err := session.DialRedis([]string{srv.Addr}, "pw", 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kv.Close() })
	if err := kv.Put(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr, Password: "pw", DB: 3})
	t.Cleanup(func() { _ = raw.Close() })
	if v, err := raw.Get(ctx, session.DefaultRedisPrefix+"k").Result(); err != nil || v != "v" {
		t.Fatalf("raw GET in database 3 = %q, %v", v, err)
	}

	if kv, err := session.DialRedis([]string{srv.Addr}, "wrong", 0); err == nil {
		_ = kv.Close()
		t.Error("DialRedis with a wrong password succeeded")
	}
	bad := []struct {
		name  string
		addrs []string
		db    int
	}{
		{"no address", nil, 0},
		{"empty address", []string{""}, 0},
		{"negative database", []string{srv.Addr}, -1},
		{"cluster with a database", []string{srv.Addr, srv.Addr}, 1},
	}
	for _, b := range bad {
		if kv, err := session.DialRedis(b.addrs, "pw", b.db); err == nil {
			_ = kv.Close()
			t.Errorf("%s: DialRedis succeeded", b.name)
		}
	}
}
