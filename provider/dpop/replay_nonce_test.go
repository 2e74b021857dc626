package dpop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

var tokenTarget = Target{Method: "POST", URLs: []string{tokenURL}}

func TestHeaderCount(t *testing.T) {
	c := newChecker(t, nil)
	if _, present, e := c.Check(context.Background(), http.Header{}, tokenTarget); present || e != nil {
		t.Errorf("no header: present %v, %v", present, e)
	}
	p := makeProof(t, proofSpec{})
	if _, _, e := c.Check(context.Background(), header(p, p), tokenTarget); e == nil || e.Code != "invalid_dpop_proof" {
		t.Errorf("two headers: %v", e)
	}
}

// TestReplay: a proof is taken once; the same jti with another key is a
// different proof.
func TestReplay(t *testing.T) {
	c := newChecker(t, nil)
	claims := map[string]any{"jti": "once"}
	p := makeProof(t, proofSpec{claims: claims})
	if _, _, e := c.Check(context.Background(), header(p), tokenTarget); e != nil {
		t.Fatalf("first use: %v", e)
	}
	if _, _, e := c.Check(context.Background(), header(p), tokenTarget); e == nil || !strings.Contains(e.Description, "used before") {
		t.Fatalf("replay: %v", e)
	}
	other := makeProof(t, proofSpec{alg: "EdDSA", claims: claims})
	if _, _, e := c.Check(context.Background(), header(other), tokenTarget); e != nil {
		t.Errorf("same jti, another key: %v", e)
	}
}

// TestReplayAcrossInstances: two checkers sharing one Redis take a proof
// once between them, however the requests race.
func TestReplayAcrossInstances(t *testing.T) {
	srv := redistest.New(t, redistest.Options{})
	instance := func() *Checker {
		rc := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { _ = rc.Close() })
		return newChecker(t, func(o *Options) { o.Replay = session.NewRedis(rc, "gatehouse:") })
	}
	a, b := instance(), instance()
	p := makeProof(t, proofSpec{})
	const n = 16
	var accepted, replayed atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		c := []*Checker{a, b}[i%2]
		wg.Go(func() {
			_, _, e := c.Check(context.Background(), header(p), tokenTarget)
			switch {
			case e == nil:
				accepted.Add(1)
			case strings.Contains(e.Description, "used before"):
				replayed.Add(1)
			default:
				t.Errorf("unexpected: %v", e)
			}
		})
	}
	wg.Wait()
	if accepted.Load() != 1 || replayed.Load() != n-1 {
		t.Fatalf("accepted %d, replayed %d", accepted.Load(), replayed.Load())
	}
}

// TestNonce: with nonces on, a proof without one, with a forged one or
// with one two slots old gets use_dpop_nonce; the current nonce and the
// previous slot's pass; another deployment's key makes other nonces.
func TestNonce(t *testing.T) {
	now := testNow
	key := DeriveNonceKey([]byte("the key set's secret key, 32 bytes"))
	c := newChecker(t, func(o *Options) {
		o.Nonce, o.NonceKey = true, key
		o.Now = func() time.Time { return now }
	})
	fresh := c.Nonce()
	earlier := now
	now = now.Add(DefaultNonceLifetime)
	afterOne := c.Nonce()
	now = earlier.Add(2 * DefaultNonceLifetime)
	twoSlots := c.Nonce()
	now = earlier
	otherDeployment := newChecker(t, func(o *Options) {
		o.Nonce, o.NonceKey = true, DeriveNonceKey([]byte("another deployment's secret key!!"))
		o.Now = func() time.Time { return now }
	}).Nonce()
	tests := []struct {
		name   string
		nonce  any
		at     time.Time
		wantOK bool
	}{
		{"current", fresh, earlier, true},
		{"previous slot", fresh, earlier.Add(DefaultNonceLifetime), true},
		{"two slots old", fresh, earlier.Add(2 * DefaultNonceLifetime), false},
		{"from the future", afterOne, earlier, false},
		{"missing", nil, earlier, false},
		{"forged", strings.Repeat("A", 32), earlier, false},
		{"another deployment", otherDeployment, earlier, false},
		{"not a string", 7, earlier, false},
		{"two slots ahead", twoSlots, earlier, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			cl := map[string]any{"iat": tc.at.Unix()}
			spec := proofSpec{claims: cl}
			if tc.nonce != nil {
				cl["nonce"] = tc.nonce
			}
			_, _, e := c.Check(context.Background(), header(makeProof(t, spec)), tokenTarget)
			switch {
			case tc.wantOK && e != nil:
				t.Errorf("refused: %v", e)
			case !tc.wantOK && (e == nil || (e.Code != "use_dpop_nonce" && e.Code != "invalid_dpop_proof")):
				t.Errorf("got %v, want use_dpop_nonce", e)
			case !tc.wantOK && tc.nonce != 7 && e.Code != "use_dpop_nonce":
				t.Errorf("got %v, want use_dpop_nonce", e)
			}
		})
	}
}

