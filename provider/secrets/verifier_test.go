package secrets

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// countingVerifier returns a Verifier whose slow checks are counted.
func countingVerifier(t *testing.T, opts VerifierOptions) (*Verifier, *atomic.Int64) {
	t.Helper()
	v := NewVerifier(newTestCodec(t), opts)
	var n atomic.Int64
	v.onSlow = func() { n.Add(1) }
	return v, &n
}

func mustHash(t *testing.T, v *Verifier, plain string) string {
	t.Helper()
	s, err := v.codec.Hash(plain)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifierCache(t *testing.T) {
	ctx := context.Background()
	type call struct {
		client, version, presented string
		otherStored                bool
		want                       bool
		slow                       bool // whether this call must compute
	}
	tests := []struct {
		name  string
		calls []call
	}{
		{name: "second success is a hit", calls: []call{
			{client: "c", version: "1", presented: "good", want: true, slow: true},
			{client: "c", version: "1", presented: "good", want: true, slow: false},
		}},
		{name: "failures are never cached", calls: []call{
			{client: "c", version: "1", presented: "bad", want: false, slow: true},
			{client: "c", version: "1", presented: "bad", want: false, slow: true},
			{client: "c", version: "1", presented: "good", want: true, slow: true},
			{client: "c", version: "1", presented: "bad", want: false, slow: true},
		}},
		{name: "other version misses", calls: []call{
			{client: "c", version: "1", presented: "good", want: true, slow: true},
			{client: "c", version: "2", presented: "good", want: true, slow: true},
		}},
		{name: "other stored value misses", calls: []call{
			{client: "c", version: "1", presented: "good", want: true, slow: true},
			{client: "c", version: "1", presented: "good", otherStored: true, want: true, slow: true},
		}},
		{name: "other client misses", calls: []call{
			{client: "c", version: "1", presented: "good", want: true, slow: true},
			{client: "d", version: "1", presented: "good", want: true, slow: true},
		}},
		{name: "field boundaries are unambiguous", calls: []call{
			{client: "c1", version: "", presented: "good", want: true, slow: true},
			{client: "c", version: "1", presented: "good", want: true, slow: true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, slow := countingVerifier(t, VerifierOptions{})
			stored, other := mustHash(t, v, "good"), mustHash(t, v, "good")
			for i, c := range tc.calls {
				s := stored
				if c.otherStored {
					s = other
				}
				before := slow.Load()
				ok, err := v.Verify(ctx, c.client, c.version, s, c.presented)
				if err != nil || ok != c.want {
					t.Fatalf("call %d: Verify = %v, %v; want %v", i, ok, err, c.want)
				}
				if computed := slow.Load() > before; computed != c.slow {
					t.Fatalf("call %d: computed = %v, want %v", i, computed, c.slow)
				}
			}
		})
	}
}

func TestVerifierForget(t *testing.T) {
	ctx := context.Background()
	v, slow := countingVerifier(t, VerifierOptions{})
	stored := mustHash(t, v, "good")
	for _, client := range []string{"keep", "drop"} {
		if ok, err := v.Verify(ctx, client, "1", stored, "good"); !ok || err != nil {
			t.Fatalf("Verify = %v, %v", ok, err)
		}
	}
	v.Forget("drop")
	if got := v.cache.len(); got != 1 {
		t.Errorf("cache holds %d entries after Forget, want 1", got)
	}
	before := slow.Load()
	if ok, err := v.Verify(ctx, "keep", "1", stored, "good"); !ok || err != nil || slow.Load() != before {
		t.Errorf("kept client: Verify = %v, %v, recomputed %v", ok, err, slow.Load() != before)
	}
	if ok, err := v.Verify(ctx, "drop", "1", stored, "good"); !ok || err != nil || slow.Load() != before+1 {
		t.Errorf("forgotten client: Verify = %v, %v, recomputed %v", ok, err, slow.Load() != before)
	}
}

func TestVerifierEviction(t *testing.T) {
	ctx := context.Background()
	v, slow := countingVerifier(t, VerifierOptions{CacheSize: 2})
	stored := mustHash(t, v, "good")
	verify := func(client string) {
		t.Helper()
		if ok, err := v.Verify(ctx, client, "", stored, "good"); !ok || err != nil {
			t.Fatalf("Verify(%s) = %v, %v", client, ok, err)
		}
	}
	verify("a")
	verify("b")
	verify("a") // a is now the most recent, b the least
	verify("c") // evicts b
	if got := v.cache.len(); got != 2 {
		t.Fatalf("cache holds %d entries, want 2", got)
	}
	before := slow.Load()
	verify("a")
	verify("c")
	if slow.Load() != before {
		t.Error("a recent entry was evicted")
	}
	verify("b")
	if slow.Load() != before+1 {
		t.Error("the least recent entry was not evicted")
	}
}

func TestVerifierCacheOff(t *testing.T) {
	v, slow := countingVerifier(t, VerifierOptions{CacheSize: -1})
	stored := mustHash(t, v, "good")
	for range 2 {
		if ok, err := v.Verify(context.Background(), "c", "", stored, "good"); !ok || err != nil {
			t.Fatalf("Verify = %v, %v", ok, err)
		}
	}
	if got := slow.Load(); got != 2 {
		t.Errorf("%d slow checks with the cache off, want 2", got)
	}
	v.Forget("c") // must not panic
}

// TestVerifierBusy holds the only slot with a check that waits on a channel,
// then shows that a caller whose context has ended gets ErrBusy, that cheap
// formats and malformed values do not need a slot, and that a waiting caller
// gets the slot once it is free.
func TestVerifierBusy(t *testing.T) {
	v := NewVerifier(newTestCodec(t), VerifierOptions{MaxConcurrent: 1})
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int64
	v.onSlow = func() {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
	}
	stored := mustHash(t, v, "good")
	first := make(chan error, 1)
	go func() {
		ok, err := v.Verify(context.Background(), "a", "", stored, "good")
		if err == nil && !ok {
			err = errors.New("first check failed")
		}
		first <- err
	}()
	<-entered

	done, cancel := context.WithCancel(context.Background())
	cancel()
	ok, err := v.Verify(done, "b", "", stored, "good")
	if ok || !errors.Is(err, ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with the slot taken and an ended context = %v, %v; want ErrBusy", ok, err)
	}

	plain, err := v.codec.Encrypt("cheap")
	if err != nil {
		t.Fatal(err)
	}
	for _, stored := range []string{plain, "legacy"} {
		want, _ := v.codec.Reveal(stored)
		if ok, err := v.Verify(done, "c", "", stored, want); !ok || err != nil {
			t.Errorf("cheap format %s with the slot taken = %v, %v", Kind(stored), ok, err)
		}
	}
	if _, err := v.Verify(done, "c", "", "$argon2id$v=19$m=1,t=1,p=1$x$y", "x"); !errors.Is(err, ErrMalformed) {
		t.Errorf("malformed value with the slot taken: error = %v, want ErrMalformed", err)
	}

	waiter := make(chan error, 1)
	go func() {
		_, err := v.Verify(context.Background(), "d", "", stored, "good")
		waiter <- err
	}()
	close(release)
	if err := <-first; err != nil {
		t.Error(err)
	}
	if err := <-waiter; err != nil {
		t.Errorf("waiting caller: %v", err)
	}
}

func TestVerifierConcurrent(t *testing.T) {
	v := NewVerifier(newTestCodec(t), VerifierOptions{MaxConcurrent: 2, CacheSize: 4})
	stored := mustHash(t, v, "good")
	errs := make(chan error, 32)
	for i := range cap(errs) {
		go func() {
			presented := "good"
			if i%3 == 0 {
				presented = "bad"
			}
			ok, err := v.Verify(context.Background(), fmt.Sprint("c", i%6), "", stored, presented)
			switch {
			case err != nil:
				errs <- err
			case ok != (presented == "good"):
				errs <- fmt.Errorf("call %d: Verify = %v", i, ok)
			default:
				errs <- nil
			}
			if i%5 == 0 {
				v.Forget(fmt.Sprint("c", i%6))
			}
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := v.cache.len(); got > 4 {
		t.Errorf("cache holds %d entries, over its size of 4", got)
	}
}
