package ldapstore_test

import (
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// relaxControl is OpenLDAP's Relax Rules control
// (draft-zeilenga-ldap-relax): it lets the admin write operational
// attributes that the ppolicy overlay marks as manageable, such as
// pwdChangedTime.
var relaxControl = ldap.NewControlString("1.3.6.1.4.1.4203.666.5.12", true, "")

// Password policy results of OpenLDAP's ppolicy overlay (slapd 2.5), as
// ldaptest configures it: the default policy locks an account after three
// failed binds. Each case adds its own policy entry below its subtree where
// it needs another.
func TestUsersPasswordPolicy(t *testing.T) {
	t.Parallel()
	d := openLDAPWithPeople(t, ldaptest.Options{PPolicy: true})

	t.Run("locked after three failures", func(t *testing.T) {
		t.Parallel()
		p := newPeople(t, d)
		p.addUser(t, "carol", passwords["carol"])
		p.addUser(t, "dave", passwords["dave"])
		u := p.users(t, p.config())
		for range 3 {
			wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
		}
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginLocked)
		wantOutcome(t, u, "carol", "wrong", oauth.LoginLocked)
		// Someone else is not affected.
		wantOutcome(t, u, "dave", passwords["dave"], oauth.LoginOK)
	})

	t.Run("a success resets the failure count", func(t *testing.T) {
		t.Parallel()
		p := newPeople(t, d)
		p.addUser(t, "carol", passwords["carol"])
		u := p.users(t, p.config())
		for range 2 {
			wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
		}
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
		for range 2 {
			wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
		}
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
	})

	t.Run("unlocked by an admin", func(t *testing.T) {
		t.Parallel()
		p := newPeople(t, d)
		dn := p.addUser(t, "carol", passwords["carol"])
		u := p.users(t, p.config())
		for range 3 {
			wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
		}
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginLocked)
		req := ldap.NewModifyRequest(dn, nil)
		req.Delete("pwdAccountLockedTime", nil)
		if err := d.conn.Modify(req); err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
	})

	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		p := newPeople(t, d)
		policy := p.addPolicy(t, "expiring", [2]string{"pwdMaxAge", "3600"})
		dn := p.addUser(t, "carol", passwords["carol"], [2]string{"pwdPolicySubentry", policy})
		u := p.users(t, p.config())
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
		p.passwordChangedAt(t, dn, "20000101000000Z")
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginExpired)
		// A wrong password stays a wrong password.
		wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
	})

	t.Run("expired with grace logins left", func(t *testing.T) {
		t.Parallel()
		p := newPeople(t, d)
		policy := p.addPolicy(t, "grace", [2]string{"pwdMaxAge", "3600"}, [2]string{"pwdGraceAuthNLimit", "2"})
		dn := p.addUser(t, "carol", passwords["carol"], [2]string{"pwdPolicySubentry", policy})
		p.passwordChangedAt(t, dn, "20000101000000Z")
		u := p.users(t, p.config())
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginExpired)
	})

	t.Run("must change after reset", func(t *testing.T) {
		t.Parallel()
		p := newPeople(t, d)
		policy := p.addPolicy(t, "reset", [2]string{"pwdMustChange", "TRUE"})
		dn := p.addUser(t, "carol", passwords["carol"], [2]string{"pwdPolicySubentry", policy})
		u := p.users(t, p.config())
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
		req := ldap.NewModifyRequest(dn, nil)
		req.Replace("pwdReset", []string{"TRUE"})
		if err := d.conn.Modify(req); err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginMustChange)
		wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
	})
}

// addPolicy adds a password policy entry below the people subtree and
// returns its DN.
func (p *people) addPolicy(t testing.TB, cn string, attrs ...[2]string) string {
	t.Helper()
	dn := "cn=" + cn + "," + p.base
	add(t, p.dir.conn, dn, append([][2]string{
		{"objectClass", "device"}, {"objectClass", "pwdPolicy"}, {"cn", cn},
		{"pwdAttribute", "userPassword"},
	}, attrs...))
	return dn
}

// passwordChangedAt backdates the last password change of an entry.
func (p *people) passwordChangedAt(t testing.TB, dn, when string) {
	t.Helper()
	req := ldap.NewModifyRequest(dn, []ldap.Control{relaxControl})
	req.Replace("pwdChangedTime", []string{when})
	if err := p.dir.conn.Modify(req); err != nil {
		t.Fatalf("backdate pwdChangedTime of %s: %v", dn, err)
	}
}
