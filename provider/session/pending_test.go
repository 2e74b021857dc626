package session_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// newEvictable makes an empty store with the given pending limits.
type newEvictable func(t *testing.T, l session.PendingLimits) session.EvictableKV

func memoryEvictable(t *testing.T, l session.PendingLimits) session.EvictableKV {
	m, _ := newMemory(t, session.MemoryOptions{Pending: l})
	return m
}

func redisEvictable(t *testing.T) newEvictable {
	srv := redistest.New(t, redistest.Options{})
	var n atomic.Int64
	return func(t *testing.T, l session.PendingLimits) session.EvictableKV {
		kv, _ := redisOn(t, srv.Addr, fmt.Sprintf("ev%d:", n.Add(1)))
		return kv.WithPendingLimits(l)
	}
}

func TestMemoryEvictable(t *testing.T) { runEvictableTests(t, memoryEvictable) }
func TestRedisEvictable(t *testing.T)  { runEvictableTests(t, redisEvictable(t)) }

// op is one step against an evictable store. Each put lives a millisecond
// longer than the one before, so that age order is also expiry order,
// which is how Redis tells age.
type op struct {
	act        string // put (evictable), ordinary (Put), unlist, take
	group, key string
}

func put(group string, keys ...string) []op {
	ops := make([]op, len(keys))
	for i, k := range keys {
		ops[i] = op{act: "put", group: group, key: k}
	}
	return ops
}

