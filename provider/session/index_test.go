package session_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// indexStores are the stores the per-person index must work on: memory,
// and a private redis-server (its entries expire by real time, so the
// clock starts now).
var indexStores = []struct {
	name string
	make func(t *testing.T) (session.KV, *sessiontest.FakeClock)
}{
	{"memory", func(t *testing.T) (session.KV, *sessiontest.FakeClock) {
		m, clock := newMemory(t, session.MemoryOptions{})
		return m, clock
	}},
	{"redis", func(t *testing.T) (session.KV, *sessiontest.FakeClock) {
		r, _ := newRedis(t, "gh:")
		return r, sessiontest.NewFakeClock(time.Now())
	}},
}

func TestSessionIndex(t *testing.T) {
	for _, store := range indexStores {
		t.Run(store.name, func(t *testing.T) {
			kv, clock := store.make(t)
			t.Run("ListAndEnd", func(t *testing.T) { testIndexListAndEnd(t, kv, clock) })
			t.Run("DeleteUnlists", func(t *testing.T) { testIndexDeleteUnlists(t, kv, clock) })
			t.Run("Bounded", func(t *testing.T) { testIndexBounded(t, kv, clock) })
			t.Run("ConcurrentCreate", func(t *testing.T) { testIndexConcurrent(t, kv, clock) })
			t.Run("ModifyError", func(t *testing.T) { testModifyError(t, kv) })
		})
	}
}

func sids(list []session.Session) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.SID
	}
	slices.Sort(out)
	return out
}

func testIndexListAndEnd(t *testing.T, kv session.KV, clock *sessiontest.FakeClock) {
	ctx := context.Background()
	ss := session.NewSessions(kv, lifetime, idle, clock.Now)
	a1 := mustCreate(t, ss, session.Session{Subject: "list-alice", UserAgent: "Firefox " + strings.Repeat("x", 400)})
	a2 := mustCreate(t, ss, session.Session{Subject: "list-alice", UserAgent: "Chromium"})
	b := mustCreate(t, ss, session.Session{Subject: "list-bob"})

	list, err := ss.ListBySubject(ctx, "list-alice")
	if err != nil {
		t.Fatalf("ListBySubject: %v", err)
	}
	if got, want := sids(list), sids([]session.Session{a1, a2}); !slices.Equal(got, want) {
		t.Fatalf("alice's sessions = %v, want %v", got, want)
	}
	for _, s := range list {
		if s.ID != "" || s.Created.IsZero() || s.LastSeen.IsZero() || len(s.UserAgent) > 256 || s.UserAgent == "" {
			t.Errorf("listed %+v: want no ID, times set, a user agent of at most 256 bytes", s)
		}
	}

	if _, err := ss.EndBySID(ctx, "list-alice", b.SID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("EndBySID of bob's session as alice = %v, want ErrNotFound", err)
	}
	if _, err := ss.Get(ctx, b.ID); err != nil {
		t.Errorf("bob's session after alice's attempt: %v", err)
	}
	ended, err := ss.EndBySID(ctx, "list-alice", a1.SID)
	if err != nil || ended.SID != a1.SID || ended.Subject != "list-alice" {
		t.Fatalf("EndBySID = %+v, %v", ended, err)
	}
	if _, err := ss.Get(ctx, a1.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get of the ended session = %v, want ErrNotFound", err)
	}
	a3 := mustCreate(t, ss, session.Session{Subject: "list-alice"})
	all, err := ss.EndAll(ctx, "list-alice", a3.SID)
	if err != nil || !slices.Equal(sids(all), []string{a2.SID}) {
		t.Fatalf("EndAll except a3 = %v, %v; want [%s]", sids(all), err, a2.SID)
	}
	if _, err := ss.Get(ctx, a3.ID); err != nil {
		t.Errorf("the session kept by EndAll: %v", err)
	}
	if all, err := ss.EndAll(ctx, "list-alice", ""); err != nil || len(all) != 1 {
		t.Errorf("EndAll = %v, %v; want the one left", sids(all), err)
	}
	if list, err := ss.ListBySubject(ctx, "list-alice"); err != nil || len(list) != 0 {
		t.Errorf("after EndAll: %v, %v; want none", sids(list), err)
	}
}

