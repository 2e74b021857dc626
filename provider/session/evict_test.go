package session_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// evicted records what OnEvicted heard, and whether the record of the
// watched session was still stored when it was heard of.
type evicted struct {
	mu     sync.Mutex
	kv     session.KV
	record string // the watched session's record key
	heard  []session.Session
	errs   []error
	stored []bool
}

func (ev *evicted) hear(ctx context.Context, s session.Session, err error) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	_, gerr := ev.kv.Get(ctx, ev.record)
	ev.heard, ev.errs = append(ev.heard, s), append(ev.errs, err)
	ev.stored = append(ev.stored, !errors.Is(gerr, storage.ErrNotFound))
}

// recordKey is the key of the record of the session with cookie id.
func recordKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "session:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestEviction: a sign-in past MaxSessionsPerSubject ends the oldest
// session and hands its record, read before the delete, to OnEvicted —
// on each store, since Modify differs between them. A session that had
// already expired is not handed on (expiry sends no logout); one whose
// record cannot be read is, with the error, its SID from the index.
func TestEviction(t *testing.T) {
	cases := []struct {
		name string
		// spoil changes the first session before the others are created.
		spoil   func(t *testing.T, kv session.KV, clock *sessiontest.FakeClock, first session.Session)
		told    bool
		wantErr bool
	}{
		{name: "live", told: true},
		{name: "expired", spoil: func(_ *testing.T, _ session.KV, clock *sessiontest.FakeClock, _ session.Session) {
			clock.Advance(idle + time.Second)
		}},
		{name: "unreadable", told: true, wantErr: true, spoil: func(t *testing.T, kv session.KV, _ *sessiontest.FakeClock, first session.Session) {
			if err := kv.Put(context.Background(), recordKey(first.ID), []byte("{not json"), time.Hour); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, store := range indexStores {
		t.Run(store.name, func(t *testing.T) {
			kv, clock := store.make(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					ctx := context.Background()
					subject := "evict-" + store.name + "-" + tc.name
					ss := session.NewSessions(kv, lifetime, idle, clock.Now)
					ev := &evicted{kv: kv}
					ss.OnEvicted(ev.hear)
					first := mustCreate(t, ss, session.Session{Subject: subject, Clients: []string{"rp-one", "rp-two"}})
					ev.record = recordKey(first.ID)
					if tc.spoil != nil {
						tc.spoil(t, kv, clock, first)
					}
					for range session.MaxSessionsPerSubject {
						clock.Advance(time.Millisecond) // distinct creation times: "oldest" is well defined
						mustCreate(t, ss, session.Session{Subject: subject, Clients: []string{"rp-one"}})
					}
					if _, err := ss.Get(ctx, first.ID); !errors.Is(err, storage.ErrNotFound) {
						t.Errorf("the oldest session: Get = %v, want ErrNotFound", err)
					}
					if !tc.told {
						if len(ev.heard) != 0 {
							t.Errorf("OnEvicted heard %+v, want nothing", ev.heard)
						}
						return
					}
					if len(ev.heard) != 1 {
						t.Fatalf("OnEvicted heard %d sessions, want 1 (the oldest)", len(ev.heard))
					}
					got := ev.heard[0]
					if got.Subject != subject || got.SID != first.SID {
						t.Errorf("evicted sub %q sid %q, want %q %q", got.Subject, got.SID, subject, first.SID)
					}
					if ev.stored[0] {
						t.Error("OnEvicted was told while the session's record was still stored: want it ended first")
					}
					if tc.wantErr {
						if ev.errs[0] == nil || got.Clients != nil {
							t.Errorf("unreadable: err %v, clients %v; want an error and no clients", ev.errs[0], got.Clients)
						}
						return
					}
					if ev.errs[0] != nil || !slices.Equal(got.Clients, []string{"rp-one", "rp-two"}) {
						t.Errorf("evicted clients %v, err %v; want the record's [rp-one rp-two]", got.Clients, ev.errs[0])
					}
				})
			}
		})
	}
}
