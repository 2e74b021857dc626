package ldapstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The lock decision of a password bind, for a passkey that never binds
// (draft-behera-ldap-password-policy-10 §5.2, §5.3.3).
func TestPPolicyLocked(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	fiveMinutes := lockPolicy{duration: 5 * time.Minute}
	tests := []struct {
		name   string
		stamp  string
		policy lockPolicy
		want   bool
	}{
		{name: "administrator's lock, whatever the duration", stamp: "000001010000Z", policy: fiveMinutes, want: true},
		{name: "duration 0: until cleared", stamp: "20000101000000Z", policy: lockPolicy{}, want: true},
		{name: "fresh lock", stamp: "20261207115800Z", policy: fiveMinutes, want: true},
		{name: "expired lock", stamp: "20261207115400Z", policy: fiveMinutes, want: false},
		{name: "ends exactly now", stamp: "20261207115500Z", policy: fiveMinutes, want: false},
		{name: "one second before the end", stamp: "20261207115501Z", policy: fiveMinutes, want: true},
		{name: "fractional seconds", stamp: "20261207115400.123456Z", policy: fiveMinutes, want: false},
		{name: "with an offset", stamp: "20261207125800+0100", policy: fiveMinutes, want: true},
		{name: "malformed", stamp: "yesterday", policy: fiveMinutes, want: true},
		{name: "malformed date", stamp: "20261399115400Z", policy: fiveMinutes, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ppolicyLocked(tc.stamp, tc.policy, now); got != tc.want {
				t.Errorf("ppolicyLocked(%q, %v) = %v, want %v", tc.stamp, tc.policy.duration, got, tc.want)
			}
		})
	}
}

// pwdLockoutDuration as read from a policy entry: anything but a
// positive number of seconds is "until cleared".
func TestLockPolicyFrom(t *testing.T) {
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"300", 5 * time.Minute},
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"5m", 0},
		{"99999999999999999999", 0},
		{fmt.Sprint(maxLockoutSeconds + 1), 0},
	}
	for _, tc := range tests {
		if got := lockPolicyFrom(tc.value).duration; got != tc.want {
			t.Errorf("lockPolicyFrom(%q) = %v, want %v", tc.value, got, tc.want)
		}
	}
}

// accountStatusOf with a known policy lets a lock that ran out pass, and
// without one (nil) keeps every stamp a lock.
func TestAccountStatusOfWithPolicy(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	minute := &lockPolicy{duration: time.Minute}
	tests := []struct {
		name   string
		stamp  string
		policy *lockPolicy
		want   oauth.LoginOutcome
	}{
		{name: "expired under the policy", stamp: "20261207115000Z", policy: minute, want: oauth.LoginOK},
		{name: "running under the policy", stamp: "20261207115930Z", policy: minute, want: oauth.LoginLocked},
		{name: "policy unknown", stamp: "20261207115000Z", policy: nil, want: oauth.LoginLocked},
		{name: "administrator's lock", stamp: adminLockTime, policy: minute, want: oauth.LoginLocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := ldap.NewEntry("cn=x", map[string][]string{attrPwdAccountLockedTime: {tc.stamp}})
			if got := accountStatusOf(e, tc.policy, now); got != tc.want {
				t.Errorf("accountStatusOf = %v, want %v", got, tc.want)
			}
		})
	}
}

// Only a stamp that a policy could end needs the policy read.
func TestNeedsLockPolicy(t *testing.T) {
	for stamp, want := range map[string]bool{"": false, adminLockTime: false, "20261207115000Z": true} {
		attrs := map[string][]string{}
		if stamp != "" {
			attrs[attrPwdAccountLockedTime] = []string{stamp}
		}
		if got := needsLockPolicy(ldap.NewEntry("cn=x", attrs)); got != want {
			t.Errorf("needsLockPolicy(%q) = %v, want %v", stamp, got, want)
		}
	}
}

// The policy cache: hits within the minute, case-folded DNs, misses
// after it, and never more than its bound.
func TestPolicyCache(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c := newPolicyCache()
	c.put("cn=Default,ou=policies,dc=example,dc=org", lockPolicy{duration: time.Hour}, now)
	if p, ok := c.get("cn=default,ou=policies,dc=example,dc=org", now.Add(59*time.Second)); !ok || p.duration != time.Hour {
		t.Errorf("get within the minute = %v, %v", p, ok)
	}
	if _, ok := c.get("cn=default,ou=policies,dc=example,dc=org", now.Add(policyCacheTTL)); ok {
		t.Error("get after the minute hit")
	}
	for i := range 3 * policyCacheSize {
		c.put(fmt.Sprintf("cn=p%d", i), lockPolicy{}, now)
		if len(c.items) > policyCacheSize {
			t.Fatalf("%d policies cached, bound %d", len(c.items), policyCacheSize)
		}
	}
	if _, ok := c.get(fmt.Sprintf("cn=p%d", 3*policyCacheSize-1), now); !ok {
		t.Error("the policy just put is not cached")
	}
}

// PPolicyDefaultDN is optional, and a DN when set.
func TestUsersConfigPPolicyDefaultDN(t *testing.T) {
	cfg := UsersConfig{BaseDN: "ou=people,dc=example,dc=org", Filter: "(uid={username})", SubjectAttribute: "entryUUID"}
	for dn, ok := range map[string]bool{"": true, "cn=default,ou=policies,dc=example,dc=org": true, "default": false} {
		cfg.PPolicyDefaultDN = dn
		if err := cfg.check(); (err == nil) != ok {
			t.Errorf("check with PPolicyDefaultDN %q = %v", dn, err)
		}
	}
}
