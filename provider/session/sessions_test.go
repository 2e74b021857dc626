package session_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

const (
	lifetime = 8 * time.Hour
	idle     = 30 * time.Minute
)

func newSessions(t *testing.T) (*session.Sessions, *dumpKV, *sessiontest.FakeClock) {
	t.Helper()
	m, clock := newMemory(t, session.MemoryOptions{})
	kv := newDumpKV(m)
	return session.NewSessions(kv, lifetime, idle, clock.Now), kv, clock
}

func mustCreate(t *testing.T, ss *session.Sessions, s session.Session) session.Session {
	t.Helper()
	s, err := ss.Create(context.Background(), s)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return s
}

func TestSessionsCreate(t *testing.T) {
	ss, _, _ := newSessions(t)
	authTime := t0.Add(-time.Minute)
	tests := []struct {
		name         string
		in           session.Session
		wantAuthTime time.Time
	}{
		{"auth time given", session.Session{Subject: "alice", AuthTime: authTime}, authTime},
		{"auth time defaults to now", session.Session{Subject: "alice"}, t0},
		{"id and sid given are replaced", session.Session{ID: "chosen", SID: "chosen", Subject: "alice"}, t0},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustCreate(t, ss, tc.in)
			if len(s.ID) != 43 || len(s.SID) != 22 {
				t.Errorf("ID %q (%d chars), SID %q (%d chars); want 43 and 22", s.ID, len(s.ID), s.SID, len(s.SID))
			}
			if seen[s.ID] || seen[s.SID] || s.ID == s.SID {
				t.Errorf("ID %q or SID %q repeats", s.ID, s.SID)
			}
			seen[s.ID], seen[s.SID] = true, true
			if !s.Created.Equal(t0) || !s.LastSeen.Equal(t0) || !s.AuthTime.Equal(tc.wantAuthTime) {
				t.Errorf("Created %v, LastSeen %v, AuthTime %v; want %v, %v, %v", s.Created, s.LastSeen, s.AuthTime, t0, t0, tc.wantAuthTime)
			}
		})
	}
}