func steps(parts ...[]op) []op {
	var all []op
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func keys(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func runEvictableTests(t *testing.T, newKV newEvictable) {
	tests := []struct {
		name    string
		limits  session.PendingLimits
		ops     []op
		present []string
		absent  []string
		pending int
	}{
		{
			name:    "oldest of a group evicted",
			limits:  session.PendingLimits{Max: 100, PerGroup: 3},
			ops:     put("a", keys("a", 5)...),
			present: []string{"a2", "a3", "a4"}, absent: []string{"a0", "a1"}, pending: 3,
		},
		{
			name:    "a flood from one group leaves the others",
			limits:  session.PendingLimits{Max: 100, PerGroup: 3},
			ops:     steps(put("b", "b0"), put("a", keys("a", 20)...)),
			present: []string{"b0", "a19"}, absent: []string{"a16"}, pending: 4,
		},
		{
			name:    "oldest of the store evicted",
			limits:  session.PendingLimits{Max: 4, PerGroup: 4},
			ops:     steps(put("a", "a0", "a1"), put("b", "b0", "b1", "b2")),
			present: []string{"a1", "b0", "b1", "b2"}, absent: []string{"a0"}, pending: 4,
		},
		{
			name:   "unlisted entry never evicted",
			limits: session.PendingLimits{Max: 3, PerGroup: 2},
			ops: steps(put("a", "signed-in"), []op{{act: "unlist", group: "a", key: "signed-in"}},
				put("a", keys("a", 10)...), put("b", keys("b", 10)...)),
			present: []string{"signed-in", "a9", "b9"}, absent: []string{"a0", "a8", "b0"}, pending: 3,
		},
		{
			name:    "ordinary entries untouched",
			limits:  session.PendingLimits{Max: 2, PerGroup: 2},
			ops:     steps([]op{{act: "ordinary", key: "session"}}, put("a", keys("a", 10)...)),
			present: []string{"session", "a8", "a9"}, absent: []string{"a7"}, pending: 2,
		},
		{
			name:    "replacing keeps the place in line",
			limits:  session.PendingLimits{Max: 100, PerGroup: 3},
			ops:     steps(put("a", "a0", "a1", "a2", "a0", "a3")),
			present: []string{"a1", "a2", "a3"}, absent: []string{"a0"}, pending: 3,
		},
		{
			name:   "a taken and unlisted entry frees its place",
			limits: session.PendingLimits{Max: 100, PerGroup: 3},
			ops: steps(put("a", "a0", "a1", "a2"), []op{{act: "take", group: "a", key: "a1"}},
				put("a", "a3")),
			present: []string{"a0", "a2", "a3"}, absent: []string{"a1"}, pending: 3,
		},
		{
			name:    "per group above the total is the total",
			limits:  session.PendingLimits{Max: 2, PerGroup: 50},
			ops:     put("a", keys("a", 5)...),
			present: []string{"a3", "a4"}, absent: []string{"a2"}, pending: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv := newKV(t, tc.limits)
			for i, o := range tc.ops {
				runOp(t, kv, o, time.Minute+time.Duration(i)*time.Millisecond)
			}
			for _, k := range tc.present {
				if _, err := kv.Get(context.Background(), k); err != nil {
					t.Errorf("Get(%q): %v, want it kept", k, err)
				}
			}
			for _, k := range tc.absent {
				if _, err := kv.Get(context.Background(), k); !errors.Is(err, storage.ErrNotFound) {
					t.Errorf("Get(%q): %v, want it evicted", k, err)
				}
			}
			if got := pendingCount(t, kv); got != tc.pending {
				t.Errorf("%d pending entries, want %d", got, tc.pending)
			}
		})
	}
}

func runOp(t *testing.T, kv session.EvictableKV, o op, ttl time.Duration) {
	t.Helper()
	ctx := context.Background()
	var err error
	switch o.act {
	case "put":
		err = kv.PutEvictable(ctx, o.group, o.key, []byte("v-"+o.key), ttl)
	case "ordinary":
		err = kv.Put(ctx, o.key, []byte("v"), ttl)
	case "unlist":
		err = kv.Unlist(ctx, o.group, o.key)
	case "take":
		if _, err = kv.Take(ctx, o.key); err == nil {
			err = kv.Unlist(ctx, o.group, o.key)
		}
	default:
		t.Fatalf("unknown act %q", o.act)
	}
	if err != nil {
		t.Fatalf("%s %q: %v", o.act, o.key, err)
	}
}

// pendingCount asks the store how many evictable entries it holds.
func pendingCount(t *testing.T, kv session.EvictableKV) int {
	t.Helper()
	switch s := kv.(type) {
	case *session.Memory:
		return s.Stats().Pending
	case *session.Redis:
		st, err := s.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st.Pending
	}
	t.Fatalf("no stats for %T", kv)
	return 0
}

// The two budgets are apart: evictable entries at their limit leave room
// for ordinary ones, and ordinary ones at theirs leave room for evictable
// ones.
func TestMemoryBudgetsApart(t *testing.T) {
	ctx := context.Background()
	m, _ := newMemory(t, session.MemoryOptions{MaxEntries: 2, Pending: session.PendingLimits{Max: 2, PerGroup: 2}})
	for _, k := range keys("p", 5) {
		if err := m.PutEvictable(ctx, "a", k, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"s0", "s1"} {
		if err := m.Put(ctx, k, []byte("v"), time.Minute); err != nil {
			t.Fatalf("ordinary Put beside full pending entries: %v", err)
		}
	}
	if err := m.Put(ctx, "s2", []byte("v"), time.Minute); !errors.Is(err, session.ErrFull) {
		t.Fatalf("ordinary Put beyond MaxEntries: %v, want ErrFull", err)
	}
	if err := m.Ready(ctx); !errors.Is(err, session.ErrFull) || !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Ready of a full store: %v, want ErrFull", err)
	}
	if err := m.PutEvictable(ctx, "a", "p5", []byte("v"), time.Minute); err != nil {
		t.Fatalf("evictable Put beside full ordinary entries: %v", err)
	}
	// An entry that would become ordinary finds no room and stays evictable.
	if err := m.Unlist(ctx, "a", "p5"); !errors.Is(err, session.ErrFull) {
		t.Fatalf("Unlist into a full store: %v, want ErrFull", err)
	}
	want := session.Stats{Entries: 2, MaxEntries: 2, Pending: 2, MaxPending: 2}
	if got := m.Stats(); got != want {
		t.Fatalf("Stats() = %+v, want %+v", got, want)
	}
	if err := m.Delete(ctx, "s0"); err != nil {
		t.Fatal(err)
	}
	if err := m.Ready(ctx); err != nil {
		t.Fatalf("Ready with room: %v", err)
	}
}

// Expired evictable entries leave the lines as they leave the map.
func TestMemoryEvictableExpiry(t *testing.T) {
	ctx := context.Background()
	m, clock := newMemory(t, session.MemoryOptions{Pending: session.PendingLimits{Max: 10, PerGroup: 3}})
	for i, k := range keys("a", 3) {
		if err := m.PutEvictable(ctx, "a", k, []byte("v"), time.Duration(i+1)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute) // a0 and a1 expire
	if got := m.Stats().Pending; got != 1 {
		t.Fatalf("%d pending after expiry, want 1", got)
	}
	for _, k := range []string{"b0", "b1"} {
		if err := m.PutEvictable(ctx, "a", k, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Get(ctx, "a2"); err != nil {
		t.Fatalf("a2 evicted though the group had room: %v", err)
	}
}
