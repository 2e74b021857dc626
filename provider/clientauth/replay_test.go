package clientauth

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// addingKV is a store with an atomic Add, as a shared store would offer.
type addingKV struct {
	session.KV
	mu   sync.Mutex
	adds atomic.Int64
}

func (s *addingKV) Add(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.adds.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.Get(ctx, key); err == nil {
		return storage.ErrAlreadyExists
	}
	return s.Put(ctx, key, value, ttl)
}

// failingKV fails every call as an unreachable store does.
type failingKV struct{ session.KV }

func (failingKV) Get(context.Context, string) ([]byte, error) {
	return nil, errors.New("dial tcp: connection refused")
}

// TestReplayConcurrent: of many requests racing with one assertion,
// exactly one is accepted, with the store's Add and without it.
func TestReplayConcurrent(t *testing.T) {
	tests := []struct {
		name  string
		store func(mem session.KV) session.KV
	}{
		{name: "get then put under the key's lock", store: func(mem session.KV) session.KV { return mem }},
		{name: "atomic add", store: func(mem session.KV) session.KV { return &addingKV{KV: mem} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(o *Options) { o.Replay = tc.store(o.Replay) })
			body := assertionForm(sign(t, "HS256", []byte(hmacSecret), "", claims("hmac", f.clock.Now(), nil)))
			const n = 32
			var accepted, replayed atomic.Int64
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() {
					_, e := f.auth.Authenticate(context.Background(), http.Header{}, body)
					switch {
					case e == nil:
						accepted.Add(1)
					case errors.Is(e, errReplayed):
						replayed.Add(1)
					default:
						t.Errorf("unexpected refusal: %v", e)
					}
				})
			}
			wg.Wait()
			if accepted.Load() != 1 || replayed.Load() != n-1 {
				t.Errorf("accepted %d, replayed %d; want 1 and %d", accepted.Load(), replayed.Load(), n-1)
			}
		})
	}
}

// TestReplayUsesAdd: a store with Add is asked through it.
func TestReplayUsesAdd(t *testing.T) {
	adder := &addingKV{}
	f := newFixture(t, func(o *Options) {
		adder.KV = o.Replay
		o.Replay = adder
	})
	body := assertionForm(sign(t, "HS256", []byte(hmacSecret), "", claims("hmac", f.clock.Now(), nil)))
	for i, want := range []outcome{ok(MethodSecretJWT, "hmac"), refused(401, errReplayed)} {
		res, e := f.auth.Authenticate(context.Background(), http.Header{}, body)
		want.check(t, res, e)
		if got := adder.adds.Load(); got != int64(i+1) {
			t.Errorf("adds = %d, want %d", got, i+1)
		}
	}
}

// TestReplayRecordLifetime: the record of a jti lasts until exp plus the
// leeway, no longer.
func TestReplayRecordLifetime(t *testing.T) {
	mem := new(*session.Memory)
	f := newFixture(t, func(o *Options) {
		*mem = session.NewMemory(session.MemoryOptions{Clock: o.Now})
		o.Replay = *mem
	})
	body := assertionForm(sign(t, "HS256", []byte(hmacSecret), "", claims("hmac", f.clock.Now(), nil))) // exp in 1 minute
	if _, e := f.auth.Authenticate(context.Background(), http.Header{}, body); e != nil {
		t.Fatal(e)
	}
	steps := []struct {
		name    string
		advance time.Duration
		want    int
	}{
		{name: "kept until exp", advance: time.Minute, want: 1},
		{name: "kept through the leeway", advance: leeway - time.Second, want: 1},
		{name: "dropped after", advance: 2 * time.Second, want: 0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			f.clock.Advance(st.advance)
			if got := (*mem).Len(); got != st.want {
				t.Errorf("records = %d, want %d", got, st.want)
			}
		})
	}
}

// TestReplayStoreFailure: a full or unreachable store is
// temporarily_unavailable, never an accepted assertion.
func TestReplayStoreFailure(t *testing.T) {
	tests := []struct {
		name  string
		store func(o *Options) session.KV
		first outcome
	}{
		{name: "full", store: func(o *Options) session.KV {
			return session.NewMemory(session.MemoryOptions{Clock: o.Now, MaxEntries: 1})
		}, first: ok(MethodSecretJWT, "hmac")},
		{name: "unreachable", store: func(o *Options) session.KV { return failingKV{KV: o.Replay} },
			first: outcome{code: "temporarily_unavailable", status: http.StatusServiceUnavailable}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(o *Options) { o.Replay = tc.store(o) })
			auth := func() (Result, *oauth.Error) {
				body := assertionForm(sign(t, "HS256", []byte(hmacSecret), "", claims("hmac", f.clock.Now(), nil)))
				return f.auth.Authenticate(context.Background(), http.Header{}, body)
			}
			res, e := auth()
			tc.first.check(t, res, e)
			res, e = auth()
			outcome{code: "temporarily_unavailable", status: http.StatusServiceUnavailable}.check(t, res, e)
		})
	}
}