func TestSessionsRoundTrip(t *testing.T) {
	ss, _, _ := newSessions(t)
	tests := []struct {
		name string
		in   session.Session
	}{
		{"full", session.Session{Subject: "7c1d", AuthTime: t0.Add(-time.Second), ACR: "urn:gatehouse:pwd", AMR: []string{"pwd"}, Clients: []string{"a", "b"}}},
		{"nil lists", session.Session{Subject: "7c1d"}},
		{"empty lists", session.Session{Subject: "7c1d", AMR: []string{}, Clients: []string{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := mustCreate(t, ss, tc.in)
			got, err := ss.Get(context.Background(), want.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertSession(t, got, want)
		})
	}
}

func assertSession(t *testing.T, got, want session.Session) {
	t.Helper()
	times := [][2]time.Time{{got.AuthTime, want.AuthTime}, {got.Created, want.Created}, {got.LastSeen, want.LastSeen}}
	for _, p := range times {
		if !p[0].Equal(p[1]) {
			t.Errorf("time %v, want %v", p[0], p[1])
		}
	}
	got.AuthTime, got.Created, got.LastSeen = want.AuthTime, want.Created, want.LastSeen
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestSessionsExpiry(t *testing.T) {
	type step struct {
		advance time.Duration
		touch   bool
	}
	every := func(n int, advance time.Duration) []step {
		s := make([]step, n)
		for i := range s {
			s[i] = step{advance: advance, touch: true}
		}
		return s
	}
	tests := []struct {
		name  string
		steps []step
		alive bool
	}{
		{name: "fresh", alive: true},
		{name: "just short of idle", steps: []step{{advance: idle - time.Nanosecond}}, alive: true},
		{name: "idle timeout reached", steps: []step{{advance: idle}}},
		{name: "touch restarts idle", steps: []step{{advance: 20 * time.Minute, touch: true}, {advance: 20 * time.Minute}}, alive: true},
		{name: "idle after last touch", steps: []step{{advance: 20 * time.Minute, touch: true}, {advance: idle}}},
		// 23 touches at 20 minutes: 7h40m. Then to just short of 8h.
		{name: "kept busy, short of lifetime", steps: append(every(23, 20*time.Minute), step{advance: 20*time.Minute - time.Nanosecond}), alive: true},
		{name: "kept busy, lifetime reached", steps: append(every(23, 20*time.Minute), step{advance: 20 * time.Minute})},
		// A touch at 7h50m must not carry the session past 8h.
		{name: "touch near the end", steps: append(every(23, 20*time.Minute), step{advance: 10 * time.Minute, touch: true}, step{advance: 10 * time.Minute})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ss, _, clock := newSessions(t)
			ctx := context.Background()
			s := mustCreate(t, ss, session.Session{Subject: "alice"})
			for i, st := range tc.steps {
				clock.Advance(st.advance)
				if st.touch {
					if err := ss.Touch(ctx, s.ID); err != nil {
						t.Fatalf("step %d: Touch: %v", i, err)
					}
				}
			}
			got, err := ss.Get(ctx, s.ID)
			switch {
			case tc.alive && err != nil:
				t.Fatalf("Get: %v, want the session", err)
			case tc.alive && !got.LastSeen.After(clock.Now().Add(-idle)):
				t.Fatalf("LastSeen %v is not within the idle timeout of %v", got.LastSeen, clock.Now())
			case !tc.alive && !errors.Is(err, storage.ErrNotFound):
				t.Fatalf("Get: %v, want storage.ErrNotFound", err)
			}
			if !tc.alive {
				if err := ss.Touch(ctx, s.ID); !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("Touch of an expired session: %v, want storage.ErrNotFound", err)
				}
			}
		})
	}
}

func TestSessionsUpdate(t *testing.T) {
	ctx := context.Background()
	t.Run("keeps identity and start, replaces the rest", func(t *testing.T) {
		ss, _, clock := newSessions(t)
		s := mustCreate(t, ss, session.Session{Subject: "alice", AMR: []string{"pwd"}})
		clock.Advance(time.Minute)
		changed := s
		changed.SID, changed.Created, changed.LastSeen = "forged", t0.Add(time.Hour), t0.Add(time.Hour)
		changed.AuthTime, changed.ACR, changed.AMR, changed.Clients = clock.Now(), "2", []string{"pwd", "otp"}, []string{"rp"}
		if err := ss.Update(ctx, changed); err != nil {
			t.Fatal(err)
		}
		got, err := ss.Get(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := changed
		want.SID, want.Created, want.LastSeen = s.SID, s.Created, s.LastSeen
		assertSession(t, got, want)
	})
	t.Run("does not count as activity", func(t *testing.T) {
		ss, _, clock := newSessions(t)
		s := mustCreate(t, ss, session.Session{Subject: "alice"})
		clock.Advance(idle - time.Minute)
		if err := ss.Update(ctx, s); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if _, err := ss.Get(ctx, s.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("Get: %v, want storage.ErrNotFound", err)
		}
	})
	t.Run("touch keeps a concurrent update", func(t *testing.T) {
		ss, _, clock := newSessions(t)
		s := mustCreate(t, ss, session.Session{Subject: "alice"})
		s.Clients = []string{"rp"}
		if err := ss.Update(ctx, s); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if err := ss.Touch(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		got, err := ss.Get(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Clients, []string{"rp"}) || !got.LastSeen.Equal(clock.Now()) {
			t.Fatalf("Clients %q, LastSeen %v; want [rp], %v", got.Clients, got.LastSeen, clock.Now())
		}
	})

	errs := []struct {
		name    string
		change  func(ss *session.Sessions, s *session.Session, clock *sessiontest.FakeClock)
		wantErr error
	}{
		{"other subject", func(_ *session.Sessions, s *session.Session, _ *sessiontest.FakeClock) { s.Subject = "mallory" }, session.ErrSubjectChanged},
		{"unknown id", func(_ *session.Sessions, s *session.Session, _ *sessiontest.FakeClock) { s.ID = "unknown" }, storage.ErrNotFound},
		{"expired", func(_ *session.Sessions, _ *session.Session, clock *sessiontest.FakeClock) { clock.Advance(idle) }, storage.ErrNotFound},
		{"deleted", func(ss *session.Sessions, s *session.Session, _ *sessiontest.FakeClock) { _ = ss.Delete(ctx, s.ID) }, storage.ErrNotFound},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			ss, _, clock := newSessions(t)
			s := mustCreate(t, ss, session.Session{Subject: "alice"})
			tc.change(ss, &s, clock)
			if err := ss.Update(ctx, s); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Update: %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestSessionsDelete(t *testing.T) {
	ss, _, _ := newSessions(t)
	ctx := context.Background()
	s := mustCreate(t, ss, session.Session{Subject: "alice"})
	other := mustCreate(t, ss, session.Session{Subject: "alice"})
	if err := ss.Delete(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Get(ctx, s.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want storage.ErrNotFound", err)
	}
	if _, err := ss.Get(ctx, other.ID); err != nil {
		t.Fatalf("the other session: %v", err)
	}
	for _, id := range []string{s.ID, "", "never"} {
		if err := ss.Delete(ctx, id); err != nil {
			t.Errorf("Delete(%q): %v", id, err)
		}
	}
}

func TestSessionsGetUnknown(t *testing.T) {
	ss, _, _ := newSessions(t)
	mustCreate(t, ss, session.Session{Subject: "alice"})
	for _, id := range []string{"", "x", "seen:", "session:"} {
		if _, err := ss.Get(context.Background(), id); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Get(%q): %v, want storage.ErrNotFound", id, err)
		}
	}
}

func TestSessionsCookieValueNotStored(t *testing.T) {
	ss, kv, _ := newSessions(t)
	s := mustCreate(t, ss, session.Session{Subject: "alice"})
	if err := ss.Touch(context.Background(), s.ID); err != nil {
		t.Fatal(err)
	}
	if err := ss.Update(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	kv.requireAbsent(t, s.ID)
}

func TestSessionsMalformed(t *testing.T) {
	for _, prefix := range []string{"session:", "seen:"} {
		t.Run(prefix, func(t *testing.T) {
			ss, kv, _ := newSessions(t)
			s := mustCreate(t, ss, session.Session{Subject: "alice"})
			kv.corrupt(t, prefix)
			if _, err := ss.Get(context.Background(), s.ID); !errors.Is(err, storage.ErrMalformed) {
				t.Fatalf("Get: %v, want storage.ErrMalformed", err)
			}
		})
	}
}

func TestSessionsDefaults(t *testing.T) {
	m, clock := newMemory(t, session.MemoryOptions{})
	ctx := context.Background()
	tests := []struct {
		name           string
		lifetime, idle time.Duration
		deadAfter      time.Duration
	}{
		{"zero takes defaults", 0, 0, session.DefaultIdleTimeout},
		{"idle capped at lifetime", time.Minute, time.Hour, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ss := session.NewSessions(m, tc.lifetime, tc.idle, clock.Now)
			s := mustCreate(t, ss, session.Session{Subject: "alice"})
			clock.Advance(tc.deadAfter - time.Nanosecond)
			if _, err := ss.Get(ctx, s.ID); err != nil {
				t.Fatalf("Get before %v: %v", tc.deadAfter, err)
			}
			clock.Advance(time.Nanosecond)
			if _, err := ss.Get(ctx, s.ID); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Get at %v: %v, want storage.ErrNotFound", tc.deadAfter, err)
			}
		})
	}
}
