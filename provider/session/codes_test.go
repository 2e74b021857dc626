package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

const codeTTL = time.Minute

func newCodes(t testing.TB) (*session.Codes, *dumpKV, *sessiontest.FakeClock) {
	t.Helper()
	m, clock := newMemory(t, session.MemoryOptions{})
	kv := newDumpKV(m)
	return session.NewCodes(kv, clock.Now), kv, clock
}

func sampleGrant() session.CodeGrant {
	return session.CodeGrant{
		ClientID:            "rp",
		RedirectURI:         "https://rp.example/cb",
		Subject:             "7c1d",
		SessionSID:          "sid-1",
		Nonce:               "n-0S6",
		CodeChallenge:       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256",
		Scopes:              []string{"openid", "email"},
		Claims:              []string{},
		AuthTime:            t0.Add(-time.Minute),
		ACR:                 "1",
		AMR:                 []string{"pwd"},
		Extra:               json.RawMessage(`{"claims":{"id_token":{"email":null}}}`),
	}
}

func mustIssue(t testing.TB, cs *session.Codes, g session.CodeGrant) string {
	t.Helper()
	code, err := cs.Issue(context.Background(), g, codeTTL)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return code
}

func TestCodesIssueRedeem(t *testing.T) {
	cs, kv, clock := newCodes(t)
	clock.Advance(time.Second)
	in := sampleGrant()
	code := mustIssue(t, cs, in)
	if len(code) != 43 {
		t.Fatalf("code %q has %d characters, want 43 (256 bits)", code, len(code))
	}
	kv.requireAbsent(t, code)
	got, err := cs.Redeem(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssuedAt.Equal(clock.Now()) || !got.AuthTime.Equal(in.AuthTime) {
		t.Fatalf("IssuedAt %v, AuthTime %v; want %v, %v", got.IssuedAt, got.AuthTime, clock.Now(), in.AuthTime)
	}
	want := in
	want.IssuedAt, want.AuthTime = got.IssuedAt, got.AuthTime
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
	kv.requireAbsent(t, code) // the replay marker is keyed by hash too
}

func TestCodesUnique(t *testing.T) {
	cs, _, _ := newCodes(t)
	seen := map[string]bool{}
	for range 1000 {
		code := mustIssue(t, cs, sampleGrant())
		if seen[code] {
			t.Fatalf("code %q issued twice", code)
		}
		seen[code] = true
	}
}

func TestCodesRedeemRefused(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// prepare returns the code to present, given a freshly issued one.
		prepare    func(t *testing.T, cs *session.Codes, clock *sessiontest.FakeClock, code string) string
		wantReused bool
	}{
		{name: "unknown", prepare: func(_ *testing.T, _ *session.Codes, _ *sessiontest.FakeClock, _ string) string {
			return "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}},
		{name: "empty", prepare: func(_ *testing.T, _ *session.Codes, _ *sessiontest.FakeClock, _ string) string { return "" }},
		{name: "expired", prepare: func(_ *testing.T, _ *session.Codes, clock *sessiontest.FakeClock, code string) string {
			clock.Advance(codeTTL)
			return code
		}},
		{name: "replayed", wantReused: true, prepare: func(t *testing.T, cs *session.Codes, clock *sessiontest.FakeClock, code string) string {
			redeem(t, cs, code)
			return code
		}},
		{name: "replayed at the end of the marker", wantReused: true, prepare: func(t *testing.T, cs *session.Codes, clock *sessiontest.FakeClock, code string) string {
			redeem(t, cs, code)
			clock.Advance(codeTTL - time.Nanosecond)
			return code
		}},
		{name: "replayed after the marker", prepare: func(t *testing.T, cs *session.Codes, clock *sessiontest.FakeClock, code string) string {
			redeem(t, cs, code)
			clock.Advance(codeTTL)
			return code
		}},
		{name: "redeemed late, replayed", wantReused: true, prepare: func(t *testing.T, cs *session.Codes, clock *sessiontest.FakeClock, code string) string {
			clock.Advance(codeTTL - time.Nanosecond)
			redeem(t, cs, code)
			clock.Advance(codeTTL - time.Nanosecond)
			return code
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, _, clock := newCodes(t)
			code := tc.prepare(t, cs, clock, mustIssue(t, cs, sampleGrant()))
			redeemedAt := clock.Now()
			_, err := cs.Redeem(ctx, code)
			if !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Redeem: %v, want storage.ErrNotFound", err)
			}
			if got := errors.Is(err, session.ErrCodeReused); got != tc.wantReused {
				t.Fatalf("Redeem: %v; ErrCodeReused %v, want %v", err, got, tc.wantReused)
			}
			var reuse *session.ReuseError
			if errors.As(err, &reuse) != tc.wantReused {
				t.Fatalf("Redeem: %v; ReuseError wanted: %v", err, tc.wantReused)
			}
			if reuse != nil {
				g := sampleGrant()
				if reuse.ClientID != g.ClientID || reuse.Subject != g.Subject || reuse.SessionSID != g.SessionSID || reuse.RedeemedAt.After(redeemedAt) {
					t.Fatalf("ReuseError %+v does not name the first redemption", reuse)
				}
			}
		})
	}
}

func redeem(t *testing.T, cs *session.Codes, code string) {
	t.Helper()
	if _, err := cs.Redeem(context.Background(), code); err != nil {
		t.Fatalf("first Redeem: %v", err)
	}
}

func TestCodesIssueBadTTL(t *testing.T) {
	cs, _, _ := newCodes(t)
	for _, ttl := range []time.Duration{0, -time.Second} {
		if code, err := cs.Issue(context.Background(), sampleGrant(), ttl); err == nil {
			t.Errorf("Issue with ttl %v = %q", ttl, code)
		}
	}
}

func TestCodesMalformed(t *testing.T) {
	cs, kv, _ := newCodes(t)
	code := mustIssue(t, cs, sampleGrant())
	kv.corrupt(t, "code:")
	if _, err := cs.Redeem(context.Background(), code); !errors.Is(err, storage.ErrMalformed) {
		t.Fatalf("Redeem: %v, want storage.ErrMalformed", err)
	}
}

// Many requests race to redeem one code: exactly one gets the grant.
func TestCodesConcurrentRedeem(t *testing.T) {
	cs, _, _ := newCodes(t)
	const rounds, racers = 50, 16
	for range rounds {
		code := mustIssue(t, cs, sampleGrant())
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range racers {
			wg.Go(func() {
				<-start
				g, err := cs.Redeem(context.Background(), code)
				switch {
				case err == nil && g.ClientID == "rp":
					wins.Add(1)
				case err == nil:
					t.Errorf("Redeem returned %+v", g)
				case !errors.Is(err, storage.ErrNotFound):
					t.Errorf("Redeem: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("%d of %d concurrent redemptions succeeded, want exactly 1", n, racers)
		}
		if _, err := cs.Redeem(context.Background(), code); !errors.Is(err, session.ErrCodeReused) {
			t.Fatalf("Redeem after the race: %v, want ErrCodeReused", err)
		}
	}
}
