package throttle_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/throttle"
)

func newLogins(t *testing.T) (mustLogins, *fakeClock) {
	clock := newClock()
	return mustLogins{t, throttle.NewLogins(throttle.LoginOptions{
		Usernames: throttle.Options{MaxFailures: 3, Window: 3 * time.Minute, Clock: clock.Now},
		Addresses: throttle.Options{MaxFailures: 5, Window: 10 * time.Minute, Clock: clock.Now},
	})}, clock
}

// mustLogins calls Logins with a background context and fails the test on
// any error.
type mustLogins struct {
	t *testing.T
	l *throttle.Logins
}

func (m mustLogins) Allow(user string, addr netip.Addr) (bool, time.Duration) {
	m.t.Helper()
	ok, wait, err := m.l.Allow(context.Background(), user, addr)
	if err != nil {
		m.t.Fatalf("Allow(%q): %v", user, err)
	}
	return ok, wait
}

func (m mustLogins) AllowKnown(user string) (bool, time.Duration) {
	m.t.Helper()
	ok, wait, err := m.l.AllowKnown(context.Background(), user)
	if err != nil {
		m.t.Fatalf("AllowKnown(%q): %v", user, err)
	}
	return ok, wait
}

func (m mustLogins) Fail(user string, addr netip.Addr) {
	m.t.Helper()
	if err := m.l.Fail(context.Background(), user, addr); err != nil {
		m.t.Fatalf("Fail(%q): %v", user, err)
	}
}

func (m mustLogins) FailKnown(user string) {
	m.t.Helper()
	if err := m.l.FailKnown(context.Background(), user); err != nil {
		m.t.Fatalf("FailKnown(%q): %v", user, err)
	}
}

func (m mustLogins) Succeed(user string) {
	m.t.Helper()
	if err := m.l.Succeed(context.Background(), user); err != nil {
		m.t.Fatalf("Succeed(%q): %v", user, err)
	}
}

var (
	home  = netip.MustParseAddr("192.0.2.10")
	other = netip.MustParseAddr("198.51.100.7")
)

func TestLoginsUsernameLimit(t *testing.T) {
	l, clock := newLogins(t)
	for range 3 {
		l.Fail("alice", home)
	}
	// Another address does not help with alice.
	if ok, retry := l.Allow("alice", other); ok || retry != time.Minute {
		t.Fatalf("Allow(alice, other) = %v, %v; want false, 1m", ok, retry)
	}
	if ok, _ := l.Allow("bob", home); !ok {
		t.Fatal("bob refused from an address with only 3 failures")
	}
	clock.Advance(time.Minute)
	if ok, _ := l.Allow("alice", other); !ok {
		t.Fatal("alice still refused after the interval")
	}
}

func TestLoginsAddressLimit(t *testing.T) {
	l, _ := newLogins(t)
	// Spraying: one failure each for many usernames from one address.
	for _, u := range []string{"a", "b", "c", "d", "e"} {
		if ok, _ := l.Allow(u, home); !ok {
			t.Fatalf("%s refused too early", u)
		}
		l.Fail(u, home)
	}
	if ok, retry := l.Allow("f", home); ok || retry != 2*time.Minute {
		t.Fatalf("Allow(f, home) = %v, %v; want false, 2m", ok, retry)
	}
	if ok, _ := l.Allow("f", other); !ok {
		t.Fatal("another address is refused")
	}
}

func TestLoginsSucceedKeepsAddressCount(t *testing.T) {
	l, _ := newLogins(t)
	for range 2 {
		l.Fail("alice", home)
	}
	for _, victim := range []string{"v1", "v2", "v3"} {
		l.Fail(victim, home)
	}
	l.Succeed("alice")
	if ok, _ := l.Allow("alice", other); !ok {
		t.Fatal("alice refused after success")
	}
	if ok, _ := l.Allow("v4", home); ok {
		t.Fatal("a success reset the address count")
	}
}

func TestAddressKey(t *testing.T) {
	tests := []struct {
		name string
		a, b string // "" is the zero Addr
		same bool
	}{
		{"same IPv4", "192.0.2.1", "192.0.2.1", true},
		{"IPv4 neighbours differ", "192.0.2.1", "192.0.2.2", false},
		{"IPv4-mapped IPv6 is IPv4", "192.0.2.1", "::ffff:192.0.2.1", true},
		{"same IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true},
		{"IPv6 zone ignored", "fe80::1%eth0", "fe80::2", true},
		{"other IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"invalid addresses share", "", "", true},
		{"invalid is not an address", "", "0.0.0.0", false},
	}
	parse := func(s string) netip.Addr {
		if s == "" {
			return netip.Addr{}
		}
		return netip.MustParseAddr(s)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ka, kb := throttle.AddressKey(parse(tc.a)), throttle.AddressKey(parse(tc.b))
			if (ka == kb) != tc.same {
				t.Fatalf("AddressKey(%s) = %q, AddressKey(%s) = %q; same wanted: %v", tc.a, ka, tc.b, kb, tc.same)
			}
		})
	}
}

// A browser known to have signed in as alice is not held back by what
// others did from its address, but is by alice's own limit.
func TestLoginsKnownBrowser(t *testing.T) {
	l, _ := newLogins(t)
	for _, u := range []string{"a", "b", "c", "d", "e"} {
		l.Fail(u, home)
	}
	if ok, _ := l.Allow("alice", home); ok {
		t.Fatal("the address limit is not reached; the test proves nothing")
	}
	if ok, retry := l.AllowKnown("alice"); !ok || retry != 0 {
		t.Fatalf("AllowKnown(alice) = %v, %v behind a used-up address", ok, retry)
	}
	for range 3 {
		l.FailKnown("alice")
	}
	if ok, retry := l.AllowKnown("alice"); ok || retry != time.Minute {
		t.Fatalf("AllowKnown(alice) after 3 failures = %v, %v; want false, 1m", ok, retry)
	}
	// The known browser's failures did not count against the address.
	l2, _ := newLogins(t)
	for _, u := range []string{"a", "b", "c", "d", "e"} {
		l2.FailKnown(u)
	}
	if ok, _ := l2.Allow("bob", home); !ok {
		t.Fatal("FailKnown counted against the address")
	}
}
