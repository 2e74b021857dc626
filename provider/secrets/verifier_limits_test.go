package secrets

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// generous bounds a call that must end on its own long before.
const generous = 10 * time.Second

// waitFor polls cond, which observes state another goroutine moves
// towards; it fails the test when that never happens.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(generous)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		runtime.Gosched()
	}
}

// blockingVerifier returns a Verifier whose first slow check waits, in its
// slot, until release is closed; entered is closed when it is there.
func blockingVerifier(t *testing.T, opts VerifierOptions) (v *Verifier, entered, release chan struct{}) {
	t.Helper()
	v = NewVerifier(newTestCodec(t), opts)
	entered, release = make(chan struct{}), make(chan struct{})
	var calls atomic.Int64
	v.onSlow = func() {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
	}
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return v, entered, release
}

type result struct {
	ok  bool
	err error
}

func verifyAsync(ctx context.Context, v *Verifier, client, stored, presented string) <-chan result {
	out := make(chan result, 1)
	go func() {
		ok, err := v.Verify(ctx, client, "", stored, presented)
		out <- result{ok, err}
	}()
	return out
}

// TestVerifierCollapse starts N checks of one tuple while the first holds
// its run open, and shows that they all get its answer from one run.
func TestVerifierCollapse(t *testing.T) {
	const n = 16
	tests := []struct {
		name      string
		presented string
		cacheSize int
		want      bool
	}{
		{name: "right secret", presented: "good", want: true},
		{name: "wrong secret", presented: "bad", want: false},
		{name: "cache off", presented: "good", cacheSize: -1, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, entered, release := blockingVerifier(t, VerifierOptions{CacheSize: tc.cacheSize})
			var followers atomic.Int64
			allIn := make(chan struct{})
			v.onFollow = func() {
				if followers.Add(1) == n-1 {
					close(allIn)
				}
			}
			stored := mustHash(t, v, "good")
			results := make([]<-chan result, n)
			for i := range results {
				results[i] = verifyAsync(context.Background(), v, "c", stored, tc.presented)
			}
			<-entered
			<-allIn
			close(release)
			for i, ch := range results {
				if r := <-ch; r.ok != tc.want || r.err != nil {
					t.Errorf("caller %d: Verify = %v, %v; want %v", i, r.ok, r.err, tc.want)
				}
			}
			st := v.Stats()
			if st.SlowChecks != 1 || st.Collapsed != n-1 || st.CacheMisses != n {
				t.Errorf("stats %+v: want 1 slow check, %d collapsed, %d misses", st, n-1, n)
			}
			if v.flights.len() != 0 {
				t.Errorf("%d flights left over", v.flights.len())
			}
		})
	}
}

// TestVerifierCollapseKeepsTuplesApart: checks of different tuples are not
// collapsed, whatever they share.
func TestVerifierCollapseKeepsTuplesApart(t *testing.T) {
	v := NewVerifier(newTestCodec(t), VerifierOptions{MaxConcurrent: 4})
	stored := mustHash(t, v, "good")
	var wg sync.WaitGroup
	for _, c := range []struct{ client, presented string }{{"a", "good"}, {"a", "bad"}, {"b", "good"}, {"b", "bad"}} {
		wg.Go(func() {
			ok, err := v.Verify(context.Background(), c.client, "", stored, c.presented)
			if err != nil || ok != (c.presented == "good") {
				t.Errorf("%s/%s: Verify = %v, %v", c.client, c.presented, ok, err)
			}
		})
	}
	wg.Wait()
	if st := v.Stats(); st.SlowChecks != 4 || st.Collapsed != 0 {
		t.Errorf("stats %+v: want 4 slow checks, none collapsed", st)
	}
}