func testIndexDeleteUnlists(t *testing.T, kv session.KV, clock *sessiontest.FakeClock) {
	ctx := context.Background()
	ss := session.NewSessions(kv, lifetime, idle, clock.Now)
	s := mustCreate(t, ss, session.Session{Subject: "del-alice"})
	keep := mustCreate(t, ss, session.Session{Subject: "del-alice"})
	if err := ss.Delete(ctx, s.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	list, err := ss.ListBySubject(ctx, "del-alice")
	if err != nil || !slices.Equal(sids(list), []string{keep.SID}) {
		t.Errorf("after Delete: %v, %v; want [%s]", sids(list), err, keep.SID)
	}
}

func testIndexBounded(t *testing.T, kv session.KV, clock *sessiontest.FakeClock) {
	ctx := context.Background()
	ss := session.NewSessions(kv, lifetime, idle, clock.Now)
	var first session.Session
	for i := range session.MaxSessionsPerSubject + 1 {
		s := mustCreate(t, ss, session.Session{Subject: "many"})
		if i == 0 {
			first = s
		}
		clock.Advance(time.Millisecond) // distinct creation times: "oldest" is well defined
	}
	list, err := ss.ListBySubject(ctx, "many")
	if err != nil || len(list) != session.MaxSessionsPerSubject {
		t.Fatalf("listed %d, %v; want %d", len(list), err, session.MaxSessionsPerSubject)
	}
	if slices.Contains(sids(list), first.SID) {
		t.Error("the oldest session is still listed")
	}
	if _, err := ss.Get(ctx, first.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the oldest session past the bound: Get = %v, want ErrNotFound (ended, not merely unlisted)", err)
	}
}

// testIndexConcurrent signs one person in from many goroutines at once:
// no session may go missing from the index (the point of Modify).
func testIndexConcurrent(t *testing.T, kv session.KV, clock *sessiontest.FakeClock) {
	ss := session.NewSessions(kv, lifetime, idle, clock.Now)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := ss.Create(context.Background(), session.Session{Subject: "racer"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
	}
	list, err := ss.ListBySubject(context.Background(), "racer")
	if err != nil || len(list) != n {
		t.Errorf("listed %d, %v; want %d", len(list), err, n)
	}
}

func testModifyError(t *testing.T, kv session.KV) {
	m := kv.(session.Modifier)
	ctx := context.Background()
	mustPutKV(t, kv, "modify-key", "v1")
	boom := errors.New("boom")
	if err := m.Modify(ctx, "modify-key", time.Minute, func([]byte, bool) ([]byte, error) { return []byte("v2"), boom }); !errors.Is(err, boom) {
		t.Errorf("Modify = %v, want the function's error", err)
	}
	if got, err := kv.Get(ctx, "modify-key"); err != nil || string(got) != "v1" {
		t.Errorf("after a failed Modify: %q, %v; want v1 unchanged", got, err)
	}
	if err := m.Modify(ctx, "modify-key", time.Minute, func(old []byte, found bool) ([]byte, error) {
		if !found || string(old) != "v1" {
			t.Errorf("Modify saw %q, %v", old, found)
		}
		return nil, nil
	}); err != nil {
		t.Fatalf("Modify (delete): %v", err)
	}
	if _, err := kv.Get(ctx, "modify-key"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("after Modify returned nil: %v, want ErrNotFound", err)
	}
}

func mustPutKV(t *testing.T, kv session.KV, key, value string) {
	t.Helper()
	if err := kv.Put(context.Background(), key, []byte(value), time.Minute); err != nil {
		t.Fatal(err)
	}
}
