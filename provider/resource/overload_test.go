package resource

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
)

// TestIntrospectOverloaded: while a slow secret check holds the only
// slot, and no caller may queue for it, a client whose own secret check
// needs a slot is answered at once with 503 temporarily_unavailable —
// an overload, not a wrong secret.
func TestIntrospectOverloaded(t *testing.T) {
	fx, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	// The cost travels in the stored value: a quarter of a second or so.
	slowCodec, err := secrets.New(secrets.Params{MemoryKiB: 32 << 10, Iterations: 8, Parallelism: 1}, make([]byte, 32), "k")
	if err != nil {
		t.Fatal(err)
	}
	slowHash, err := slowCodec.Hash("slow-secret")
	if err != nil {
		t.Fatal(err)
	}
	slow := oauth.Client{ID: "slow", Secret: slowHash}
	e := newEnv(t, func(o *Options) {
		lookup := func(ctx context.Context, id string) (oauth.Client, error) {
			if id == slow.ID {
				return slow, nil
			}
			return o.Clients(ctx, id)
		}
		auth, err := clientauth.New(clientauth.Options{
			Clients: lookup, Codec: fx.codec, Issuer: issuer, Now: o.Now,
			// No cache: every check of rp's secret needs the slot.
			Verifier: secrets.NewVerifier(fx.codec, secrets.VerifierOptions{MaxConcurrent: 1, MaxQueued: -1, CacheSize: -1}),
			Methods:  []string{clientauth.MethodSecretBasic},
		})
		if err != nil {
			t.Fatal(err)
		}
		o.Authenticator = auth
	})
	tok := e.accessToken(rp, "openid")

	// The slow check runs until the loop below sees the overload; it may
	// itself find the slot taken by one of rp's checks, and then tries
	// again.
	slowDone := make(chan int)
	startSlow := func() {
		go func() {
			r := clientPost("/token/introspect", "", url.Values{"token": {tok}})
			r.SetBasicAuth(slow.ID, "slow-secret")
			slowDone <- do(e.handler.Introspect, r).Code
		}()
	}
	startSlow()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		rec := do(e.handler.Introspect, clientPost("/token/introspect", rp, url.Values{"token": {tok}}).WithContext(ctx))
		ended := ctx.Err()
		cancel()
		if rec.Code == http.StatusServiceUnavailable {
			if body := decode(t, rec.Body.Bytes()); body["error"] != "temporarily_unavailable" {
				t.Errorf("503 with %v", body)
			}
			if ended != nil {
				t.Error("the overloaded request waited until its deadline")
			}
			break
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("introspection while the slot may be taken: %d %s", rec.Code, rec.Body)
		}
		select {
		case code := <-slowDone:
			if code != http.StatusServiceUnavailable {
				t.Fatalf("the slow check ended (%d) before an overload was seen", code)
			}
			startSlow()
		default:
		}
	}
	if code := <-slowDone; code != http.StatusOK {
		t.Errorf("the slow client's introspection: %d", code)
	}
}
