package session_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// TestOnceScopes: a pair is accepted once; the same id in another scope,
// or another id in the same scope, is a record of its own; the two
// values cannot be shifted into one another.
func TestOnceScopes(t *testing.T) {
	ctx := context.Background()
	o := session.NewOnce(session.NewMemory(session.MemoryOptions{}), "test/")
	for _, p := range [][2]string{{"issuer-a", "jti"}, {"issuer-b", "jti"}, {"issuer-a", "jti2"}, {"issuer-aj", "ti"}} {
		if err := o.Use(ctx, p[0], p[1], time.Minute); err != nil {
			t.Fatalf("first use of %v: %v", p, err)
		}
	}
	if err := o.Use(ctx, "issuer-a", "jti", time.Minute); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Fatalf("second use: %v, want ErrAlreadyExists", err)
	}
}

// TestOnceRace: of many concurrent uses of one pair exactly one wins, in
// one process (memory, under the lock) and across two stores sharing one
// Redis (Add).
func TestOnceRace(t *testing.T) {
	srv := redistest.New(t, redistest.Options{})
	redisOnce := func() *session.Once {
		r, _ := redisOn(t, srv.Addr, "once-race/")
		return session.NewOnce(r, "test/")
	}
	memory := session.NewOnce(session.NewMemory(session.MemoryOptions{}), "test/")
	for name, onces := range map[string][]*session.Once{
		"memory": {memory, memory},
		"redis":  {redisOnce(), redisOnce()},
	} {
		t.Run(name, func(t *testing.T) {
			var wins atomic.Int32
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Go(func() {
					err := onces[i%2].Use(context.Background(), "scope", "jti", time.Minute)
					switch {
					case err == nil:
						wins.Add(1)
					case !errors.Is(err, storage.ErrAlreadyExists):
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Errorf("%d uses accepted, want 1", wins.Load())
			}
		})
	}
}
