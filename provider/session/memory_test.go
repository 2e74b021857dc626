package session_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

func TestMemoryKV(t *testing.T) {
	sessiontest.RunKVTests(t, func(t *testing.T) (session.KV, *sessiontest.FakeClock) {
		m, clock := newMemory(t, session.MemoryOptions{})
		return m, clock
	})
}

func TestMemoryBounded(t *testing.T) {
	const limit = 3
	ctx := context.Background()
	tests := []struct {
		name string
		// prepare runs on a store holding limit entries "k0".."k2", each
		// for a minute except k0, which lives for a second.
		prepare func(t *testing.T, m *session.Memory, clock *sessiontest.FakeClock)
		key     string
		wantErr error
	}{
		{name: "new key refused when full", key: "new", wantErr: session.ErrFull},
		{name: "existing key replaced when full", key: "k1"},
		{
			name:    "expired entry swept to make room",
			prepare: func(_ *testing.T, _ *session.Memory, clock *sessiontest.FakeClock) { clock.Advance(time.Second) },
			key:     "new",
		},
		{
			name: "deleted entry makes room",
			prepare: func(t *testing.T, m *session.Memory, _ *sessiontest.FakeClock) {
				if err := m.Delete(ctx, "k2"); err != nil {
					t.Fatal(err)
				}
			},
			key: "new",
		},
		{
			name: "taken entry makes room",
			prepare: func(t *testing.T, m *session.Memory, _ *sessiontest.FakeClock) {
				if _, err := m.Take(ctx, "k2"); err != nil {
					t.Fatal(err)
				}
			},
			key: "new",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, clock := newMemory(t, session.MemoryOptions{MaxEntries: limit})
			for i := range limit {
				ttl := time.Minute
				if i == 0 {
					ttl = time.Second
				}
				if err := m.Put(ctx, fmt.Sprintf("k%d", i), []byte("v"), ttl); err != nil {
					t.Fatal(err)
				}
			}
			if tc.prepare != nil {
				tc.prepare(t, m, clock)
			}
			err := m.Put(ctx, tc.key, []byte("v"), time.Minute)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Put(%q) = %v, want %v", tc.key, err, tc.wantErr)
			}
			if n := m.Len(); n > limit {
				t.Fatalf("Len() = %d, more than %d", n, limit)
			}
		})
	}
}

func TestMemoryFullIsUnavailable(t *testing.T) {
	if !errors.Is(session.ErrFull, storage.ErrUnavailable) {
		t.Fatal("ErrFull is not storage.ErrUnavailable")
	}
}

func TestMemoryManyDistinctKeysStayBounded(t *testing.T) {
	m, clock := newMemory(t, session.MemoryOptions{MaxEntries: 100})
	ctx := context.Background()
	refused := 0
	for i := range 10_000 {
		err := m.Put(ctx, fmt.Sprintf("flood-%d", i), []byte("v"), time.Minute)
		switch {
		case errors.Is(err, session.ErrFull):
			refused++
		case err != nil:
			t.Fatal(err)
		}
		if i%1000 == 999 {
			clock.Advance(time.Minute) // everything so far expires
		}
	}
	if n := m.Len(); n > 100 {
		t.Fatalf("Len() = %d after a flood, want at most 100", n)
	}
	if refused == 0 {
		t.Fatal("no Put was refused")
	}
}

func TestMemoryValueLimit(t *testing.T) {
	m, _ := newMemory(t, session.MemoryOptions{MaxValueBytes: 8})
	ctx := context.Background()
	tests := []struct {
		name    string
		size    int
		wantErr bool
	}{
		{"at the limit", 8, false},
		{"over the limit", 9, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := m.Put(ctx, "k", make([]byte, tc.size), time.Minute)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Put of %d bytes: %v, want error %v", tc.size, err, tc.wantErr)
			}
		})
	}
}
