package ldapstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// testClock is a settable clock for AccountStatus. onRead, when set,
// runs at the next reading (once).
type testClock struct {
	mu     sync.Mutex
	now    time.Time
	onRead func()
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.onRead; f != nil {
		c.onRead = nil
		f()
	}
	return c.now
}

func (c *testClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func (c *testClock) whenRead(f func()) { c.mu.Lock(); c.onRead = f; c.mu.Unlock() }

// AccountStatus on OpenLDAP with ppolicy judges a lock by failed binds
// as slapd does at a bind: it ends after the governing policy's
// pwdLockoutDuration (the entry's pwdPolicySubentry, else the overlay's
// default named by PPolicyDefaultDN), never for an administrator's lock
// or a policy without a duration, and never when the policy is unknown.
// The clock is the test's: the locks run out without waiting.
func TestUsersAccountStatusLockoutDuration(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{PPolicy: true, LDIF: []string{devDirectory}})
	d := directory{url: s.URL, bindDN: s.AdminDN, password: s.AdminPassword, conn: s.Conn(t)}
	setDuration := func(dn, seconds string) {
		t.Helper()
		req := ldap.NewModifyRequest(dn, nil)
		req.Replace("pwdLockoutDuration", []string{seconds})
		if err := d.conn.Modify(req); err != nil {
			t.Fatalf("set pwdLockoutDuration of %s: %v", dn, err)
		}
	}
	// The overlay's default policy: locks by failures last a minute.
	setDuration(s.PolicyDN, "60")

	p := newPeople(t, d)
	forever := p.addPolicy(t, "forever", [2]string{"pwdLockout", "TRUE"}, [2]string{"pwdMaxFailure", "3"},
		[2]string{"pwdLockoutDuration", "0"})
	short := p.addPolicy(t, "short", [2]string{"pwdLockout", "TRUE"}, [2]string{"pwdMaxFailure", "3"},
		[2]string{"pwdLockoutDuration", "30"})
	p.addUser(t, "carol", passwords["carol"]) // the default policy
	p.addUser(t, "dave", passwords["dave"], [2]string{"pwdPolicySubentry", short})
	p.addUser(t, "erin", "erin-pass", [2]string{"pwdPolicySubentry", forever})
	frankDN := p.addUser(t, "frank", "frank-pass")

	cfg := p.config()
	cfg.PPolicyDefaultDN = s.PolicyDN
	u := p.users(t, cfg)
	unknownDefault := p.users(t, p.config()) // no PPolicyDefaultDN
	clock := &testClock{now: time.Now()}
	ldapstore.SetStatusClock(u, clock.Now)
	ldapstore.SetStatusClock(unknownDefault, clock.Now)

	sub := map[string]string{}
	for name, pw := range map[string]string{"carol": passwords["carol"], "dave": passwords["dave"],
		"erin": "erin-pass", "frank": "frank-pass"} {
		sub[name] = wantOutcome(t, u, name, pw, oauth.LoginOK).Subject
		for range 3 {
			wantOutcome(t, u, name, "wrong", oauth.LoginInvalid)
		}
	}
	req := ldap.NewModifyRequest(frankDN, []ldap.Control{relaxControl})
	req.Replace("pwdAccountLockedTime", []string{"000001010000Z"})
	if err := d.conn.Modify(req); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	status := func(u *ldapstore.Users, name string, want oauth.LoginOutcome) {
		t.Helper()
		if got, err := u.AccountStatus(ctx, sub[name]); err != nil || got != want {
			t.Errorf("at %s AccountStatus(%s) = %v, %v; want %v", clock.now.Format(time.TimeOnly), name, got, err, want)
		}
	}
	locked := clock.now
	for _, name := range []string{"carol", "dave", "erin", "frank"} {
		status(u, name, oauth.LoginLocked)
	}
	// slapd agrees the locks run: a good password is refused.
	wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginLocked)

	clock.set(locked.Add(45 * time.Second)) // dave's 30 s are over, carol's 60 s are not
	status(u, "dave", oauth.LoginOK)
	status(u, "carol", oauth.LoginLocked)

	clock.set(locked.Add(2 * time.Minute))
	status(u, "carol", oauth.LoginOK)
	status(unknownDefault, "carol", oauth.LoginLocked) // the default is not known: locked until cleared
	status(unknownDefault, "dave", oauth.LoginOK)      // its own policy is
	status(u, "erin", oauth.LoginLocked)               // a policy without a duration
	status(u, "frank", oauth.LoginLocked)              // an administrator's lock

	// The policy is cached: a change is seen only after a minute.
	setDuration(s.PolicyDN, "0")
	status(u, "carol", oauth.LoginOK)
	clock.set(locked.Add(4 * time.Minute))
	status(u, "carol", oauth.LoginLocked)

	// A policy that cannot be read (the directory went away between the
	// two searches: the clock is first read after the entry's) is an
	// outage, not an unlocked account.
	clock.set(locked.Add(10 * time.Minute)) // dave's policy has left the cache
	clock.whenRead(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close slapd: %v", err)
		}
	})
	got, err := u.AccountStatus(ctx, sub["dave"])
	if !errors.Is(err, ldapstore.ErrUnavailable) || !strings.Contains(err.Error(), "password policy") {
		t.Errorf("policy unreadable: AccountStatus = %v, %v; want an outage reading the policy", got, err)
	}
}
