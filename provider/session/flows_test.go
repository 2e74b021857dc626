package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

func newFlows(t *testing.T) (*session.Flows, *dumpKV, *sessiontest.FakeClock) {
	t.Helper()
	m, clock := newMemory(t, session.MemoryOptions{})
	kv := newDumpKV(m)
	return session.NewFlows(kv, 0, clock.Now), kv, clock
}

func mustPutFlow(t *testing.T, fs *session.Flows, f session.Flow) session.Flow {
	t.Helper()
	f, err := fs.Put(context.Background(), f)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return f
}

func TestFlowsRoundTrip(t *testing.T) {
	fs, kv, _ := newFlows(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   session.Flow
	}{
		{"request", session.Flow{ClientID: "rp", Request: json.RawMessage(`{"scope":["openid"],"state":"s"}`), LoginHint: "alice"}},
		{"no request", session.Flow{ClientID: "rp"}},
		{"signed in", session.Flow{ClientID: "rp", Subject: "7c1d", AuthTime: t0.Add(-time.Second)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			put := mustPutFlow(t, fs, tc.in)
			if len(put.ID) != 43 || !put.Created.Equal(t0) {
				t.Fatalf("ID %q, Created %v; want 43 chars, %v", put.ID, put.Created, t0)
			}
			got, err := fs.Get(ctx, put.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != put.ID || got.ClientID != tc.in.ClientID || string(got.Request) != string(tc.in.Request) ||
				got.LoginHint != tc.in.LoginHint || got.Subject != tc.in.Subject ||
				!got.AuthTime.Equal(tc.in.AuthTime) || !got.Created.Equal(t0) {
				t.Fatalf("got %+v, want %+v", got, put)
			}
			if (got.Request == nil) != (tc.in.Request == nil) {
				t.Fatalf("Request %q, put %q", got.Request, tc.in.Request)
			}
			kv.requireAbsent(t, put.ID)
		})
	}
}

func TestFlowsLifetime(t *testing.T) {
	ctx := context.Background()
	type step struct {
		advance time.Duration
		replace bool
	}
	tests := []struct {
		name        string
		steps       []step
		alive       bool
		wantReplace error // of the last step that replaces
	}{
		{name: "fresh", alive: true},
		{name: "just short of ten minutes", steps: []step{{advance: 10*time.Minute - time.Nanosecond}}, alive: true},
		{name: "ten minutes", steps: []step{{advance: 10 * time.Minute}}},
		{name: "replacing keeps the deadline", steps: []step{{advance: 9 * time.Minute, replace: true}, {advance: time.Minute}}},
		{name: "replaced flow alive until the deadline", steps: []step{{advance: 9 * time.Minute, replace: true}, {advance: time.Minute - time.Nanosecond}}, alive: true},
		{name: "replacing an expired flow", steps: []step{{advance: 10 * time.Minute, replace: true}}, wantReplace: storage.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, _, clock := newFlows(t)
			f := mustPutFlow(t, fs, session.Flow{ClientID: "rp"})
			for _, st := range tc.steps {
				clock.Advance(st.advance)
				if st.replace {
					next := f
					next.Subject, next.Created = "7c1d", clock.Now() // Created is not the caller's to move
					if _, err := fs.Put(ctx, next); !errors.Is(err, tc.wantReplace) {
						t.Fatalf("replacing Put: %v, want %v", err, tc.wantReplace)
					}
				}
			}
			got, err := fs.Get(ctx, f.ID)
			switch {
			case tc.alive && err != nil:
				t.Fatalf("Get: %v", err)
			case !tc.alive && !errors.Is(err, storage.ErrNotFound):
				t.Fatalf("Get: %v, want storage.ErrNotFound", err)
			case tc.alive && !got.Created.Equal(t0):
				t.Fatalf("Created moved to %v", got.Created)
			}
		})
	}
}

func TestFlowsReplaceUnknown(t *testing.T) {
	fs, _, _ := newFlows(t)
	if _, err := fs.Put(context.Background(), session.Flow{ID: "made-up", ClientID: "rp"}); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Put with an unknown ID: %v, want storage.ErrNotFound", err)
	}
}

func TestFlowsTakeAndDelete(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		end  func(fs *session.Flows, id string) error
	}{
		{"take", func(fs *session.Flows, id string) error {
			f, err := fs.Take(ctx, id)
			if err == nil && f.ID != id {
				return errors.New("Take returned another flow")
			}
			return err
		}},
		{"delete", func(fs *session.Flows, id string) error { return fs.Delete(ctx, id) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, _, _ := newFlows(t)
			f := mustPutFlow(t, fs, session.Flow{ClientID: "rp"})
			other := mustPutFlow(t, fs, session.Flow{ClientID: "rp"})
			if err := tc.end(fs, f.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := fs.Get(ctx, f.ID); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Get of an ended flow: %v", err)
			}
			if _, err := fs.Take(ctx, f.ID); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Take of an ended flow: %v", err)
			}
			if _, err := fs.Get(ctx, other.ID); err != nil {
				t.Fatalf("the other flow: %v", err)
			}
		})
	}
}

func TestFlowsMalformed(t *testing.T) {
	fs, kv, _ := newFlows(t)
	f := mustPutFlow(t, fs, session.Flow{ClientID: "rp"})
	kv.corrupt(t, "flow:")
	if _, err := fs.Get(context.Background(), f.ID); !errors.Is(err, storage.ErrMalformed) {
		t.Fatalf("Get: %v, want storage.ErrMalformed", err)
	}
}
