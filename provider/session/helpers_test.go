package session_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newMemory(t testing.TB, opts session.MemoryOptions) (*session.Memory, *sessiontest.FakeClock) {
	t.Helper()
	clock := sessiontest.NewFakeClock(t0)
	opts.Clock = clock.Now
	return session.NewMemory(opts), clock
}

// dumpKV is a KV that remembers every key and value written through it,
// as an attacker with a copy of the store would see them.
type dumpKV struct {
	session.KV
	mu     sync.Mutex
	writes map[string][]byte
}

func newDumpKV(kv session.KV) *dumpKV { return &dumpKV{KV: kv, writes: map[string][]byte{}} }

func (d *dumpKV) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	d.mu.Lock()
	d.writes[key] = append([]byte(nil), value...)
	d.mu.Unlock()
	return d.KV.Put(ctx, key, value, ttl)
}

// requireAbsent fails when secret appears in any key or value written.
func (d *dumpKV) requireAbsent(t *testing.T, secret string) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.writes) == 0 {
		t.Fatal("nothing was written")
	}
	for k, v := range d.writes {
		if strings.Contains(k, secret) || strings.Contains(string(v), secret) {
			t.Fatalf("secret %q is in the store: %q = %q", secret, k, v)
		}
	}
}

// corrupt overwrites every written key that starts with prefix.
func (d *dumpKV) corrupt(t *testing.T, prefix string) {
	t.Helper()
	d.mu.Lock()
	keys := make([]string, 0, len(d.writes))
	for k := range d.writes {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	d.mu.Unlock()
	if len(keys) == 0 {
		t.Fatalf("no key starts with %q", prefix)
	}
	for _, k := range keys {
		if err := d.KV.Put(context.Background(), k, []byte("{not json"), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
}
