package ldapstore_test

import (
	"context"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// AccountStatus on OpenLDAP with ppolicy: an account locked by failed
// binds, and by an administrator, may not sign in with any credential;
// unlocked, it may again.
func TestUsersAccountStatusPPolicy(t *testing.T) {
	t.Parallel()
	d := openLDAPWithPeople(t, ldaptest.Options{PPolicy: true})
	p := newPeople(t, d)
	p.addUser(t, "carol", passwords["carol"])
	daveDN := p.addUser(t, "dave", passwords["dave"])
	u := p.users(t, p.config())
	ctx := context.Background()
	status := func(sub string, want oauth.LoginOutcome) {
		t.Helper()
		got, err := u.AccountStatus(ctx, sub)
		if err != nil || got != want {
			t.Fatalf("AccountStatus(%q) = %v, %v; want %v", sub, got, err, want)
		}
	}
	carol := wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK).Subject
	dave := wantOutcome(t, u, "dave", passwords["dave"], oauth.LoginOK).Subject
	status(carol, oauth.LoginOK)

	for range 3 {
		wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
	}
	status(carol, oauth.LoginLocked)
	status(dave, oauth.LoginOK)

	// An administrator's lock (ppolicy's "locked until unlocked" value).
	req := ldap.NewModifyRequest(daveDN, []ldap.Control{relaxControl})
	req.Replace("pwdAccountLockedTime", []string{"000001010000Z"})
	if err := d.conn.Modify(req); err != nil {
		t.Fatal(err)
	}
	status(dave, oauth.LoginLocked)
	req = ldap.NewModifyRequest(daveDN, nil)
	req.Delete("pwdAccountLockedTime", nil)
	if err := d.conn.Modify(req); err != nil {
		t.Fatal(err)
	}
	status(dave, oauth.LoginOK)

	status("no-such-subject", oauth.LoginInvalid)
}

// AccountStatus keeps to the login filter: someone it no longer matches
// (here excluded by uid, as by leaving an allowed group) is not found,
// so a passkey does not sign them in where a password would not.
func TestUsersAccountStatusLoginFilter(t *testing.T) {
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
	wantOutcome(t, u, "dave", passwords["dave"], oauth.LoginInvalid)
	ctx := context.Background()
	for sub, want := range map[string]oauth.LoginOutcome{carol: oauth.LoginOK, dave: oauth.LoginInvalid} {
		if got, err := u.AccountStatus(ctx, sub); err != nil || got != want {
			t.Errorf("AccountStatus(%q) = %v, %v; want %v", sub, got, err, want)
		}
	}
	if got, err := all.AccountStatus(ctx, dave); err != nil || got != oauth.LoginOK {
		t.Errorf("without the exclusion AccountStatus(dave) = %v, %v; want LoginOK", got, err)
	}
}
