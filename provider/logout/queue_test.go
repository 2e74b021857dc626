package logout

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
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newQueueFunc makes an empty queue on clock.
type newQueueFunc func(t *testing.T, clock func() time.Time) Queue

// queues are the implementations every queue test runs against.
func queues(t *testing.T) map[string]newQueueFunc {
	srv := redistest.New(t, redistest.Options{})
	var n atomic.Int64
	return map[string]newQueueFunc{
		"memory": func(_ *testing.T, clock func() time.Time) Queue { return NewMemory(0, clock) },
		"redis": func(t *testing.T, clock func() time.Time) Queue {
			c := redis.NewClient(&redis.Options{Addr: srv.Addr})
			t.Cleanup(func() { _ = c.Close() })
			// A prefix per case keeps the cases apart on one server.
			return NewRedis(c, fmt.Sprintf("case%d:", n.Add(1)), clock)
		},
	}
}

func TestQueue(t *testing.T) {
	ctx := context.Background()
	for name, newQueue := range queues(t) {
		t.Run(name, func(t *testing.T) {
			cases := []struct {
				name string
				run  func(t *testing.T, q Queue, clock *testClock)
			}{
				{"empty", func(t *testing.T, q Queue, _ *testClock) {
					if _, err := q.Take(ctx, time.Minute); !errors.Is(err, ErrEmpty) {
						t.Fatalf("Take = %v, want ErrEmpty", err)
					}
				}},
				{"push take done", func(t *testing.T, q Queue, _ *testClock) {
					push(t, q, Job{ID: "a", ClientID: "c", Subject: "s", SID: "x"})
					j := take(t, q)
					if j.ID != "a" || j.ClientID != "c" || j.Subject != "s" || j.SID != "x" {
						t.Errorf("took %+v", j)
					}
					if _, err := q.Take(ctx, time.Minute); !errors.Is(err, ErrEmpty) {
						t.Errorf("a leased job was taken twice: %v", err)
					}
					if err := q.Done(ctx, j); err != nil {
						t.Fatal(err)
					}
				}},
				{"oldest first", func(t *testing.T, q Queue, clock *testClock) {
					push(t, q, Job{ID: "first"})
					clock.Add(time.Millisecond)
					push(t, q, Job{ID: "second"})
					if j := take(t, q); j.ID != "first" {
						t.Errorf("took %s first", j.ID)
					}
				}},
				{"retry waits until due, keeps changes", func(t *testing.T, q Queue, clock *testClock) {
					push(t, q, Job{ID: "r"})
					j := take(t, q)
					j.Attempts, j.RefreshEnded = 1, true
					if err := q.Retry(ctx, j, clock.Now().Add(time.Second)); err != nil {
						t.Fatal(err)
					}
					if _, err := q.Take(ctx, time.Minute); !errors.Is(err, ErrEmpty) {
						t.Fatalf("a retry was due early: %v", err)
					}
					clock.Add(time.Second)
					if got := take(t, q); got.Attempts != 1 || !got.RefreshEnded {
						t.Errorf("retry lost its changes: %+v", got)
					}
				}},
				{"an expired lease brings the job back", func(t *testing.T, q Queue, clock *testClock) {
					push(t, q, Job{ID: "l"})
					take(t, q) // a worker that dies with it
					clock.Add(2 * time.Minute)
					if j := take(t, q); j.ID != "l" {
						t.Errorf("took %s", j.ID)
					}
				}},
				{"done removes for good", func(t *testing.T, q Queue, clock *testClock) {
					push(t, q, Job{ID: "d"})
					if err := q.Done(ctx, take(t, q)); err != nil {
						t.Fatal(err)
					}
					clock.Add(2 * time.Minute)
					if _, err := q.Take(ctx, time.Minute); !errors.Is(err, ErrEmpty) {
						t.Errorf("a done job came back: %v", err)
					}
				}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					clock := &testClock{t: time.Now()}
					tc.run(t, newQueue(t, clock.Now), clock)
				})
			}
		})
	}
}

// TestQueueConcurrentTake: of workers racing for the jobs (several
// instances on one Redis), each job goes to exactly one.
func TestQueueConcurrentTake(t *testing.T) {
	ctx := context.Background()
	for name, newQueue := range queues(t) {
		t.Run(name, func(t *testing.T) {
			q := newQueue(t, time.Now)
			const jobs, workers = 40, 4
			for i := range jobs {
				push(t, q, Job{ID: fmt.Sprint(i)})
			}
			var mu sync.Mutex
			seen := map[string]int{}
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for {
						j, err := q.Take(ctx, time.Minute)
						if err != nil {
							return
						}
						mu.Lock()
						seen[j.ID]++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(seen) != jobs {
				t.Errorf("%d jobs taken, want %d", len(seen), jobs)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("job %s taken %d times", id, n)
				}
			}
		})
	}
}

func TestMemoryBound(t *testing.T) {
	q := NewMemory(1, nil)
	push(t, q, Job{ID: "1"})
	if err := q.Push(context.Background(), Job{ID: "2"}); !errors.Is(err, ErrFull) {
		t.Errorf("Push past the bound = %v, want ErrFull", err)
	}
}

func push(t *testing.T, q Queue, j Job) {
	t.Helper()
	if err := q.Push(context.Background(), j); err != nil {
		t.Fatal(err)
	}
}

func take(t *testing.T, q Queue) Job {
	t.Helper()
	j, err := q.Take(context.Background(), time.Minute)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return j
}
