package throttle_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/throttle"
)

// fakeClock moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// With 5 failures per 15 minutes, the interval is 3 minutes.
const interval = 3 * time.Minute

func newLimiter(maxKeys int) (*throttle.Limiter, *fakeClock) {
	clock := newClock()
	return throttle.New(throttle.Options{MaxFailures: 5, Window: 15 * time.Minute, MaxKeys: maxKeys, Clock: clock.Now}), clock
}

// op is one step of a scenario: advance the clock, then act on key, then
// (for allow) compare.
type op struct {
	advance   time.Duration
	act       string // "fail", "succeed" or "allow"
	key       string
	wantOK    bool
	wantRetry time.Duration
}

func fails(key string, n int) []op {
	ops := make([]op, n)
	for i := range ops {
		ops[i] = op{act: "fail", key: key}
	}
	return ops
}

func then(parts ...[]op) []op {
	var all []op
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func allow(key string, advance time.Duration, ok bool, retry time.Duration) []op {
	return []op{{advance: advance, act: "allow", key: key, wantOK: ok, wantRetry: retry}}
}

// limiter is what run drives: a Limiter, or a Counter made to look like
// one by mustCounter.
type limiter interface {
	Allow(key string) (bool, time.Duration)
	Fail(key string)
	Succeed(key string)
}

func run(t *testing.T, l limiter, clock *fakeClock, ops []op) {
	t.Helper()
	for i, o := range ops {
		clock.Advance(o.advance)
		switch o.act {
		case "fail":
			l.Fail(o.key)
		case "succeed":
			l.Succeed(o.key)
		case "allow":
			ok, retry := l.Allow(o.key)
			if ok != o.wantOK || retry != o.wantRetry {
				t.Fatalf("step %d: Allow(%q) = %v, %v; want %v, %v", i, o.key, ok, retry, o.wantOK, o.wantRetry)
			}
		default:
			t.Fatalf("step %d: unknown act %q", i, o.act)
		}
	}
}

// limiterCases are the semantics every backend must share: the Limiter
// here and Shared over each store (shared_test.go).
var limiterCases = []struct {
	name string
	ops  []op
}{
	{"unknown key allowed", allow("alice", 0, true, 0)},
	{"four failures allowed", then(fails("alice", 4), allow("alice", 0, true, 0))},
	{"five failures wait one interval", then(fails("alice", 5), allow("alice", 0, false, interval))},
	{"waiting counts down", then(fails("alice", 5), allow("alice", time.Minute, false, interval-time.Minute))},
	{"one try after the interval", then(fails("alice", 5), allow("alice", interval, true, 0), fails("alice", 1), allow("alice", 0, false, interval))},
	{"failures spread out never wait", then(
		fails("alice", 4), allow("alice", interval, true, 0),
		fails("alice", 1), allow("alice", interval, true, 0),
		fails("alice", 1), allow("alice", interval, true, 0),
	)},
	{"all forgotten after the window", then(fails("alice", 5), allow("alice", 15*time.Minute, true, 0), fails("alice", 4), allow("alice", 0, true, 0))},
	// Ten attempts passed Allow together and all failed: the key pays
	// for every one of them.
	{"a burst that slipped through is paid back", then(fails("alice", 10), allow("alice", 0, false, 6*interval))},
	{"success forgets", then(fails("alice", 5), []op{{act: "succeed", key: "alice"}}, allow("alice", 0, true, 0), fails("alice", 4), allow("alice", 0, true, 0))},
	{"keys are separate", then(fails("alice", 5), allow("bob", 0, true, 0), allow("alice", 0, false, interval))},
	{"case and spaces ignored", then(fails("Alice", 2), fails(" ALICE ", 2), fails("alice\t", 1), allow("aLiCe", 0, false, interval))},
	{"non-ASCII case ignored", then(fails("MÜLLER", 5), allow("müller", 0, false, interval))},
	{"filter characters are just characters", then(fails("x)(uid=*", 5), allow("x", 0, true, 0), allow("*", 0, true, 0), allow("X)(UID=*", 0, false, interval))},
	{"success of another key changes nothing", then(fails("alice", 5), []op{{act: "succeed", key: "bob"}}, allow("alice", 0, false, interval))},
}

func TestLimiter(t *testing.T) {
	for _, tc := range limiterCases {
		t.Run(tc.name, func(t *testing.T) {
			l, clock := newLimiter(0)
			run(t, l, clock, tc.ops)
		})
	}
}

func TestLimiterDefaults(t *testing.T) {
	clock := newClock()
	l := throttle.New(throttle.Options{Clock: clock.Now})
	for range throttle.DefaultMaxFailures {
		if ok, _ := l.Allow("alice"); !ok {
			t.Fatal("refused before DefaultMaxFailures failures")
		}
		l.Fail("alice")
	}
	want := throttle.DefaultWindow / throttle.DefaultMaxFailures
	if ok, retry := l.Allow("alice"); ok || retry != want {
		t.Fatalf("Allow = %v, %v; want false, %v", ok, retry, want)
	}
}

func TestLimiterBounded(t *testing.T) {
	const maxKeys = 100
	l, clock := newLimiter(maxKeys)
	for i := range 100_000 {
		l.Fail(fmt.Sprintf("user-%d", i))
		if i%1000 == 0 {
			clock.Advance(time.Second)
		}
	}
	if n := l.Len(); n > maxKeys {
		t.Fatalf("Len() = %d after 100000 distinct keys, want at most %d", n, maxKeys)
	}
	// The most recent key is remembered; the oldest is gone.
	run(t, l, clock, then(fails("user-99999", 4), allow("user-99999", 0, false, interval)))
	if ok, _ := l.Allow("user-0"); !ok {
		t.Fatal("the oldest key is still remembered")
	}
}

func TestLimiterEvictsLeastRecentFailure(t *testing.T) {
	l, clock := newLimiter(3)
	run(t, l, clock, then(fails("a", 5), fails("b", 5), fails("c", 5), fails("a", 1), fails("d", 5)))
	// b had the oldest last failure.
	want := map[string]bool{"a": false, "b": true, "c": false, "d": false}
	for key, allowed := range want {
		if ok, _ := l.Allow(key); ok != allowed {
			t.Errorf("Allow(%q) = %v, want %v", key, ok, allowed)
		}
	}
	if n := l.Len(); n != 3 {
		t.Fatalf("Len() = %d, want 3", n)
	}
}

func TestLimiterForgetsDrainedKeys(t *testing.T) {
	l, clock := newLimiter(0)
	for i := range 50 {
		l.Fail(fmt.Sprintf("user-%d", i))
	}
	clock.Advance(interval)
	l.Fail("late")
	if n := l.Len(); n != 1 {
		t.Fatalf("Len() = %d, want 1: keys whose failures are forgotten should be dropped", n)
	}
	l.Fail("later")
	clock.Advance(interval)
	if ok, _ := l.Allow("later"); !ok || l.Len() != 1 {
		t.Fatalf("Allow of a forgotten key = %v, Len %d; want true, 1", ok, l.Len())
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l, clock := newLimiter(50)
	const workers, perWorker = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				key := fmt.Sprintf("user-%d", (w*perWorker+i)%80)
				switch i % 4 {
				case 0, 1:
					l.Fail(key)
				case 2:
					l.Allow(key)
				case 3:
					if i%40 == 3 {
						l.Succeed(key)
					}
					clock.Advance(time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	if n := l.Len(); n > 50 {
		t.Fatalf("Len() = %d, want at most 50", n)
	}

	// Every concurrent failure of one key counts.
	l2, _ := newLimiter(0)
	const racers = 32
	for range racers {
		wg.Go(func() { l2.Fail("alice") })
	}
	wg.Wait()
	if ok, retry := l2.Allow("alice"); ok || retry != (racers-4)*interval {
		t.Fatalf("after %d concurrent failures: Allow = %v, %v; want false, %v", racers, ok, retry, (racers-4)*interval)
	}
}
