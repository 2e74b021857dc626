package ldapstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Lookup and LookupWithoutGroups, the reads behind refresh, code
// redemption and UserInfo, refuse an account an administrator locked
// (ErrInactive, which is also ErrNotFound), but still find one locked by
// failed passwords: such a lock must not let a password guesser end the
// person's sessions.
func TestUsersLookupRefusesAdminLock(t *testing.T) {
	t.Parallel()
	d := openLDAPWithPeople(t, ldaptest.Options{PPolicy: true})
	p := newPeople(t, d)
	p.addUser(t, "carol", passwords["carol"])
	daveDN := p.addUser(t, "dave", passwords["dave"])
	u := p.users(t, p.config())
	carol := wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK).Subject
	dave := wantOutcome(t, u, "dave", passwords["dave"], oauth.LoginOK).Subject

	for range 3 {
		wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
	}
	if got, _ := u.AccountStatus(t.Context(), carol); got != oauth.LoginLocked {
		t.Fatalf("carol after 3 failures: AccountStatus = %v, want locked (the test's premise)", got)
	}
	lockAdmin(t, d.conn, daveDN, true)
	lookups := map[string]func(context.Context, string) (oauth.User, error){
		"Lookup": u.Lookup, "LookupWithoutGroups": u.LookupWithoutGroups,
	}
	for name, lookup := range lookups {
		if got, err := lookup(t.Context(), carol); err != nil || got.Subject != carol {
			t.Errorf("%s(carol, locked by failures) = %+v, %v; want carol", name, got, err)
		}
		got, err := lookup(t.Context(), dave)
		if !errors.Is(err, ldapstore.ErrInactive) || !errors.Is(err, ldapstore.ErrNotFound) || got.Subject != "" {
			t.Errorf("%s(dave, locked by an administrator) = %+v, %v; want ErrInactive", name, got, err)
		}
		if _, err := lookup(t.Context(), "no-such-subject"); !errors.Is(err, ldapstore.ErrNotFound) || errors.Is(err, ldapstore.ErrInactive) {
			t.Errorf("%s(unknown) = %v; want ErrNotFound alone", name, err)
		}
	}
	if _, err := u.LookupByUsername(t.Context(), "dave"); !errors.Is(err, ldapstore.ErrInactive) {
		t.Errorf("LookupByUsername(dave, locked by an administrator) = %v; want ErrInactive", err)
	}
	if got, err := u.LookupByUsername(t.Context(), "carol"); err != nil || got.Subject != carol {
		t.Errorf("LookupByUsername(carol, locked by failures) = %+v, %v; want carol", got, err)
	}
	lockAdmin(t, d.conn, daveDN, false)
	if got, err := u.Lookup(t.Context(), dave); err != nil || got.Subject != dave {
		t.Errorf("Lookup(dave, unlocked) = %+v, %v; want dave", got, err)
	}
}

// A person the login filter no longer admits (here excluded by uid, as by
// leaving a required group) is ErrInactive to Lookup and
// LookupWithoutGroups; someone it admits is found.
func TestUsersLookupKeepsToLoginFilter(t *testing.T) {
	t.Parallel()
	d := openLDAPWithPeople(t, ldaptest.Options{})
	p := newPeople(t, d)
	p.addUser(t, "carol", passwords["carol"])
	p.addUser(t, "dave", passwords["dave"])
	all := p.users(t, p.config())
	carol := wantOutcome(t, all, "carol", passwords["carol"], oauth.LoginOK).Subject
	dave := wantOutcome(t, all, "dave", passwords["dave"], oauth.LoginOK).Subject

	cfg := p.config()
	cfg.Filter = "(&(objectClass=inetOrgPerson)(!(uid=dave))(|(uid={username})(mail={username})))"
	u := p.users(t, cfg)
	if got, err := u.Lookup(t.Context(), carol); err != nil || got.Subject != carol {
		t.Errorf("Lookup(carol) = %+v, %v; want carol", got, err)
	}
	for name, lookup := range map[string]func(context.Context, string) (oauth.User, error){
		"Lookup": u.Lookup, "LookupWithoutGroups": u.LookupWithoutGroups,
	} {
		if got, err := lookup(t.Context(), dave); !errors.Is(err, ldapstore.ErrInactive) {
			t.Errorf("%s(dave, filtered out) = %+v, %v; want ErrInactive", name, got, err)
		}
	}
	if got, err := all.Lookup(t.Context(), dave); err != nil || got.Subject != dave {
		t.Errorf("without the exclusion Lookup(dave) = %+v, %v; want dave", got, err)
	}
}

// lockAdmin sets or clears ppolicy's administrative lock on dn.
func lockAdmin(t *testing.T, conn *ldap.Conn, dn string, lock bool) {
	t.Helper()
	req := ldap.NewModifyRequest(dn, []ldap.Control{relaxControl})
	if lock {
		req.Replace("pwdAccountLockedTime", []string{"000001010000Z"})
	} else {
		req.Delete("pwdAccountLockedTime", nil)
	}
	if err := conn.Modify(req); err != nil {
		t.Fatal(err)
	}
}
