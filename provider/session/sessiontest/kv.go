package sessiontest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// NewKV returns an empty store for one test, and the clock its expiry
// follows.
type NewKV func(t *testing.T) (session.KV, *FakeClock)

// RunKVTests checks that the stores newKV makes behave as session.KV
// promises. Every implementation runs it.
func RunKVTests(t *testing.T, newKV NewKV) {
	tests := []struct {
		name string
		run  func(t *testing.T, kv session.KV, clock *FakeClock)
	}{
		{"PutGet", testPutGet},
		{"GetMissing", testGetMissing},
		{"Overwrite", testOverwrite},
		{"ValuesCopied", testValuesCopied},
		{"Expiry", testExpiry},
		{"OverwriteRenewsExpiry", testOverwriteRenewsExpiry},
		{"Take", testTake},
		{"Delete", testDelete},
		{"BadArguments", testBadArguments},
		{"CancelledContext", testCancelledContext},
		{"ConcurrentTake", testConcurrentTake},
		{"ConcurrentUse", testConcurrentUse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv, clock := newKV(t)
			tc.run(t, kv, clock)
		})
	}
}

func mustPut(t *testing.T, kv session.KV, key, value string, ttl time.Duration) {
	t.Helper()
	if err := kv.Put(context.Background(), key, []byte(value), ttl); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func wantValue(t *testing.T, kv session.KV, key, want string) {
	t.Helper()
	got, err := kv.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if string(got) != want {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
}

func wantMissing(t *testing.T, kv session.KV, key string) {
	t.Helper()
	if got, err := kv.Get(context.Background(), key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want storage.ErrNotFound", key, got, err)
	}
}

func testPutGet(t *testing.T, kv session.KV, _ *FakeClock) {
	values := []struct {
		name, key, value string
	}{
		{"text", "a", "hello"},
		{"empty value", "empty", ""},
		{"binary", "bin", "\x00\xff\n\x00"},
		{"prefixed key", "code:AbC-_x", `{"k":"v"}`},
		{"unicode key", "müller:x)(uid=*", "v"},
	}
	for _, v := range values {
		t.Run(v.name, func(t *testing.T) {
			mustPut(t, kv, v.key, v.value, time.Minute)
			wantValue(t, kv, v.key, v.value)
			// Reading does not consume.
			wantValue(t, kv, v.key, v.value)
		})
	}
}

func testGetMissing(t *testing.T, kv session.KV, _ *FakeClock) {
	wantMissing(t, kv, "nothing")
	mustPut(t, kv, "prefix", "v", time.Minute)
	wantMissing(t, kv, "pre")
	wantMissing(t, kv, "prefix2")
}

func testOverwrite(t *testing.T, kv session.KV, _ *FakeClock) {
	mustPut(t, kv, "k", "first", time.Minute)
	mustPut(t, kv, "k", "second", time.Minute)
	wantValue(t, kv, "k", "second")
}

func testValuesCopied(t *testing.T, kv session.KV, _ *FakeClock) {
	ctx := context.Background()
	in := []byte("original")
	if err := kv.Put(ctx, "k", in, time.Minute); err != nil {
		t.Fatal(err)
	}
	copy(in, "CHANGED!")
	out, err := kv.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "original" {
		t.Fatalf("changing the slice given to Put changed the stored value: %q", out)
	}
	copy(out, "CHANGED!")
	wantValue(t, kv, "k", "original")
}

func testExpiry(t *testing.T, kv session.KV, clock *FakeClock) {
	ctx := context.Background()
	mustPut(t, kv, "get", "v", time.Second)
	mustPut(t, kv, "take", "v", time.Second)
	mustPut(t, kv, "long", "v", time.Hour)
	clock.Advance(time.Second - time.Millisecond)
	wantValue(t, kv, "get", "v")
	clock.Advance(time.Millisecond)
	wantMissing(t, kv, "get")
	if _, err := kv.Take(ctx, "take"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Take of an expired key: %v, want storage.ErrNotFound", err)
	}
	wantValue(t, kv, "long", "v")
	// An expired key can be written again.
	mustPut(t, kv, "get", "again", time.Second)
	wantValue(t, kv, "get", "again")
}

func testOverwriteRenewsExpiry(t *testing.T, kv session.KV, clock *FakeClock) {
	mustPut(t, kv, "longer", "v", time.Second)
	mustPut(t, kv, "shorter", "v", time.Hour)
	clock.Advance(500 * time.Millisecond)
	mustPut(t, kv, "longer", "v2", time.Minute)
	mustPut(t, kv, "shorter", "v2", time.Second)
	clock.Advance(time.Second)
	wantValue(t, kv, "longer", "v2")
	wantMissing(t, kv, "shorter")
}

func testTake(t *testing.T, kv session.KV, _ *FakeClock) {
	ctx := context.Background()
	mustPut(t, kv, "k", "once", time.Minute)
	got, err := kv.Take(ctx, "k")
	if err != nil || string(got) != "once" {
		t.Fatalf("Take = %q, %v; want %q", got, err, "once")
	}
	if got, err := kv.Take(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("second Take = %q, %v; want storage.ErrNotFound", got, err)
	}
	wantMissing(t, kv, "k")
	if _, err := kv.Take(ctx, "never"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Take of a missing key: %v, want storage.ErrNotFound", err)
	}
}

func testDelete(t *testing.T, kv session.KV, _ *FakeClock) {
	ctx := context.Background()
	mustPut(t, kv, "k", "v", time.Minute)
	mustPut(t, kv, "other", "v", time.Minute)
	if err := kv.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	wantMissing(t, kv, "k")
	wantValue(t, kv, "other", "v")
	if err := kv.Delete(ctx, "k"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}

func testBadArguments(t *testing.T, kv session.KV, _ *FakeClock) {
	ctx := context.Background()
	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := kv.Put(ctx, "k", []byte("v"), ttl); err == nil {
			t.Errorf("Put with ttl %v succeeded", ttl)
		}
	}
	wantMissing(t, kv, "k")
	if err := kv.Put(ctx, "", []byte("v"), time.Minute); err == nil {
		t.Error("Put with an empty key succeeded")
	}
}

func testCancelledContext(t *testing.T, kv session.KV, _ *FakeClock) {
	mustPut(t, kv, "k", "v", time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := []struct {
		name string
		call func() error
	}{
		{"Put", func() error { return kv.Put(ctx, "k", []byte("new"), time.Minute) }},
		{"Get", func() error { _, err := kv.Get(ctx, "k"); return err }},
		{"Take", func() error { _, err := kv.Take(ctx, "k"); return err }},
		{"Delete", func() error { return kv.Delete(ctx, "k") }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", c.name, err)
		}
	}
	wantValue(t, kv, "k", "v")
}

func testConcurrentTake(t *testing.T, kv session.KV, _ *FakeClock) {
	const rounds, takers = 20, 16
	for r := range rounds {
		key := fmt.Sprintf("code-%d", r)
		mustPut(t, kv, key, key, time.Minute)
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range takers {
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
			t.Fatalf("round %d: %d of %d concurrent Takes got the value, want exactly 1", r, n, takers)
		}
	}
}

func testConcurrentUse(t *testing.T, kv session.KV, _ *FakeClock) {
	const workers, ops = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ctx := context.Background()
			for i := range ops {
				key := fmt.Sprintf("w%d-%d", w, i%10)
				val := []byte(key)
				if err := kv.Put(ctx, key, val, time.Minute); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
				// Only this worker writes its keys: the value must be there.
				got, err := kv.Get(ctx, key)
				if err != nil {
					t.Errorf("Get(%q): %v", key, err)
					return
				}
				if !bytes.Equal(got, val) {
					t.Errorf("Get(%q) = %q", key, got)
					return
				}
				if i%3 == 0 {
					if err := kv.Delete(ctx, key); err != nil {
						t.Errorf("Delete: %v", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
