package clientauth

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// TestJTIReplayAcrossInstances: two instances, each with its own client
// of one real Redis, race with the same private_key_jwt assertion; exactly
// one of the attempts is accepted (SET NX PX in session.Redis.Add).
func TestJTIReplayAcrossInstances(t *testing.T) {
	srv := redistest.New(t, redistest.Options{})
	instance := func() *fixture {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { _ = c.Close() })
		return newFixture(t, func(o *Options) { o.Replay = session.NewRedis(c, "gatehouse:") })
	}
	a, b := instance(), instance()
	keys := testKeys()
	body := assertionForm(sign(t, "RS256", keys.rsa, "rsa-1", claims("pk", a.clock.Now(), nil)))
	const n = 20
	var accepted, replayed atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		auth := []*Authenticator{a.auth, b.auth}[i%2]
		wg.Go(func() {
			res, e := auth.Authenticate(context.Background(), http.Header{}, body)
			switch {
			case e == nil && res.Method == MethodPrivateKeyJWT:
				accepted.Add(1)
			case e != nil && errors.Is(e, errReplayed):
				replayed.Add(1)
			default:
				t.Errorf("unexpected answer: %+v, %v", res, e)
			}
		})
	}
	wg.Wait()
	if accepted.Load() != 1 || replayed.Load() != n-1 {
		t.Fatalf("accepted %d, replayed %d; want 1 and %d", accepted.Load(), replayed.Load(), n-1)
	}
}
