package logout

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// An openly registered client whose backchannel_logout_uri names a host
// that resolves to loopback gets nothing: the dial is refused, once, as
// a permanent failure. A client the administrator registered is still
// delivered to on loopback, in the same logout.
func TestDeliverGuardsOpenClients(t *testing.T) {
	keys, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	minter, err := tokens.New(tokens.Options{Issuer: testIssuer, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{tokens: make(chan string, 10)}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	open := oauth.Metadata{BackchannelLogoutURI: "http://localhost:" + u.Port() + "/bc"}
	open.MarkOpenlyRegistered()
	clients := map[string]oauth.Client{
		"open-rp":  {ID: "open-rp", Metadata: open},
		"admin-rp": {ID: "admin-rp", Metadata: oauth.Metadata{BackchannelLogoutURI: srv.URL + "/bc"}},
	}
	rec := &events{backchannel: make(chan struct{}, 10)}
	q := NewMemory(0, nil)
	d := &Deliverer{
		Queue: q, Minter: minter,
		Clients: func(_ context.Context, id string) (oauth.Client, error) {
			c, ok := clients[id]
			if !ok {
				return oauth.Client{}, storage.ErrNotFound
			}
			return c, nil
		},
		// A retry would be recorded at once, and tried only much later.
		Attempts: 5, RetryDelay: time.Hour, Poll: 5 * time.Millisecond, Timeout: 5 * time.Second,
		Workers: 2, Audit: rec,
	}
	n := NewNotifier(Notifier{Queue: q, Clients: d.Clients, Issuer: testIssuer, Audit: rec})
	n.SessionEnded(context.Background(), Ended{Subject: "alice", SID: "sid-1", Clients: []string{"open-rp", "admin-rp"}})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	var tok string
	select {
	case tok = <-rc.tokens:
	case <-time.After(10 * time.Second):
		t.Fatal("the administrator's client got no logout token")
	}
	for range 2 {
		select {
		case <-rec.backchannel:
		case <-time.After(10 * time.Second):
			t.Fatal("no audit event")
		}
	}
	cancel()
	<-done
	checkLogoutToken(t, keys, tok, "admin-rp", "alice", "sid-1")
	select {
	case extra := <-rc.tokens:
		t.Errorf("a second POST reached loopback: %.20s…", extra)
	default:
	}
	got := map[string][]string{}
	rec.mu.Lock()
	for _, ev := range rec.all {
		if ev.Type == audit.TypeBackchannelLogout {
			got[ev.ClientID] = append(got[ev.ClientID], ev.Outcome)
		}
	}
	rec.mu.Unlock()
	if !equal(got["open-rp"], []string{OutcomeFailed}) {
		t.Errorf("open-rp outcomes %v, want one %q and no retry", got["open-rp"], OutcomeFailed)
	}
	if !equal(got["admin-rp"], []string{OutcomeDelivered}) {
		t.Errorf("admin-rp outcomes %v, want %q", got["admin-rp"], OutcomeDelivered)
	}
}
