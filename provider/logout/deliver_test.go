package logout

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

const testIssuer = "https://op.example"

// receiver is a client's back-channel logout endpoint that answers with
// the given statuses in turn (200 once they run out) and hands each
// logout token it gets to tokens.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	tokens   chan string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok := r.PostFormValue("logout_token")
	rc.mu.Lock()
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
	rc.tokens <- tok
}

// events records audit events.
type events struct {
	mu  sync.Mutex
	all []audit.Event
	// backchannel hears of each TypeBackchannelLogout event.
	backchannel chan struct{}
}

func (e *events) Record(_ context.Context, ev audit.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
	if ev.Type == audit.TypeBackchannelLogout {
		e.backchannel <- struct{}{}
	}
}

func (e *events) outcomes(typ string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		if ev.Type == typ {
			out = append(out, ev.Outcome)
		}
	}
	return out
}

// refreshEnds records EndSessionRefresh calls.
type refreshEnds struct {
	mu    sync.Mutex
	calls []string
}

func (r *refreshEnds) EndSessionRefresh(_ context.Context, sub, clientID, sid string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, sub+"/"+clientID+"/"+sid)
	return true, nil
}

func TestDeliver(t *testing.T) {
	keys, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	minter, err := tokens.New(tokens.Options{Issuer: testIssuer, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		statuses []int
		attempts int
		posts    int      // POSTs the client sees
		outcomes []string // audit outcomes, in order
	}{
		{name: "delivered at once", posts: 1, attempts: 3, outcomes: []string{OutcomeDelivered}},
		{name: "500 then success", statuses: []int{500}, attempts: 3, posts: 2, outcomes: []string{OutcomeRetry, OutcomeDelivered}},
		{name: "gives up after the bound", statuses: []int{500, 503, 500, 500}, attempts: 3, posts: 3,
			outcomes: []string{OutcomeRetry, OutcomeRetry, OutcomeFailed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := &receiver{statuses: tc.statuses, tokens: make(chan string, 10)}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			client := oauth.Client{ID: "rp1", Metadata: oauth.Metadata{BackchannelLogoutURI: srv.URL + "/bc"}}
			q := NewMemory(0, nil)
			rec := &events{backchannel: make(chan struct{}, 10)}
			refresh := &refreshEnds{}
			d := &Deliverer{
				Queue: q, Minter: minter, Refresh: refresh,
				Clients: func(_ context.Context, id string) (oauth.Client, error) {
					if id != client.ID {
						return oauth.Client{}, storage.ErrNotFound
					}
					return client, nil
				},
				Attempts: tc.attempts, RetryDelay: time.Millisecond, Poll: 5 * time.Millisecond, Timeout: 5 * time.Second,
				Workers: 2, Audit: rec,
			}
			n := NewNotifier(Notifier{Queue: q, Clients: d.Clients, Issuer: testIssuer, Audit: rec})
			n.SessionEnded(context.Background(), Ended{Subject: "alice", SID: "sid-1", Clients: []string{"rp1"}})

			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { d.Run(ctx); close(done) }()
			var last string
			for range tc.posts {
				select {
				case last = <-rc.tokens:
				case <-time.After(10 * time.Second):
					t.Fatal("no logout token arrived")
				}
			}
			// The last outcome is recorded after the last POST is answered.
			for range tc.outcomes {
				select {
				case <-rec.backchannel:
				case <-time.After(10 * time.Second):
					t.Fatal("no audit event")
				}
			}
			cancel()
			<-done
			select {
			case extra := <-rc.tokens:
				t.Errorf("a POST past the bound: %.20s…", extra)
			default:
			}
			if got := rec.outcomes(audit.TypeBackchannelLogout); !equal(got, tc.outcomes) {
				t.Errorf("audit outcomes %v, want %v", got, tc.outcomes)
			}
			if len(refresh.calls) != 1 || refresh.calls[0] != "alice/rp1/sid-1" {
				t.Errorf("refresh tokens ended %v, want once for alice/rp1/sid-1", refresh.calls)
			}
			checkLogoutToken(t, keys, last, "rp1", "alice", "sid-1")
		})
	}
}

// checkLogoutToken verifies tok as a client would (Back-Channel Logout
// §2.6).
func checkLogoutToken(t *testing.T, keys *keyset.Set, tok, aud, sub, sid string) {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("logout token: %v", err)
	}
	if typ := parsed.Headers[0].ExtraHeaders[jose.HeaderType]; typ != tokens.LogoutTokenType {
		t.Errorf("typ = %v", typ)
	}
	var claims map[string]any
	pub := keys.Public()
	if err := parsed.Claims(&pub, &claims); err != nil {
		t.Fatalf("logout token signature: %v", err)
	}
	for k, v := range map[string]any{"iss": testIssuer, "aud": aud, "sub": sub, "sid": sid} {
		if claims[k] != v {
			t.Errorf("%s = %v, want %v", k, claims[k], v)
		}
	}
	if _, ok := claims["nonce"]; ok {
		t.Error("a logout token with a nonce")
	}
	if ev, _ := claims["events"].(map[string]any); ev[tokens.BackchannelLogoutEvent] == nil {
		t.Errorf("events = %v", claims["events"])
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFrontChannelURLs(t *testing.T) {
	clients := map[string]oauth.Client{
		"fc":   {ID: "fc", Metadata: oauth.Metadata{FrontchannelLogoutURI: "https://rp.example/fc?x=1"}},
		"none": {ID: "none"},
	}
	n := NewNotifier(Notifier{Queue: NewMemory(0, nil), Issuer: testIssuer,
		Clients: func(_ context.Context, id string) (oauth.Client, error) {
			c, ok := clients[id]
			if !ok {
				return oauth.Client{}, storage.ErrNotFound
			}
			return c, nil
		}})
	got := n.SessionEnded(context.Background(), Ended{Subject: "s", SID: "sid-9", Clients: []string{"fc", "none", "gone"}})
	want := []string{"https://rp.example/fc?iss=https%3A%2F%2Fop.example&sid=sid-9&x=1"}
	if !equal(got, want) {
		t.Errorf("frames %v, want %v", got, want)
	}
}
