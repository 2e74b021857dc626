package logout

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// TestSessionEvicted: an evicted session queues the back-channel job of
// each of its clients, looks no client up (there are no front-channel
// frames to load) and is audited as a logout with Detail evicted; one
// whose record could not be read queues nothing and is audited as a
// dropped back-channel logout.
func TestSessionEvicted(t *testing.T) {
	tests := []struct {
		name     string
		readErr  error
		jobs     []string // client ids queued
		wantType string   // the audit event
		outcome  string
		detail   string
	}{
		{name: "read", jobs: []string{"rp1", "rp2"}, wantType: audit.TypeLogout, detail: DetailEvicted},
		{name: "unreadable", readErr: errors.New("malformed session"), wantType: audit.TypeBackchannelLogout,
			outcome: OutcomeDropped, detail: "the evicted session could not be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			q := NewMemory(0, nil)
			rec := &events{backchannel: make(chan struct{}, 10)}
			n := NewNotifier(Notifier{Queue: q, Issuer: testIssuer, Audit: rec,
				Clients: func(_ context.Context, id string) (oauth.Client, error) {
					t.Errorf("client %s looked up for an eviction", id)
					return oauth.Client{}, nil
				}})
			n.SessionEvicted(ctx, Ended{Subject: "alice", SID: "sid-7", Clients: []string{"rp1", "rp2"}}, tc.readErr)

			var got []string
			for {
				j, err := q.Take(ctx, time.Minute)
				if errors.Is(err, ErrEmpty) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if j.Subject != "alice" || j.SID != "sid-7" || j.RefreshEnded {
					t.Errorf("job %+v, want alice/sid-7 with its refresh tokens still to end", j)
				}
				got = append(got, j.ClientID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.jobs) {
				t.Errorf("jobs for %v, want %v", got, tc.jobs)
			}
			if len(rec.all) != 1 {
				t.Fatalf("audit events %+v, want one", rec.all)
			}
			if ev := rec.all[0]; ev.Type != tc.wantType || ev.Outcome != tc.outcome || ev.Detail != tc.detail || ev.Subject != "alice" {
				t.Errorf("audit %+v, want type %s outcome %q detail %q", ev, tc.wantType, tc.outcome, tc.detail)
			}
		})
	}
}
