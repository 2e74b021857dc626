package session

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Writes drop expired entries themselves: nobody needs to call Len, and no
// goroutine runs.
func TestMemorySweepsOnWrite(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m := NewMemory(MemoryOptions{Clock: func() time.Time { return now }})
	ctx := context.Background()
	for i := range 100 {
		if err := m.Put(ctx, fmt.Sprintf("k%d", i), []byte("v"), time.Duration(i+1)*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(50 * time.Second) // k0..k49 expire
	if err := m.Put(ctx, "new", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, want := len(m.entries), 51; got != want {
		t.Fatalf("%d entries after a write, want %d", got, want)
	}
	if got := len(m.byExp); got != len(m.entries) {
		t.Fatalf("heap holds %d entries, map %d", got, len(m.entries))
	}
	for i, e := range m.byExp {
		if e.index != i {
			t.Fatalf("entry %q says index %d, is at %d", e.key, e.index, i)
		}
	}
}
