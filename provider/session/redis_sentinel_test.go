package session_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Bounds of the failover test: the store must work on the new master
// within recoveryBound of the kill, and each worker must then complete
// cleanRun operations in a row without failing.
const (
	recoveryBound = 10 * time.Second
	loadWorkers   = 8
	warmOps       = 400
	cleanRun      = 60
	// opPace spaces one worker's operations, so that an outage, where
	// every call fails fast, is not counted as thousands of failures.
	opPace = 2 * time.Millisecond
)

// loadStats counts what the workers saw.
type loadStats struct {
	ok, unavailable, lost atomic.Int64
	mu                    sync.Mutex
	first, last           time.Time // of the failures
	slowest               time.Duration
}

func (s *loadStats) took(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slowest = max(s.slowest, d)
}

func (s *loadStats) fail(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first.IsZero() {
		s.first = at
	}
	s.last = at
}

// worker puts, gets and takes its own keys until stop is closed, and
// reports through streak how many operations in a row it has completed.
func worker(ctx context.Context, kv *session.Redis, id int, st *loadStats, streak *atomic.Int64, stop <-chan struct{}) error {
	tick := time.NewTicker(opPace)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
		key, value := fmt.Sprintf("w%d-%d", id, i), []byte(fmt.Sprint(i))
		start := time.Now()
		err := kv.Put(ctx, key, value, time.Minute)
		if err == nil {
			_, err = kv.Get(ctx, key)
		}
		if err == nil {
			_, err = kv.Take(ctx, key)
		}
		st.took(time.Since(start))
		switch {
		case err == nil:
			st.ok.Add(1)
			streak.Add(1)
			continue
		case errors.Is(err, storage.ErrNotFound):
			// Acknowledged by the old master, never copied to the replica:
			// replication is asynchronous.
			st.lost.Add(1)
		case errors.Is(err, storage.ErrUnavailable):
			st.unavailable.Add(1)
		default:
			return fmt.Errorf("worker %d: %w", id, err)
		}
		st.fail(time.Now())
		streak.Store(0)
	}
}

// TestRedisSentinelFailover runs the store through Sentinel, then kills
// or hangs the master under load: the failures stay within the failover,
// and the store works on the promoted replica within recoveryBound.
func TestRedisSentinelFailover(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(*redistest.Server) error
	}{
		{"master killed", (*redistest.Server).Close},
		{"master hung", (*redistest.Server).Pause},
	} {
		t.Run(tc.name, func(t *testing.T) { testFailover(t, tc.fail) })
	}
}

func testFailover(t *testing.T, failMaster func(*redistest.Server) error) {
	ctx := context.Background()
	s := redistest.NewSentinel(t, redistest.SentinelOptions{Password: "data-pw", SentinelPassword: "sentinel-pw"})
	kv := dial(t, session.RedisOptions{
		SentinelMaster: s.MasterName, SentinelAddrs: s.Addrs(), SentinelPassword: "sentinel-pw",
		Password: "data-pw", KeyPrefix: "fo:",
	})
	fill(t, kv, "v")
	master := redis.NewClient(&redis.Options{Addr: s.Master.Addr, Password: "data-pw", MaxRetries: -1})
	t.Cleanup(func() { _ = master.Close() })
	if v, err := master.Get(ctx, "fo:session").Result(); err != nil || v != "v" {
		t.Fatalf("GET fo:session on the master = %q, %v", v, err)
	}

	var st loadStats
	streaks := make([]atomic.Int64, loadWorkers)
	stop := make(chan struct{})
	errs := make(chan error, loadWorkers)
	for i := range loadWorkers {
		go func() { errs <- worker(ctx, kv, i, &st, &streaks[i], stop) }()
	}
	stopped := false
	stopLoad := func() {
		if !stopped {
			stopped = true
			close(stop)
			for range loadWorkers {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
		}
	}
	defer stopLoad()

	waitFor(t, "warm-up load", recoveryBound, func() bool { return st.ok.Load() >= warmOps })
	if n := st.unavailable.Load() + st.lost.Load(); n != 0 {
		t.Fatalf("%d failures before the master was killed", n)
	}
	before := st.ok.Load()
	killed := time.Now()
	if err := failMaster(s.Master); err != nil {
		t.Fatal(err)
	}

	// A write through the store lands on the promoted replica.
	promoted := redis.NewClient(&redis.Options{Addr: s.Replica.Addr, Password: "data-pw", MaxRetries: -1})
	t.Cleanup(func() { _ = promoted.Close() })
	waitFor(t, "a write on the new master", recoveryBound, func() bool {
		if kv.Put(ctx, "probe", []byte("after"), time.Minute) != nil {
			return false
		}
		v, err := promoted.Get(ctx, "fo:probe").Result()
		return err == nil && v == "after"
	})
	recovered := time.Since(killed)
	if addr, err := s.MasterAddr(ctx); err != nil || addr != s.Replica.Addr {
		t.Fatalf("Sentinel's master after the kill = %q, %v; want the replica %s", addr, err, s.Replica.Addr)
	}
	for i := range streaks {
		streaks[i].Store(0) // a clean run counts from the recovery on
	}
	waitFor(t, "every worker's clean run", recoveryBound, func() bool {
		for i := range streaks {
			if streaks[i].Load() < cleanRun {
				return false
			}
		}
		return true
	})
	stopLoad()

	failed := st.unavailable.Load() + st.lost.Load()
	window := time.Duration(0)
	if failed > 0 {
		if st.first.Before(killed) {
			t.Errorf("a failure at %v, before the kill at %v", st.first, killed)
		}
		window = st.last.Sub(killed)
		if window > recoveryBound {
			t.Errorf("failures went on for %v after the kill, want at most %v", window, recoveryBound)
		}
	}
	t.Logf("failover: %d ops before the kill; writes on the new master after %v; "+
		"%d failed operations (%d unavailable, %d lost writes) within %v of the kill; %d ops in all, the slowest took %v",
		before, recovered.Round(time.Millisecond), failed, st.unavailable.Load(), st.lost.Load(),
		window.Round(time.Millisecond), st.ok.Load()+failed, st.slowest.Round(time.Millisecond))
}

// waitFor polls cond until it holds, failing the test after bound.
func waitFor(t *testing.T, what string, bound time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, bound)
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
}