func TestOfferNonce(t *testing.T) {
	off := newChecker(t, nil)
	h := http.Header{}
	off.OfferNonce(h)
	if h.Get(NonceHeader) != "" {
		t.Error("a nonce offered with nonces off")
	}
	on := newChecker(t, func(o *Options) { o.Nonce, o.NonceKey = true, DeriveNonceKey([]byte("k")) })
	on.OfferNonce(h)
	if h.Get(NonceHeader) != on.Nonce() {
		t.Errorf("DPoP-Nonce = %q", h.Get(NonceHeader))
	}
	if _, err := New(Options{Replay: session.NewMemory(session.MemoryOptions{}), Nonce: true}); err == nil {
		t.Error("nonces without a key were accepted")
	}
}

// TestWriteChallenge: resource errors are 401 with a DPoP challenge that
// lists the algorithms; use_dpop_nonce brings a nonce.
func TestWriteChallenge(t *testing.T) {
	c := newChecker(t, func(o *Options) { o.Nonce, o.NonceKey = true, DeriveNonceKey([]byte("k")) })
	p := makeProof(t, proofSpec{})
	_, _, e := c.Check(context.Background(), header(p), tokenTarget)
	if e == nil || e.Code != "use_dpop_nonce" {
		t.Fatalf("check: %v", e)
	}
	w := httptest.NewRecorder()
	c.WriteChallenge(w, e)
	ch := w.Header().Get("WWW-Authenticate")
	if w.Code != http.StatusUnauthorized || !strings.HasPrefix(ch, `DPoP error="use_dpop_nonce"`) ||
		!strings.Contains(ch, `algs="ES256 EdDSA RS256 PS256"`) || w.Header().Get(NonceHeader) == "" {
		t.Errorf("%d %q nonce %q", w.Code, ch, w.Header().Get(NonceHeader))
	}
}

// TestCheckUnusedThenUse: CheckUnused records nothing, so a request that
// is refused later (an unknown client) leaves no record; Use records the
// proof once.
func TestCheckUnusedThenUse(t *testing.T) {
	c := newChecker(t, nil)
	p := makeProof(t, proofSpec{claims: map[string]any{"jti": "later"}})
	ctx := context.Background()
	var proof Proof
	for range 2 {
		got, present, e := c.CheckUnused(ctx, header(p), tokenTarget)
		if e != nil || !present {
			t.Fatalf("CheckUnused: %v %v", present, e)
		}
		proof = got
	}
	if e := c.Use(ctx, proof); e != nil {
		t.Fatalf("first Use: %v", e)
	}
	if e := c.Use(ctx, proof); e == nil || !strings.Contains(e.Description, "used before") {
		t.Fatalf("second Use: %v", e)
	}
	if _, _, e := c.Check(ctx, header(p), tokenTarget); e == nil {
		t.Fatal("Check accepted a proof already used")
	}
}
