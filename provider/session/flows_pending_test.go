package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

var (
	flooder   = netip.MustParseAddr("192.0.2.66")
	neighbour = netip.MustParseAddr("192.0.2.67")
	// Two addresses in one IPv6 /64 count as one.
	v6a = netip.MustParseAddr("2001:db8:1:2::1")
	v6b = netip.MustParseAddr("2001:db8:1:2:ffff::9")
)

func TestFlowsBounded(t *testing.T) {
	backends := []struct {
		name  string
		newKV newEvictable
	}{
		{"memory", memoryEvictable},
		{"redis", redisEvictable(t)},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { runFlowBoundTests(t, b.newKV) })
	}
}

func runFlowBoundTests(t *testing.T, newKV newEvictable) {
	ctx := context.Background()
	limits := session.PendingLimits{Max: 8, PerGroup: 4}
	flood := func(t *testing.T, fs *session.Flows, from netip.Addr, n int) {
		t.Helper()
		for range n {
			if _, err := fs.Put(ctx, session.Flow{ClientID: "rp", Origin: from}); err != nil {
				t.Fatalf("flood Put: %v", err)
			}
		}
	}
	alive := func(t *testing.T, fs *session.Flows, f session.Flow, want bool) {
		t.Helper()
		_, err := fs.Get(ctx, f.ID)
		switch {
		case want && err != nil:
			t.Fatalf("flow from %v: %v, want it kept", f.Origin, err)
		case !want && !errors.Is(err, storage.ErrNotFound):
			t.Fatalf("flow from %v: %v, want it evicted", f.Origin, err)
		}
	}
	tests := []struct {
		name string
		run  func(t *testing.T, fs *session.Flows)
	}{
		{"a flood from one address evicts its own flows", func(t *testing.T, fs *session.Flows) {
			mine := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Origin: neighbour})
			first := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Origin: flooder})
			flood(t, fs, flooder, 50)
			alive(t, fs, mine, true)
			alive(t, fs, first, false)
		}},
		{"an IPv6 /64 is one address", func(t *testing.T, fs *session.Flows) {
			first := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Origin: v6a})
			flood(t, fs, v6b, limits.PerGroup)
			alive(t, fs, first, false)
		}},
		{"a flood from many addresses evicts the oldest anonymous flow", func(t *testing.T, fs *session.Flows) {
			first := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Origin: neighbour})
			for i := range 4 {
				flood(t, fs, netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), limits.PerGroup)
			}
			alive(t, fs, first, false)
		}},
		{"a signed-in flow is never evicted", func(t *testing.T, fs *session.Flows) {
			f := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Origin: flooder})
			f.Subject, f.AuthTime = "7c1d", t0
			signedIn := mustPutFlow(t, fs, f)
			fresh := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Subject: "7c1d", AuthTime: t0, Origin: flooder})
			flood(t, fs, flooder, 50)
			for i := range 4 {
				flood(t, fs, netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), limits.PerGroup)
			}
			alive(t, fs, signedIn, true)
			alive(t, fs, fresh, true)
		}},
		{"a finished flow frees its place", func(t *testing.T, fs *session.Flows) {
			var fl []session.Flow
			for range limits.PerGroup {
				fl = append(fl, mustPutFlow(t, fs, session.Flow{ClientID: "rp", Origin: neighbour}))
			}
			if _, err := fs.Take(ctx, fl[1].ID); err != nil {
				t.Fatal(err)
			}
			if err := fs.Delete(ctx, fl[2].ID); err != nil {
				t.Fatal(err)
			}
			flood(t, fs, neighbour, 2)
			alive(t, fs, fl[0], true)
			alive(t, fs, fl[3], true)
		}},
		{"an evicted flow cannot be replaced", func(t *testing.T, fs *session.Flows) {
			first := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Origin: flooder})
			flood(t, fs, flooder, limits.PerGroup)
			first.Subject = "7c1d"
			if _, err := fs.Put(ctx, first); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("Put of an evicted flow: %v, want storage.ErrNotFound", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := session.NewFlowsWith(newKV(t, limits), session.FlowOptions{})
			tc.run(t, fs)
		})
	}
}

func TestFlowsTooLarge(t *testing.T) {
	m, clock := newMemory(t, session.MemoryOptions{})
	fs := session.NewFlowsWith(m, session.FlowOptions{MaxBytes: 1024, Clock: clock.Now})
	big, err := json.Marshal(map[string]string{"state": strings.Repeat("s", 1024)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = fs.Put(context.Background(), session.Flow{ClientID: "rp", Request: big})
	if !errors.Is(err, session.ErrFlowTooLarge) || errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Put of a large flow: %v, want ErrFlowTooLarge and not ErrUnavailable", err)
	}
	if n := m.Len(); n != 0 {
		t.Fatalf("%d entries stored", n)
	}
	small := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Request: json.RawMessage(`{"state":"s"}`)})
	if small.ID == "" {
		t.Fatal("small flow refused")
	}
	// The default is 16 KiB.
	def := session.NewFlows(m, 0, clock.Now)
	huge, err := json.Marshal(map[string]string{"state": strings.Repeat("s", session.DefaultMaxFlowBytes)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := def.Put(context.Background(), session.Flow{ClientID: "rp", Request: huge}); !errors.Is(err, session.ErrFlowTooLarge) {
		t.Fatalf("Put of a flow over 16 KiB: %v, want ErrFlowTooLarge", err)
	}
}

func TestFlowsKeepOrigin(t *testing.T) {
	fs, _, _ := newFlows(t)
	f := mustPutFlow(t, fs, session.Flow{ClientID: "rp", Origin: v6a})
	f.Origin, f.Subject = neighbour, "7c1d" // the origin is not the caller's to move
	mustPutFlow(t, fs, f)
	got, err := fs.Get(context.Background(), f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Origin != v6a {
		t.Fatalf("Origin = %v, want %v", got.Origin, v6a)
	}
}

func TestAddressGroup(t *testing.T) {
	tests := []struct {
		name string
		a, b string // "" is the zero Addr
		same bool
	}{
		{"IPv4 neighbours differ", "192.0.2.1", "192.0.2.2", false},
		{"IPv4-mapped IPv6 is IPv4", "192.0.2.1", "::ffff:192.0.2.1", true},
		{"same IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true},
		{"IPv6 zone ignored", "fe80::1%eth0", "fe80::2", true},
		{"other IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"invalid addresses share", "", "", true},
	}
	parse := func(s string) netip.Addr {
		if s == "" {
			return netip.Addr{}
		}
		return netip.MustParseAddr(s)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ga, gb := session.AddressGroup(parse(tc.a)), session.AddressGroup(parse(tc.b))
			if (ga == gb) != tc.same {
				t.Fatalf("AddressGroup(%s) = %q, AddressGroup(%s) = %q; same wanted: %v", tc.a, ga, tc.b, gb, tc.same)
			}
		})
	}
}