// TestVerifierQueueFull fills the only slot and the only place in the
// queue; the next caller, with plenty of time left, is refused at once
// with an error that is ErrBusy and storage.ErrUnavailable.
func TestVerifierQueueFull(t *testing.T) {
	v, entered, release := blockingVerifier(t, VerifierOptions{MaxConcurrent: 1, MaxQueued: 1})
	stored := mustHash(t, v, "good")
	holder := verifyAsync(context.Background(), v, "a", stored, "good")
	<-entered
	waiter := verifyAsync(context.Background(), v, "b", stored, "good")
	waitFor(t, "a caller queued", func() bool { return v.Stats().Queued == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	ok, err := v.Verify(ctx, "c", "", stored, "good")
	if ok || !errors.Is(err, ErrBusy) || !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, errQueueFull) {
		t.Errorf("Verify with slot and queue full = %v, %v; want ErrBusy (queue full)", ok, err)
	}
	if ctx.Err() != nil {
		t.Error("the refused caller waited until its deadline")
	}
	st := v.Stats()
	if st.Rejected != 1 || st.InFlight != 1 || st.MaxConcurrent != 1 || st.MaxQueued != 1 {
		t.Errorf("stats %+v: want 1 rejected, 1 in flight, bounds 1 and 1", st)
	}

	close(release)
	for name, ch := range map[string]<-chan result{"holder": holder, "waiter": waiter} {
		if r := <-ch; !r.ok || r.err != nil {
			t.Errorf("%s: Verify = %v, %v", name, r.ok, r.err)
		}
	}
}

// TestVerifierNoQueue: a negative MaxQueued refuses whoever finds every
// slot taken.
func TestVerifierNoQueue(t *testing.T) {
	v, entered, _ := blockingVerifier(t, VerifierOptions{MaxConcurrent: 1, MaxQueued: -1})
	stored := mustHash(t, v, "good")
	verifyAsync(context.Background(), v, "a", stored, "good")
	<-entered
	if _, err := v.Verify(context.Background(), "b", "", stored, "good"); !errors.Is(err, errQueueFull) {
		t.Errorf("Verify with the slot taken and no queue: error = %v, want queue full", err)
	}
}

// TestVerifierCancelWhileWaiting: a caller whose context ends while it
// waits — in the queue, or on another caller's run — leaves with ErrBusy
// and its place in the queue.
func TestVerifierCancelWhileWaiting(t *testing.T) {
	tests := []struct {
		name   string
		client string // "a" holds the slot: the same tuple waits on its run
		queued int
	}{
		{name: "in the queue", client: "b", queued: 1},
		{name: "on another's run", client: "a", queued: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, entered, _ := blockingVerifier(t, VerifierOptions{MaxConcurrent: 1})
			var following atomic.Int64
			v.onFollow = func() { following.Add(1) }
			stored := mustHash(t, v, "good")
			verifyAsync(context.Background(), v, "a", stored, "good")
			<-entered
			ctx, cancel := context.WithCancel(context.Background())
			waiter := verifyAsync(ctx, v, tc.client, stored, "good")
			waitFor(t, "the caller waiting", func() bool {
				return v.Stats().Queued == tc.queued && int(following.Load())+v.Stats().Queued == 1
			})
			cancel()
			r := <-waiter
			if r.ok || !errors.Is(r.err, ErrBusy) || !errors.Is(r.err, context.Canceled) {
				t.Errorf("cancelled waiter: Verify = %v, %v; want ErrBusy, canceled", r.ok, r.err)
			}
			if st := v.Stats(); st.Queued != 0 || st.Rejected != 1 {
				t.Errorf("stats %+v: want nobody queued, 1 rejected", st)
			}
		})
	}
}

// TestVerifierLeaderGivesUp: when the caller running a check leaves the
// queue (its context ended), a caller waiting on that run takes it over.
func TestVerifierLeaderGivesUp(t *testing.T) {
	v, entered, release := blockingVerifier(t, VerifierOptions{MaxConcurrent: 1})
	var following atomic.Int64
	v.onFollow = func() { following.Add(1) }
	stored := mustHash(t, v, "good")
	verifyAsync(context.Background(), v, "a", stored, "good")
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	leader := verifyAsync(ctx, v, "b", stored, "good")
	waitFor(t, "the leader queued", func() bool { return v.Stats().Queued == 1 })
	follower := verifyAsync(context.Background(), v, "b", stored, "good")
	waitFor(t, "the follower waiting", func() bool { return following.Load() == 1 })
	cancel()
	if r := <-leader; !errors.Is(r.err, ErrBusy) {
		t.Fatalf("leader: Verify = %v, %v; want ErrBusy", r.ok, r.err)
	}
	waitFor(t, "the follower queued in turn", func() bool { return v.Stats().Queued == 1 })
	close(release)
	if r := <-follower; !r.ok || r.err != nil {
		t.Errorf("follower: Verify = %v, %v; want true", r.ok, r.err)
	}
}

func TestErrBusyIsUnavailable(t *testing.T) {
	for _, err := range []error{ErrBusy, busy(context.DeadlineExceeded), errors.Join(errors.New("x"), busy(errQueueFull))} {
		if !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, ErrBusy) {
			t.Errorf("%v: not ErrBusy and storage.ErrUnavailable", err)
		}
	}
	//lint:ignore SA1032 reversed on purpose: an unavailable store is not always a busy verifier
	if errors.Is(storage.ErrUnavailable, ErrBusy) {
		t.Error("every unavailable store is reported busy")
	}
}

// TestReclaim: a large Argon2 run is followed by a collection, so that its
// memory is free for the next one, and, once runs have stopped, by one
// release of the memory to the system.
func TestReclaim(t *testing.T) {
	tests := []struct {
		name      string
		memoryKiB uint32
		collected bool
	}{
		{name: "large", memoryKiB: reclaimMinKiB, collected: true},
		{name: "small", memoryKiB: 256, collected: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Params{MemoryKiB: tc.memoryKiB, Iterations: 1, Parallelism: 1}, testKey(t), "k1")
			if err != nil {
				t.Fatal(err)
			}
			released := make(chan struct{}, 4)
			c.release.delay = time.Millisecond
			c.release.free = func() { released <- struct{}{} }
			forced := func() uint32 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				return ms.NumForcedGC
			}
			before := forced()
			stored, err := c.Hash("good")
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := c.Verify(stored, "good"); !ok || err != nil {
				t.Fatalf("Verify = %v, %v", ok, err)
			}
			// Other tests may force collections too: only the absence
			// of one is exact for the small case.
			if got := forced() - before; (got >= 2) != tc.collected {
				t.Errorf("%d forced collections for hash and check, want collected = %v", got, tc.collected)
			}
			if !tc.collected {
				if c.release.timer != nil {
					t.Error("a release was scheduled for a small run")
				}
				return
			}
			select {
			case <-released:
			case <-time.After(generous):
				t.Fatal("the memory was never released")
			}
		})
	}
}
