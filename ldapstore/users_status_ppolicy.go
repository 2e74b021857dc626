package ldapstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// OpenLDAP ppolicy names read to tell whether a lock is still running
// (draft-behera-ldap-password-policy-10 §5.2 for the policy, §5.3 for
// the account's state).
const (
	// attrPwdPolicySubentry names the policy governing an entry. It is
	// operational, so it is returned only when asked for by name.
	attrPwdPolicySubentry = "pwdPolicySubentry"
	// attrPwdLockoutDuration is how many seconds a lock set by too many
	// failures lasts; absent or 0, until an administrator clears it.
	attrPwdLockoutDuration = "pwdLockoutDuration"
	// adminLockTime as pwdAccountLockedTime is a lock that only an
	// administrator lifts, whatever the policy (§5.3.3).
	adminLockTime = "000001010000Z"
)

// Bounds of the policy cache. Policies change about never, and a change
// seen a minute late only delays when a timed-out lock stops refusing
// passkeys (or starts: a shortened duration). A few dozen policies cover
// any directory we know of; past the bound an entry is dropped.
const (
	policyCacheTTL  = time.Minute
	policyCacheSize = 64
)

// lockPolicy is what of a password policy decides whether a lock runs.
type lockPolicy struct {
	// duration is pwdLockoutDuration; 0 means until cleared.
	duration time.Duration
}

// ppolicyLocked decides whether a pwdAccountLockedTime value still locks
// the account under policy p at now, as slapd does at a bind: the
// administrator's value, a policy without a duration, a time that cannot
// be read, or a lock younger than the duration all lock (the last two
// fail safe: slapd, too, counts an unreadable stamp as locked).
func ppolicyLocked(lockedTime string, p lockPolicy, now time.Time) bool {
	if lockedTime == adminLockTime || p.duration <= 0 {
		return true
	}
	at, err := parseGeneralizedTime([]string{lockedTime})
	if err != nil {
		return true
	}
	return now.Before(at.Add(p.duration))
}

// needsLockPolicy tells whether deciding e's state needs its policy: only
// a lock stamp that is not the administrator's. Unlocked accounts, the
// common case, cost no search beyond AccountStatus's own.
func needsLockPolicy(e *ldap.Entry) bool {
	v := e.GetEqualFoldAttributeValue(attrPwdAccountLockedTime)
	return v != "" && v != adminLockTime
}

// lockPolicyOf reads the policy that governs e: its pwdPolicySubentry, or
// else the overlay's default (ldap.users.ppolicyDefaultDN). Gatehouse
// cannot learn that default itself without reading cn=config, which a
// service account should not be able to do; so without it the policy is
// unknown and nil is returned: a stamp then locks until it is cleared.
// An outage is an error, never an unlocked account.
func (u *Users) lockPolicyOf(ctx context.Context, e *ldap.Entry) (*lockPolicy, error) {
	dn := e.GetEqualFoldAttributeValue(attrPwdPolicySubentry)
	if dn == "" {
		dn = u.cfg.PPolicyDefaultDN
	}
	if dn == "" {
		return nil, nil
	}
	if p, ok := u.policies.get(dn, u.now()); ok {
		return &p, nil
	}
	p, err := u.readLockPolicy(ctx, dn)
	if err != nil {
		return nil, err
	}
	u.policies.put(dn, p, u.now())
	return &p, nil
}

// readLockPolicy reads one policy entry. A policy that does not exist is
// one without a duration: slapd falls back to its built-in defaults then,
// which lock until cleared. So does a duration that is not a number.
// pwdLockout is not read: it says whether failures set a stamp, and
// current slapd honours a stamp that is there whatever pwdLockout says
// (older releases ignored it under pwdLockout FALSE; Gatehouse then
// refuses where slapd would not: the safe side).
func (u *Users) readLockPolicy(ctx context.Context, dn string) (lockPolicy, error) {
	req := ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{attrPwdLockoutDuration}, nil)
	var found *ldap.Entry
	err := u.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.Search(req)
		if err == nil && len(res.Entries) == 1 {
			found = res.Entries[0]
		}
		return err
	})
	switch err := classify(err, opRead); {
	case errors.Is(err, ErrNotFound):
		u.log.Warn("password policy not found; its locks last until cleared", "policy", dn)
		return lockPolicy{}, nil
	case err != nil:
		return lockPolicy{}, fmt.Errorf("read password policy %s: %w", dn, err)
	}
	if found == nil {
		return lockPolicy{}, nil
	}
	return lockPolicyFrom(found.GetEqualFoldAttributeValue(attrPwdLockoutDuration)), nil
}

// lockPolicyFrom reads pwdLockoutDuration: seconds, absent or 0 for
// "until cleared"; anything else unreadable counts as 0 (fail safe).
func lockPolicyFrom(duration string) lockPolicy {
	secs, err := strconv.ParseInt(strings.TrimSpace(duration), 10, 64)
	if err != nil || secs <= 0 || secs > maxLockoutSeconds {
		return lockPolicy{}
	}
	return lockPolicy{duration: time.Duration(secs) * time.Second}
}

// maxLockoutSeconds keeps a huge duration from overflowing time.Duration
// (ten years is more than any lock anyone means; larger locks until
// cleared, which is what such a number asks for anyway).
const maxLockoutSeconds = 10 * 365 * 24 * 3600

// policyCache keeps lock policies by DN for a short time; safe for
// concurrent use.
type policyCache struct {
	mu    sync.Mutex
	items map[string]cachedPolicy
}

type cachedPolicy struct {
	policy lockPolicy
	until  time.Time
}

func newPolicyCache() *policyCache { return &policyCache{items: map[string]cachedPolicy{}} }

// policyKey folds a DN's case: DNs differing only in case name one entry
// for every attribute a policy DN is made of (cn, ou, dc).
func policyKey(dn string) string { return strings.ToLower(dn) }

func (c *policyCache) get(dn string, now time.Time) (lockPolicy, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[policyKey(dn)]
	if !ok || !now.Before(it.until) {
		return lockPolicy{}, false
	}
	return it.policy, true
}

func (c *policyCache) put(dn string, p lockPolicy, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= policyCacheSize {
		for k, it := range c.items {
			if !now.Before(it.until) || len(c.items) >= policyCacheSize {
				delete(c.items, k)
			}
		}
	}
	c.items[policyKey(dn)] = cachedPolicy{policy: p, until: now.Add(policyCacheTTL)}
}
